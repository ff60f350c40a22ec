import numpy as np
import pytest

import xpnet
from xpnet import backend as xb
from xpnet import metrics

RNG = np.random.RandomState(0)
Y_TRUE = RNG.randint(0, 3, 60)
Y_PRED = np.where(RNG.rand(60) < 0.7, Y_TRUE, RNG.randint(0, 3, 60))
B_TRUE, B_PRED = (Y_TRUE == 1).astype(np.int64), (Y_PRED == 1).astype(np.int64)
SCORES = np.round(RNG.rand(60) + 0.5 * B_TRUE, 1)  # rounded: ties on purpose
PROBA = RNG.dirichlet(np.ones(3), 60)


@pytest.fixture
def sk():
    return pytest.importorskip("sklearn.metrics")


def stays_on(x, backend):
    namespace, device = xb.namespace_and_device(x)
    return namespace is backend.xp and device == backend.device


def test_confusion_matrix_agrees_with_scikit_learn(backend, sk):
    C = metrics.confusion_matrix(xpnet.asarray(Y_TRUE), xpnet.asarray(Y_PRED))
    assert stays_on(C, backend)
    np.testing.assert_array_equal(xpnet.to_numpy(C), sk.confusion_matrix(Y_TRUE, Y_PRED))


def test_accuracy_is_a_float(backend, sk):
    value = metrics.accuracy_score(xpnet.asarray(Y_TRUE), xpnet.asarray(Y_PRED))
    assert isinstance(value, float)
    assert value == pytest.approx(sk.accuracy_score(Y_TRUE, Y_PRED))


@pytest.mark.parametrize("average", ["micro", "macro", "weighted"])
def test_multiclass_averages_agree_with_scikit_learn(backend, sk, average):
    ours = metrics.precision_recall_fscore_support(
        xpnet.asarray(Y_TRUE), xpnet.asarray(Y_PRED), average=average
    )
    theirs = sk.precision_recall_fscore_support(Y_TRUE, Y_PRED, average=average)
    assert ours[:3] == pytest.approx(theirs[:3], rel=1e-6)


def test_per_class_arrays_stay_on_the_backend(backend, sk):
    p, r, f, s = metrics.precision_recall_fscore_support(
        xpnet.asarray(Y_TRUE), xpnet.asarray(Y_PRED), average=None
    )
    assert all(stays_on(v, backend) for v in (p, r, f, s))
    theirs = sk.precision_recall_fscore_support(Y_TRUE, Y_PRED, average=None)
    for ours, expected in zip((p, r, f, s), theirs, strict=True):
        np.testing.assert_allclose(xpnet.to_numpy(ours), expected, rtol=1e-6)


def test_binary_scores_agree_with_scikit_learn(backend, sk):
    t, p = xpnet.asarray(B_TRUE), xpnet.asarray(B_PRED)
    assert metrics.precision_score(t, p) == pytest.approx(
        sk.precision_score(B_TRUE, B_PRED), rel=1e-6
    )
    assert metrics.recall_score(t, p) == pytest.approx(sk.recall_score(B_TRUE, B_PRED), rel=1e-6)
    assert metrics.f1_score(t, p) == pytest.approx(sk.f1_score(B_TRUE, B_PRED), rel=1e-6)
    assert metrics.f1_score(t, p, pos_label=0) == pytest.approx(
        sk.f1_score(B_TRUE, B_PRED, pos_label=0), rel=1e-6
    )


def test_roc_auc_agrees_with_scikit_learn_with_ties(backend, sk):
    value = metrics.roc_auc_score(xpnet.asarray(B_TRUE), xpnet.asarray(SCORES))
    assert isinstance(value, float)
    assert value == pytest.approx(sk.roc_auc_score(B_TRUE, SCORES), rel=1e-6)


def test_log_loss_agrees_with_scikit_learn(backend, sk):
    value = metrics.log_loss(xpnet.asarray(Y_TRUE), xpnet.asarray(PROBA))
    assert value == pytest.approx(sk.log_loss(Y_TRUE, PROBA), rel=1e-6)
    p1 = np.clip(SCORES / 1.6, 0, 1)
    binary = metrics.log_loss(xpnet.asarray(B_TRUE), xpnet.asarray(p1))
    assert binary == pytest.approx(sk.log_loss(B_TRUE, p1), rel=1e-5)


def test_string_labels_on_the_host(sk):
    names = np.array(["cat", "dog", "eel"])
    t, p = names[Y_TRUE], names[Y_PRED]
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p), sk.confusion_matrix(t, p))
    assert metrics.f1_score(t, p, average="macro") == pytest.approx(
        sk.f1_score(t, p, average="macro")
    )
    report = metrics.classification_report(t, p)
    assert set(report["classes"]) == {"cat", "dog", "eel"}
    assert report["accuracy"] == pytest.approx(sk.accuracy_score(t, p))
    assert "weighted avg" in metrics.format_report(report)


def test_errors():
    with pytest.raises(
        ValueError, match=r"Expected arrays of one length\. Received lengths \[3, 2\]"
    ):
        metrics.accuracy_score([0, 1, 1], [0, 1])
    with pytest.raises(
        ValueError,
        match=r"Expected every label of y_true among \[0, 1\]\. Received labels absent from them: \[2\]",
    ):
        metrics.confusion_matrix([0, 1, 2], [0, 1, 1], labels=[0, 1])
    with pytest.raises(
        ValueError, match=r"Expected two classes in y_true for ROC AUC\. Received 1"
    ):
        metrics.roc_auc_score([1, 1, 1], [0.2, 0.4, 0.9])
    with pytest.raises(ValueError, match="Expected two classes, pos_label among them"):
        metrics.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="Invalid average"):
        metrics.f1_score([0, 1], [0, 1], average="sample")
    with pytest.raises(ValueError, match=r"Expected y_prob of shape \(3, 2\)"):
        metrics.log_loss([0, 1, 1], np.ones((3, 3)) / 3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: metrics.r2_score([1, np.nan, 3], [1, 2, 3]),
            "Invalid y_true. Expected finite values. Received: y_true containing NaN",
        ),
        (
            lambda: metrics.r2_score([1, 2, 3], [1, np.inf, 3]),
            "Invalid y_pred. Expected finite values. Received: y_pred containing infinity",
        ),
        (
            lambda: metrics.r2_score([1, 2, 3], [1, 2, 4], sample_weight=[1, 2]),
            r"Invalid sample_weight. Expected shape \(3,\), one weight per sample. "
            r"Received: sample_weight of shape \(2,\)",
        ),
        (
            lambda: metrics.r2_score([1, 2, 3], [1, 2, 4], sample_weight=[1, -2, 1]),
            "Invalid sample_weight. Expected finite, non-negative weights. Received: "
            "sample_weight with values from -2.0 to 1.0",
        ),
        (
            lambda: metrics.r2_score([1, 2, 3], [1, 2, 4], sample_weight=[0, 0, 0]),
            "Invalid sample_weight. Expected weights with a positive sum. Received: "
            "sample_weight all zero",
        ),
        (
            lambda: metrics.r2_score([], []),
            r"Invalid y_true. Expected at least one sample. Received: y_true=\[\]",
        ),
        (
            lambda: metrics.accuracy_score([], []),
            r"Invalid y_true. Expected at least one sample. Received: y_true=\[\]",
        ),
        (
            lambda: metrics.classification_report([], []),
            r"Invalid y_true. Expected at least one sample. Received: y_true=\[\]",
        ),
        (
            lambda: metrics.log_loss([0, 1], [0.5, 1.5]),
            r"Invalid y_prob. Expected probabilities in \[0, 1\]. Received: y_prob with "
            "values from 0.5 to 1.5",
        ),
        (
            lambda: metrics.log_loss([0, 1], [[1.2, -0.2], [0.5, 0.5]]),
            r"Invalid y_prob. Expected probabilities in \[0, 1\]. Received: y_prob with "
            "values from -0.2 to 1.2",
        ),
        (
            lambda: metrics.log_loss([0, 1], [np.nan, 0.5]),
            r"Invalid y_prob. Expected probabilities in \[0, 1\]. Received: y_prob "
            "containing NaN",
        ),
        (
            lambda: metrics.roc_auc_score([0, 1, 0], [np.nan, 0.5, 0.2]),
            "Invalid y_score. Expected finite values. Received: y_score containing NaN",
        ),
    ],
    ids=[
        "r2-nan",
        "r2-inf",
        "r2-weight-length",
        "r2-negative-weight",
        "r2-zero-weights",
        "r2-empty",
        "accuracy-empty",
        "report-empty",
        "log-loss-above-1",
        "log-loss-below-0",
        "log-loss-nan",
        "roc-auc-nan",
    ],
)
def test_bad_inputs_are_refused_in_the_house_form(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_inputs_on_a_backend_are_refused_there(backend, put):
    with pytest.raises(ValueError, match="Received: y_pred containing NaN"):
        metrics.r2_score(put([1.0, 2.0, 3.0]), put([1.0, np.nan, 3.0]))
    with pytest.raises(ValueError, match="Received: sample_weight with values from -1.0"):
        metrics.r2_score(put([1.0, 2.0]), put([1.0, 3.0]), sample_weight=put([-1.0, 1.0]))
    with pytest.raises(ValueError, match="Received: y_prob with values from 0.25 to 2.0"):
        metrics.log_loss(put([0.0, 1.0]), put([0.25, 2.0]))
    with pytest.raises(ValueError, match="Received: y_score containing infinity"):
        metrics.roc_auc_score(put([0.0, 1.0]), put([0.5, np.inf]))
    with pytest.raises(ValueError, match="Expected at least one sample"):
        metrics.accuracy_score(put([]), put([]))
    assert metrics.r2_score(put([1.0, 2.0, 3.0]), put([1.0, 2.0, 3.0])) == 1.0


@pytest.mark.parametrize("targets", [1, 3])
def test_r2_score_is_scikit_learns(backend, put, targets):
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.RandomState(0)
    y = rng.randn(30, targets)
    y[:, -1] = 2.0  # a constant target: 1 where predicted exactly, else 0
    pred = y + 0.3 * rng.randn(30, targets)
    pred[:, -1] = 2.0 if targets > 1 else pred[:, -1]
    w = rng.rand(30)
    y, pred = (a[:, 0] if targets == 1 else a for a in (y, pred))
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-5
    for weights in (None, w):
        expected = sk.r2_score(y, pred, sample_weight=weights)
        got = xpnet.metrics.r2_score(
            put(y), put(pred), sample_weight=None if weights is None else put(weights)
        )
        assert got == pytest.approx(expected, rel=tol, abs=tol)
    with pytest.raises(ValueError, match="Expected y_true and y_pred of one shape"):
        xpnet.metrics.r2_score(y, pred[:-1])

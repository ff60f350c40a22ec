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

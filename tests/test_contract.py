"""The estimator contract: where xpnet takes scikit-learn's names, it keeps their meaning.

Each test states one promise of the estimators' docstrings (``n_iter_``, ``loss_curve_``,
the ConvergenceWarning, the stratified split, feature names, dtypes, ...); the same
promises are judged by scikit-learn's own tests in ``test_sklearn_mlp.py``.
"""

import math
import pickle
import warnings

import numpy as np
import pytest

import xpnet
from xpnet.exceptions import ConvergenceWarning, DivergenceError
from xpnet.models._split import held_out

ADAM = {"hidden_layer_sizes": (6,), "random_state": 0, "learning_rate": 0.01}


def blobs(n=90, classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % classes
    X = rng.randn(n, 4) + y[:, None]
    return X, y


# -- what a fit leaves: n_iter_, loss_curve_, best_loss_, the counters -----------------


def test_n_iter_counts_the_last_call_and_the_counters_count_all(backend):
    X, y = blobs()
    model = xpnet.DeepNet(**ADAM, num_iterations=4, tol=None, warm_start=True)
    model.fit(X, y).fit(X, y)
    assert model.n_iter_ == 4 and model.epochs_trained_ == 8 and model.t_ == 8 * 90
    model.partial_fit(X, y)
    assert model.n_iter_ == 1 and model.epochs_trained_ == 9 and model.t_ == 9 * 90
    assert len(model.loss_curve_) == 1


@pytest.mark.parametrize("batch_size", [None, 32])
def test_loss_curve_has_every_epoch_whatever_cost_every(backend, batch_size):
    X, y = blobs()
    model = xpnet.DeepNet(**ADAM, num_iterations=7, cost_every=3, batch_size=batch_size, tol=None)
    model.fit(X, y)
    curve = model.loss_curve_
    assert len(curve) == model.n_iter_ == 7 and all(math.isfinite(v) for v in curve)
    assert model.cost_iterations_ == [0, 3, 6]
    # the recorded costs are the same epochs' losses, read on the spot
    assert model.costs_ == pytest.approx([curve[0], curve[3], curve[6]], rel=1e-6)
    assert model.best_loss_ == min(curve)
    if batch_size is None:  # one full batch: the epochs' losses fall
        assert curve[-1] < curve[0]


def test_loss_curve_and_counters_survive_a_file_and_a_pickle(tmp_path):
    X, y = blobs()
    model = xpnet.DeepNet(**ADAM, num_iterations=5, tol=None).fit(X, y)
    for loaded in (xpnet.load(model.save(tmp_path / "m.npz")), pickle.loads(pickle.dumps(model))):
        assert loaded.loss_curve_ == model.loss_curve_ and loaded.n_iter_ == 5
        assert loaded.t_ == model.t_ and loaded.epochs_trained_ == 5


# -- the ConvergenceWarning ----------------------------------------------------------


def test_a_fit_stopped_at_the_epoch_limit_warns_of_convergence():
    X, y = blobs()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        xpnet.DeepNet(**ADAM, num_iterations=3).fit(X, y)
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    with pytest.warns(sklearn_exceptions.ConvergenceWarning):  # scikit-learn's too
        xpnet.DeepNet(**ADAM, num_iterations=3).fit(X, y)


@pytest.mark.parametrize(
    "options",
    [
        {"tol": None},  # the course's recipes train exactly num_iterations epochs
        {"tol": 10.0, "n_iter_no_change": 1},  # the stopping rule fired
    ],
)
def test_no_convergence_warning_without_a_stopping_rule_or_once_it_fires(options):
    X, y = blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = xpnet.DeepNet(**{**ADAM, "num_iterations": 30, **options}).fit(X, y)
        model.partial_fit(X, y)  # one epoch is not a limit reached
    assert model.n_iter_ == 1


def test_the_course_recipes_never_warn_of_convergence():
    """Each recipe trains the course's fixed number of epochs: no stopping rule to wait on."""
    recipes = {k: v for k, v in vars(xpnet.recipes).items() if k.isupper() and isinstance(v, dict)}
    assert len(recipes) >= 4
    for name, recipe in recipes.items():
        assert recipe.get("tol", "the default") is None, name


def test_n_iter_no_change_inf_never_stops_for_a_lack_of_improvement():
    X, y = blobs()
    model = xpnet.DeepNet(**ADAM, num_iterations=15, tol=1e3, n_iter_no_change=math.inf)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert model.n_iter_ == 15 and model.stopped_ is None
    with pytest.raises(ValueError, match="n_iter_no_change"):
        xpnet.DeepNet(n_iter_no_change=-math.inf).fit(X, y)


def test_verbose_prints_each_epochs_loss_as_scikit_learn(capsys):
    X, y = blobs()
    model = xpnet.DeepNet(**ADAM, num_iterations=3, tol=None, verbose=True).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"Iteration {i + 1}, loss = {v:.8f}" for i, v in enumerate(model.loss_curve_)]
    xpnet.DeepNet(**ADAM, num_iterations=3, tol=None).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("early_stopping", [False, True])
def test_verbose_says_why_the_rule_stopped_as_scikit_learn(capsys, early_stopping):
    """The same last line as MLPClassifier's, after the epoch's loss (and score)."""
    MLPClassifier = pytest.importorskip("sklearn.neural_network").MLPClassifier
    X, y = blobs()
    settings = {"tol": 10.0, "n_iter_no_change": 1, "early_stopping": early_stopping}
    xpnet.DeepNet((3,), **settings, verbose=True, random_state=0).fit(X, y)
    ours = capsys.readouterr().out.splitlines()
    MLPClassifier((3,), **settings, verbose=True, random_state=0).fit(X, y)
    theirs = capsys.readouterr().out.splitlines()
    assert ours[-1] == theirs[-1] and ours[-1].endswith("consecutive epochs. Stopping.")
    assert len(ours) == len(theirs)


# -- early stopping: stratified, with weights, never with partial_fit ----------------


def test_the_early_stopping_split_keeps_each_class_share():
    strata = np.repeat([0, 1, 2], [60, 30, 10])
    val = held_out(100, 10, strata, np.random.RandomState(0))
    assert np.bincount(strata[val]).tolist() == [6, 3, 1]
    assert len(set(val)) == 10
    unstratified = held_out(100, 10, None, np.random.RandomState(0))
    assert len(set(unstratified)) == 10


def test_early_stopping_refuses_what_cannot_be_split():
    X, y = np.arange(8.0).reshape(4, 2), [0, 0, 0, 1]
    with pytest.raises(ValueError, match=r"Classes with too few members are: \[1\]"):
        xpnet.DeepNet(early_stopping=True).fit(X, y)
    X, y = blobs(n=12, classes=2)
    with pytest.raises(ValueError, match="The validation set is too small"):
        xpnet.DeepNet(early_stopping=True, validation_fraction=0.05).fit(X, y)


def test_early_stopping_weights_the_validation_score(backend):
    """Validation examples of weight zero do not count: the score is the weighted one."""
    X, y = blobs(n=60, classes=2)
    weights = np.ones(60)
    options = dict(**ADAM, early_stopping=True, num_iterations=3, tol=None)
    plain = xpnet.DeepNet(**options).fit(X, y)
    weights[::2] = 0.0
    weighted = xpnet.DeepNet(**options).fit(X, y, sample_weight=weights)
    assert plain.validation_scores_ != weighted.validation_scores_


@pytest.mark.parametrize("model", [xpnet.DeepNet, xpnet.DeepRegressor])
def test_partial_fit_refuses_early_stopping(model):
    X, y = blobs()
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        if model is xpnet.DeepNet:
            model(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
        else:
            model(early_stopping=True).partial_fit(X, y.astype(float))


def test_partial_fit_refuses_early_stopping_on_dask():
    da = pytest.importorskip("dask.array")
    X, y = blobs()
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        xpnet.DeepNet(early_stopping=True).partial_fit(
            da.from_array(X, chunks=30), da.from_array(y, chunks=30), classes=[0, 1, 2]
        )


# -- what predict gives: log-probabilities -------------------------------------------


@pytest.mark.parametrize("classes", [2, 3])
def test_predict_log_proba_is_the_log_of_predict_proba(backend, classes):
    X, y = blobs(classes=classes)
    model = xpnet.DeepNet(**ADAM, num_iterations=5, tol=None).fit(X, y)
    log_proba = xpnet.to_numpy(model.predict_log_proba(X))
    proba = xpnet.to_numpy(model.predict_proba(X))
    assert log_proba.shape == (90, classes)
    rtol = 1e-5 if model.dtype_ == "float32" else 1e-12
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=rtol, atol=1e-7)


def test_predict_log_proba_stays_finite_where_probabilities_round_to_zero():
    X, y = blobs(classes=2)
    model = xpnet.LogisticRegression(random_state=0, num_iterations=3, tol=None).fit(X, y)
    far = np.full((2, 4), 1e4) * np.array([[1], [-1]])
    log_proba = model.predict_log_proba(far)
    assert np.isfinite(log_proba).all() and log_proba.min() < -100
    assert (model.predict_proba(far) == 0).any()  # where log(predict_proba) is -inf


# -- what fit accepts: dtypes, sizes, feature names ----------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_floating_host_X_keeps_its_dtype(dtype):
    X, y = blobs()
    model = xpnet.DeepNet(**ADAM, num_iterations=2, tol=None).fit(X.astype(dtype), y)
    assert model.dtype_ == np.dtype(dtype).name
    assert all(p.dtype == dtype for p in model.parameters_.values())
    assert xpnet.DeepNet(**ADAM, num_iterations=2).fit(X.astype(int), y).dtype_ == "float64"
    assert (
        xpnet.DeepNet(**ADAM, num_iterations=2, dtype="float64")
        .fit(X.astype(np.float32), y)
        .dtype_
        == "float64"
    )


def test_float64_data_on_a_device_without_float64_trains_in_its_float():
    X, y = blobs()
    with xpnet.use_backend("array_api_strict", "no_float64"):
        model = xpnet.DeepNet(**ADAM, num_iterations=2, tol=None).fit(X, y)
    assert model.dtype_ == "float32"


def test_one_hidden_layer_as_an_int():
    X, y = blobs()
    model = xpnet.DeepNet(hidden_layer_sizes=5, num_iterations=2, random_state=0).fit(X, y)
    assert model.parameters_["W1"].shape == (5, 4) and "W3" not in model.parameters_
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        xpnet.DeepNet(hidden_layer_sizes=0).fit(X, y)


def test_feature_names_are_kept_and_checked():
    pd = pytest.importorskip("pandas")
    X, y = blobs()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = xpnet.DeepNet(**ADAM, num_iterations=2, tol=None).fit(frame, y)
    assert model.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    model.predict(frame)  # no warning: pytest turns warnings into errors
    with pytest.raises(ValueError, match="same order"):
        model.predict(frame[["b", "a", "c", "d"]])
    with pytest.raises(ValueError, match=r"unseen at fit time: \['e'\]"):
        model.predict(frame.rename(columns={"d": "e"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        model.predict(X)
    plain = xpnet.DeepNet(**ADAM, num_iterations=2, tol=None).fit(X, y)
    assert not hasattr(plain, "feature_names_in_")
    with pytest.warns(UserWarning, match="fitted without feature names"):
        plain.predict(frame)
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.feature_names_in_.tolist() == ["a", "b", "c", "d"]


def test_divergence_is_a_value_error_as_scikit_learns():
    X, y = blobs()
    with pytest.raises(ValueError, match="Training diverged") as caught:
        xpnet.DeepNet(hidden_layer_sizes=(8,), learning_rate=1e300, optimizer="gd").fit(X, y)
    assert isinstance(caught.value, DivergenceError | FloatingPointError)


# -- multilabel targets: K independent sigmoids --------------------------------------


def multilabel(n=120, k=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)
    Y = (X[:, :k] + 0.3 * rng.randn(n, k) > 0).astype(np.int64)
    return X, Y


def test_multilabel_targets_train_independent_sigmoids(backend):
    X, Y = multilabel()
    model = xpnet.DeepNet(**ADAM, num_iterations=60, tol=None).fit(X, Y)
    assert model.output_activation_ == "sigmoid" and model.n_outputs_ == 3
    assert model.classes_.tolist() == [0, 1, 2]
    proba = xpnet.to_numpy(model.predict_proba(X))
    assert proba.shape == (120, 3) and not np.allclose(proba.sum(axis=1), 1)  # independent
    predicted = xpnet.to_numpy(model.predict(X))
    assert predicted.shape == (120, 3) and set(np.unique(predicted)) <= {0, 1}
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    subset = np.mean((predicted == Y).all(axis=1))
    assert model.score(X, Y) == pytest.approx(subset) and subset > 0.7
    rtol = 1e-5 if model.dtype_ == "float32" else 1e-12
    log_proba = xpnet.to_numpy(model.predict_log_proba(X))
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=rtol, atol=1e-7)


def test_two_labels_are_two_sigmoids_not_a_binary_class(tmp_path):
    X, Y = multilabel(k=2)
    model = xpnet.DeepNet(**ADAM, num_iterations=3, tol=None).fit(X, Y)
    assert model.n_outputs_ == 2 and model.predict(X).shape == (120, 2)
    for loaded in (xpnet.load(model.save(tmp_path / "m.npz")), pickle.loads(pickle.dumps(model))):
        assert loaded.n_outputs_ == 2
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_multilabel_early_stopping_and_partial_fit():
    X, Y = multilabel(n=200)
    model = xpnet.DeepNet(**ADAM, early_stopping=True, num_iterations=50).fit(X, Y)
    assert 0 < model.best_validation_score_ <= 1  # subset accuracy on a random split
    pieces = xpnet.DeepNet(**ADAM)
    pieces.partial_fit(X[:100], Y[:100], classes=[0, 1, 2]).partial_fit(X[100:], Y[100:])
    assert pieces.epochs_trained_ == 2
    with pytest.raises(ValueError, match=r"Expected classes= as the labels of the 3 columns"):
        xpnet.DeepNet(**ADAM).partial_fit(X, Y, classes=["a", "b", "c"])


@pytest.mark.parametrize(
    ("Y", "message"),
    [
        (np.full((120, 3), 2), "Expected a multilabel indicator y of 0s and 1s"),
        (np.full((120, 3), np.nan), "Expected a multilabel indicator y of 0s and 1s"),
        (np.zeros((119, 3)), r"Expected y of shape \(120, n_labels\)"),
        (np.array([["a"] * 3] * 120, dtype=object), "Expected a multilabel indicator"),
    ],
)
def test_bad_multilabel_targets_are_refused(Y, message):
    X, _ = multilabel()
    with pytest.raises(ValueError, match=message):
        xpnet.DeepNet(**ADAM).fit(X, Y)


def test_a_multilabel_model_predicts_dask_blocks_lazily():
    da = pytest.importorskip("dask.array")
    X, Y = multilabel()
    model = xpnet.DeepNet(**ADAM, num_iterations=3, tol=None).fit(X, Y)
    lazy = model.predict(da.from_array(X, chunks=50))
    assert isinstance(lazy, da.Array) and lazy.shape == (120, 3)
    np.testing.assert_array_equal(lazy.compute(), model.predict(X))
    with pytest.raises(ValueError, match=r"Expected y of shape \(120,\)"):
        xpnet.DeepNet(**ADAM).fit(da.from_array(X, chunks=50), da.from_array(Y, chunks=50))

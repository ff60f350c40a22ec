"""The estimators on every backend: fitting, predicting, placement, errors, scikit-learn."""

import math

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import backend as xb
from xpnet.datasets import make_blobs, make_planar

FAST = {
    **xpnet.recipes.COURSE_1,
    "learning_rate": 0.5,
    "num_iterations": 30,
    "random_state": 0,
    "initialization": "xavier",
}
MODELS = {
    "logistic": lambda **kw: xpnet.LogisticRegression(**{**FAST, **kw}),
    "two_layer": lambda **kw: xpnet.TwoLayerNet(**{"n_h": 3, **FAST, **kw}),
    "deep": lambda **kw: xpnet.DeepNet(**{"hidden_layer_sizes": (4, 3), **FAST, **kw}),
}


def small_data(n=40, classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    y = (
        (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
        if classes == 2
        else rng.randint(0, classes, n)
    )
    return X, y


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fit_predict_on_host_data(backend, name):
    X, y = small_data()
    model = MODELS[name]().fit(X, y)
    assert model.n_features_in_ == 3
    assert model.backend_ == backend
    assert model.device_ == xb.device_name(backend.device)
    assert model.n_iter_ == 30 and model.cost_iterations_ == [0]
    proba = model.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (40, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    predictions = model.predict(X)
    assert isinstance(predictions, np.ndarray) and predictions.dtype == y.dtype
    np.testing.assert_array_equal(predictions, model.classes_[proba.argmax(axis=1)])
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize("name", sorted(MODELS))
def test_backend_arrays_in_backend_arrays_out(backend, xp, name):
    X, y = small_data()
    Xb, yb = xpnet.asarray(X), xpnet.asarray(y)
    model = MODELS[name]().fit(Xb, yb)
    for out in (
        model.predict(Xb),
        model.predict_proba(Xb),
        model.parameters_["b" if name == "logistic" else "b1"],
    ):
        namespace, device = xb.array_namespace(out)
        assert namespace is xp and device == backend.device
    np.testing.assert_array_equal(xpnet.to_numpy(model.predict(Xb)), model.predict(X))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_parameters_in_the_course_layout(backend, name):
    X, y = small_data()
    model = MODELS[name]().fit(X, y)
    shapes = {k: tuple(v.shape) for k, v in model.parameters_.items()}
    expected = {
        "logistic": {"w": (3, 1), "b": (1, 1)},
        "two_layer": {"W1": (3, 3), "b1": (3, 1), "W2": (1, 3), "b2": (1, 1)},
        "deep": {
            "W1": (4, 3),
            "b1": (4, 1),
            "W2": (3, 4),
            "b2": (3, 1),
            "W3": (1, 3),
            "b3": (1, 1),
        },
    }[name]
    assert shapes == expected


@pytest.mark.parametrize("name", sorted(MODELS))
def test_more_than_two_classes_switch_to_softmax(backend, name):
    X, y = make_blobs(120, centers=3, random_state=0)
    y = np.arange(120) % 3
    model = MODELS[name](cost_every=10).fit(X, y)
    assert model.output_activation_ == "softmax"
    assert model.predict_proba(X).shape == (120, 3)
    assert set(model.predict(X)) <= {0, 1, 2}
    assert model.costs_[-1] < model.costs_[0]


@pytest.mark.parametrize(
    "labels", [["no", "yes"], [False, True], [-3, 7]], ids=["str", "bool", "int"]
)
def test_any_two_labels(labels):
    X, y = small_data()
    named = np.asarray(labels)[y]
    model = xpnet.TwoLayerNet(n_h=3, num_iterations=200, learning_rate=0.5, random_state=0).fit(
        X, named
    )
    assert model.classes_.tolist() == sorted(labels)
    assert model.predict(X).dtype == named.dtype
    assert model.score(X, named) > 0.8


def test_string_labels_and_backend_X(backend):
    X, y = small_data()
    model = xpnet.TwoLayerNet(n_h=3, num_iterations=5, random_state=0).fit(
        X, np.asarray(["a", "b"])[y]
    )
    assert model.predict(X)[0] in ("a", "b")


def test_the_cost_is_read_only_when_recorded(backend):
    X, y = small_data()
    seen = []
    model = MODELS["two_layer"](cost_every=7).fit(X, y, callback=seen.append)
    assert [e.epoch for e in seen] == list(range(30))
    assert [e.epoch for e in seen if e.cost is not None] == model.cost_iterations_
    assert model.cost_iterations_ == [0, 7, 14, 21, 28]
    assert [e.cost for e in seen if e.cost is not None] == model.costs_
    assert all(isinstance(c, float) for c in model.costs_)


def test_warm_start_continues_the_history(backend):
    X, y = small_data()
    once = MODELS["deep"](num_iterations=20, cost_every=5).fit(X, y)
    twice = MODELS["deep"](num_iterations=10, cost_every=5, warm_start=True).fit(X, y).fit(X, y)
    assert twice.n_iter_ == 20 and twice.cost_iterations_ == [0, 5, 10, 15]
    np.testing.assert_allclose(twice.costs_, once.costs_, rtol=1e-6)
    assert_close(twice.parameters_["W1"], once.parameters_["W1"], rtol=1e-6)


def test_one_step_is_identical_on_every_backend(backend, float64):
    """Same seed, same data, float64: one step matches NumPy to 1e-12."""
    X, y = make_planar()
    model = xpnet.TwoLayerNet(num_iterations=1, random_state=2).fit(X, y)
    with xpnet.use_backend("numpy"):
        reference = xpnet.TwoLayerNet(num_iterations=1, random_state=2).fit(X, y)
    for name, value in reference.parameters_.items():
        assert_close(model.parameters_[name], value, rtol=1e-12, atol=1e-15)


@pytest.fixture(scope="module")
def planar_reference():
    with xpnet.use_backend("numpy"):
        return xpnet.TwoLayerNet(random_state=2, cost_every=1000).fit(*make_planar())


@pytest.mark.slow
def test_course_planar_result_on_every_backend(backend, float64, planar_reference):
    """The course's 10,000 steps: 90.75%, the same on every backend, parameters to 1e-4."""
    X, y = make_planar()
    model = xpnet.TwoLayerNet(random_state=2, cost_every=1000).fit(X, y)
    assert model.score(X, y) == 0.9075
    assert model.costs_[0] == pytest.approx(0.693048, abs=1e-6)
    assert model.costs_[-1] == pytest.approx(0.219, abs=2e-3)  # at iteration 9,000
    reference = planar_reference
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    for name, value in reference.parameters_.items():
        # Norm-wise: an entry near zero may differ by more, relative to itself.
        difference = np.linalg.norm(xpnet.to_numpy(model.parameters_[name]) - value)
        assert difference <= 1e-4 * np.linalg.norm(value), name


def test_float32_training_runs_in_float32(backend, xp):
    X, y = small_data()
    model = MODELS["deep"](dtype="float32").fit(X, y)
    assert model.dtype_ == "float32"
    assert all(v.dtype == xp.float32 for v in model.parameters_.values())


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, y, error, message",
    [
        (
            np.zeros(5),
            np.zeros(5),
            ValueError,
            r"Expected a 2-D array X of shape \(n_samples, n_features\)\. Received an array of shape \(5,\)",
        ),
        (
            np.zeros((5, 2)),
            np.zeros(4),
            ValueError,
            r"Expected y of shape \(5,\), one label per row of X\. Received y of shape \(4,\)",
        ),
        (
            np.array([[0.0, np.nan], [1.0, 2.0]]),
            [0, 1],
            ValueError,
            "Expected finite values in X. Received NaN or infinity",
        ),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), [0, 1], ValueError, "Received NaN or infinity"),
        (
            np.zeros((4, 2)),
            [1, 1, 1, 1],
            ValueError,
            r"Expected at least two classes in y\. Received only one: \[1\]",
        ),
        (np.array([["a", "b"]]), [0], TypeError, "Expected numeric X"),
    ],
    ids=["X-1d", "y-length", "nan", "inf", "one-class", "text-X"],
)
def test_bad_training_data(backend, X, y, error, message):
    with pytest.raises(error, match=message):
        xpnet.TwoLayerNet(num_iterations=1).fit(X, y)


@pytest.mark.parametrize(
    "model, message",
    [
        (xpnet.TwoLayerNet(n_h=0), r"Invalid n_h\. Expected a positive integer\. Received: 0"),
        (
            xpnet.TwoLayerNet(learning_rate=-0.1),
            r"Invalid learning_rate\. Expected a positive number\. Received: -0\.1",
        ),
        (
            xpnet.LogisticRegression(num_iterations=0),
            r"Invalid num_iterations\. Expected a positive integer",
        ),
        (
            xpnet.DeepNet(hidden_layer_sizes=(5, 0)),
            r"Invalid hidden_layer_sizes\. Expected a sequence of positive integers",
        ),
        (xpnet.DeepNet(activation="swish"), r"Invalid activation\. Expected one of"),
        (xpnet.TwoLayerNet(initialization="glorot"), r"Invalid initialization"),
        (xpnet.TwoLayerNet(dtype="float16"), r"Invalid dtype"),
    ],
    ids=[
        "n_h",
        "learning_rate",
        "num_iterations",
        "hidden_layer_sizes",
        "activation",
        "init",
        "dtype",
    ],
)
def test_bad_hyperparameters(model, message):
    X, y = small_data()
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_predict_before_fit():
    with pytest.raises(xpnet.NotFittedError, match=r"not fitted yet\. Call fit\(X, y\)"):
        xpnet.TwoLayerNet().predict(np.zeros((2, 2)))


def test_predict_with_the_wrong_number_of_features(backend):
    X, y = small_data()
    model = MODELS["logistic"]().fit(X, y)
    with pytest.raises(
        ValueError, match=r"Expected X with 3 features, as in fit\. Received X with 2 features"
    ):
        model.predict(X[:, :2])


def test_arrays_from_two_backends(backend):
    other = "array_api_strict" if backend.name != "array_api_strict" else "torch"
    try:
        with xpnet.use_backend(other):
            y_other = xpnet.asarray([0, 1, 0, 1])
    except xpnet.BackendUnavailableError as exc:
        pytest.skip(str(exc))
    X = xpnet.asarray(np.eye(4))
    with pytest.raises(TypeError, match="where the model lives"):
        MODELS["logistic"]().fit(X, y_other)


def test_predict_refuses_another_device():
    pytest.importorskip("array_api_strict")
    X, y = small_data()
    with xpnet.use_backend("array_api_strict", "device1"):
        model = MODELS["logistic"]().fit(xpnet.asarray(X), xpnet.asarray(y))
    with xpnet.use_backend("array_api_strict"):
        X_elsewhere = xpnet.asarray(X)
    with pytest.raises(
        TypeError,
        match=r"Expected X on array_api_strict on device1.*Received an array of array_api_strict on CPU_DEVICE",
    ):
        model.predict(X_elsewhere)


@pytest.mark.filterwarnings(
    "ignore::RuntimeWarning"
)  # NumPy's overflow warnings, on the way to inf
def test_divergence_stops_with_advice():
    X, y = small_data()
    model = xpnet.DeepNet(
        (50, 50), learning_rate=1e6, num_iterations=200, cost_every=1, random_state=0
    )
    with pytest.raises(
        FloatingPointError,
        match=r"Training diverged: the cost became (nan|inf).*Try a smaller learning_rate \(now 1000000\.0\)",
    ):
        model.fit(X * 1e3, y)
    assert not hasattr(model, "parameters_")


# -- scikit-learn ---------------------------------------------------------------------


def test_get_set_params_and_repr():
    model = xpnet.TwoLayerNet(n_h=5)
    assert model.get_params()["n_h"] == 5
    assert model.set_params(activation="relu") is model and model.activation == "relu"
    assert repr(model) == "TwoLayerNet(n_h=5, activation='relu')"
    with pytest.raises(ValueError, match=r"Invalid parameter for TwoLayerNet\. Expected one of"):
        model.set_params(hidden=3)


def test_scikit_learn_clone_pipeline_and_grid_search():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone, is_classifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    assert sklearn.__version__
    model = xpnet.TwoLayerNet(n_h=2, num_iterations=300, random_state=0)
    assert is_classifier(model)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    X, y = small_data(90)
    pipeline = make_pipeline(StandardScaler(), model).fit(X, y)
    assert pipeline.score(X, y) > 0.9
    search = GridSearchCV(model, {"n_h": [1, 4]}, cv=3).fit(X, y)
    assert search.best_params_["n_h"] in (1, 4)
    assert math.isfinite(search.best_score_)


def test_no_host_synchronisation_but_the_recorded_costs(monkeypatch):
    """Count every conversion of a device array to a host value during fit."""
    strict = pytest.importorskip("array_api_strict")
    conversions = []
    for method in (
        "__float__",
        "__bool__",
        "__int__",
        "__index__",
        "__array__",
        "__dlpack__",
        "tolist",
    ):
        original = getattr(strict._array_object.Array, method, None)
        if original is not None:

            def counted(self, *args, _original=original, _name=method, **kwargs):
                conversions.append(_name)
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(strict._array_object.Array, method, counted)
    X, y = small_data()
    with xpnet.use_backend("array_api_strict", "device1"):
        Xb, yb = xpnet.asarray(X), xpnet.asarray(y)
        conversions.clear()
        MODELS["deep"](num_iterations=50, cost_every=10).fit(Xb, yb)
    # One check that X is finite, then one float per recorded cost: 0, 10, 20, 30, 40.
    assert conversions == ["__bool__"] + ["__float__"] * 5


def test_progress_bar_on_request_and_silent_otherwise(capsys):
    X, y = small_data()
    MODELS["logistic"](num_iterations=20, progress=True).fit(X, y)
    err = capsys.readouterr().err
    assert "LogisticRegression" in err and "20/20" in err and "cost=" in err
    MODELS["logistic"](num_iterations=20).fit(X, y)  # None: a bar only on a terminal
    MODELS["logistic"](num_iterations=20, progress=False).fit(X, y)
    assert capsys.readouterr().err == ""

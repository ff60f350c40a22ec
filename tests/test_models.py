"""The estimators on every backend: fitting, predicting, placement, errors, pickling."""

import copy
import pickle

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import backend as xb
from xpnet.backend import _adapters as adapters
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
        namespace, device = xb.namespace_and_device(out)
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
    model = MODELS["two_layer"](num_iterations=200).fit(X, named)
    assert model.classes_.tolist() == sorted(labels)
    assert model.predict(X).dtype == named.dtype
    assert model.score(X, named) > 0.8


@pytest.mark.parametrize("labels", [[b"no", b"yes"], np.asarray([b"no", b"yes"])])
def test_bytes_labels_are_refused_with_the_fix(labels):
    X, y = small_data()
    named = np.asarray(labels)[y]
    with pytest.raises(TypeError, match=r"Received bytes: decode them first, e\.g\. y\.astype"):
        MODELS["two_layer"](num_iterations=2).fit(X, named)
    with pytest.raises(TypeError, match="Received bytes"):
        MODELS["two_layer"](num_iterations=2).fit(X, [labels[i] for i in y])


def test_text_labels_with_X_on_a_device(backend):
    """A device holds numbers only: text labels come back as a host array."""
    X, y = small_data()
    model = MODELS["two_layer"](num_iterations=5).fit(X, np.asarray(["a", "b"])[y])
    predicted = model.predict(xpnet.asarray(X))
    assert isinstance(predicted, np.ndarray) and set(predicted) <= {"a", "b"}
    np.testing.assert_array_equal(predicted, model.predict(X))


def test_labels_on_the_device(backend):
    X, y = small_data()
    host = MODELS["deep"]().fit(X, y * 3 + 1)
    on_device = MODELS["deep"]().fit(X, xpnet.asarray(y * 3 + 1))
    assert on_device.classes_.tolist() == host.classes_.tolist() == [1, 4]
    assert_close(on_device.parameters_["W1"], host.parameters_["W1"], rtol=1e-12)


def test_callbacks_see_every_epoch_and_can_stop(backend):
    """Every epoch, on every backend: on JAX too, where a full-batch fit without a
    callback would scan (xpnet.scan)."""
    X, y = small_data()
    seen = []
    model = MODELS["two_layer"](cost_every=7).fit(X, y, callback=seen.append)
    assert [e.epoch for e in seen] == list(range(30))
    assert [e.epoch for e in seen if e.cost is not None] == model.cost_iterations_
    assert model.cost_iterations_ == [0, 7, 14, 21, 28]
    assert [e.cost for e in seen if e.cost is not None] == model.costs_
    assert all(e.model is model for e in seen) and seen[-1].validation_score is None
    stopped = MODELS["two_layer"]().fit(X, y, callback=lambda e: e.epoch == 4)
    assert stopped.n_iter_ == 5 and stopped.stopped_ == "callback"


@pytest.mark.parametrize("early_stopping", [False, True])
def test_parameters_keep_the_course_order_compiled_or_not(backend, early_stopping):
    """A compiled step (JAX's, by default) returns its dicts with their keys sorted."""
    X, y = small_data()
    model = xpnet.DeepNet((3, 2), num_iterations=3, early_stopping=early_stopping, tol=None)
    assert list(model.fit(X, y).parameters_) == ["W1", "b1", "W2", "b2", "W3", "b3"]


def test_a_callback_that_cannot_be_called_is_refused_before_training():
    X, y = small_data()
    model = MODELS["two_layer"]()
    with pytest.raises(TypeError, match=r"Invalid callback\. Expected a function .*callback=3"):
        model.fit(X, y, callback=3)
    assert not hasattr(model, "n_iter_")  # refused before the first epoch


def test_an_interrupted_fit_keeps_its_last_completed_step():
    X, y = small_data()

    def interrupt(event):
        if event.epoch == 9:
            raise KeyboardInterrupt

    with pytest.warns(RuntimeWarning, match="interrupted by the user after 10 epochs"):
        model = MODELS["deep"]().fit(X, y, callback=interrupt)
    assert model.n_iter_ == 10 and model.stopped_ == "interrupted"
    reference = MODELS["deep"](num_iterations=10).fit(X, y)
    assert_close(model.parameters_["W2"], reference.parameters_["W2"], rtol=0)


def test_warm_start_continues_the_history(backend):
    X, y = small_data()
    once = MODELS["deep"](num_iterations=20, cost_every=5).fit(X, y)
    twice = MODELS["deep"](num_iterations=10, cost_every=5, warm_start=True).fit(X, y).fit(X, y)
    assert twice.epochs_trained_ == 20 and twice.cost_iterations_ == [0, 5, 10, 15]
    assert twice.n_iter_ == 10 == len(twice.loss_curve_)  # the last fit's epochs
    np.testing.assert_allclose(twice.costs_, once.costs_, rtol=1e-6)
    assert_close(twice.parameters_["W1"], once.parameters_["W1"], rtol=1e-6)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda X, y: (X[:, :2], y), "X has 2 features, but DeepNet is expecting 3"),
        (lambda X, y: (X, y + 5), r"Expected labels among the classes \[0, 1\]"),
        (lambda X, y: (X * np.nan, y), "Input X contains NaN"),
    ],
    ids=["features", "classes", "nan"],
)
def test_a_failed_warm_start_leaves_the_model_as_it_was(change, message):
    X, y = small_data()
    model = MODELS["deep"](warm_start=True).fit(X, y)
    fitted = model.fitted_
    header, arrays = model.to_state()
    with pytest.raises(ValueError, match=message):
        model.fit(*change(X, y))
    assert model.fitted_ is fitted
    after_header, after_arrays = model.to_state()
    assert after_header == header and after_arrays.keys() == arrays.keys()
    for key, value in arrays.items():
        np.testing.assert_array_equal(after_arrays[key], value, err_msg=key)


@pytest.mark.parametrize(
    "model, message",
    [
        ("deep", "3 features → .* → 1 sigmoid output.*Received .*→ 2 sigmoid output"),
        ("regressor", "3 features → .* → 1 identity output.*Received .*→ 2 identity output"),
        ("sequence", "per step → 1 sigmoid output.*Received .*→ 2 sigmoid output"),
    ],
)
def test_a_warm_start_onto_other_outputs_says_what_differs(model, message):
    """Binary → multilabel, one target → two: the two networks differ in their outputs."""
    X, y = small_data()
    estimator = {
        "deep": lambda: MODELS["deep"](warm_start=True),
        "regressor": lambda: xpnet.DeepRegressor(hidden_layer_sizes=(4,), **FAST, warm_start=True),
        "sequence": lambda: xpnet.SequenceClassifier(n_a=3, num_iterations=2, warm_start=True),
    }[model]()
    X = X.reshape(-1, 3, 1) if model == "sequence" else X
    estimator.fit(X, y)
    with pytest.raises(ValueError, match=f"Invalid warm start of .*Expected .*{message}"):
        estimator.partial_fit(X, np.c_[y, 1 - y])


def test_a_refused_warm_start_names_the_fix_its_call_takes():
    """partial_fit ignores warm_start: its fix is fit; a warm fit's is warm_start=False."""
    X, y = small_data()
    model = xpnet.TwoLayerNet(n_h=3, **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"call fit\(X, y\) to train it afresh"):
        model.set_params(n_h=8).partial_fit(X, y)
    with pytest.raises(ValueError, match="set warm_start=False to train it afresh"):
        model.set_params(warm_start=True).fit(X, y)


def test_one_step_is_identical_on_every_backend(backend, float64):
    """Same seed, same data, float64: one step matches NumPy to 1e-12."""
    X, y = make_planar()
    recipe = {**xpnet.recipes.PLANAR, "num_iterations": 1}
    model = xpnet.TwoLayerNet(**recipe).fit(X, y)
    with xpnet.use_backend("numpy"):
        reference = xpnet.TwoLayerNet(**recipe).fit(X, y)
    for name, value in reference.parameters_.items():
        assert_close(model.parameters_[name], value, rtol=1e-12, atol=1e-15)


def test_float32_training_runs_in_float32(backend, xp):
    X, y = small_data()
    model = MODELS["deep"](dtype="float32").fit(X, y)
    assert model.dtype_ == "float32"
    assert all(v.dtype == xp.float32 for v in model.parameters_.values())


def test_sample_weights_count_as_repeated_examples(backend, float64):
    X, y = small_data(20)
    weights = np.arange(20) % 3  # 0, 1 or 2 copies of each row
    repeated = np.repeat(np.arange(20), weights)
    for optimizer in ("gd", "adam"):
        kw = {"optimizer": optimizer, "l2": 0.1, "learning_rate": 0.1}
        weighted = MODELS["deep"](**kw).fit(X, y, sample_weight=weights)
        copies = MODELS["deep"](**kw).fit(X[repeated], y[repeated])
        for name, value in copies.parameters_.items():
            assert_close(weighted.parameters_[name], value, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(weighted.costs_, copies.costs_, rtol=1e-10)
    unit = MODELS["deep"]().fit(X, y, sample_weight=np.ones(20))
    plain = MODELS["deep"]().fit(X, y)
    assert_close(unit.parameters_["W1"], plain.parameters_["W1"], rtol=1e-12)


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
        (np.array([[0.0, np.nan], [1.0, 2.0]]), [0, 1], ValueError, "Input X contains NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), [0, 1], ValueError, r"contains infinity"),
        (np.zeros((2, 2)), [0.0, np.nan], ValueError, "Input y contains NaN"),
        (np.zeros((2, 2)), [0.0, np.inf], ValueError, "Input y contains infinity"),
        (np.zeros((3, 2)), [0.1, 0.5, 2.0], ValueError, "Unknown label type: continuous"),
        (
            np.zeros((4, 2)),
            [1, 1, 1, 1],
            ValueError,
            r"Expected at least two classes in y\. Received one class: \[1\]",
        ),
        (np.array([["a", "b"]]), [0], TypeError, "Expected numeric X"),
        (np.zeros((2, 2), dtype=complex), [0, 1], ValueError, "Complex data not supported"),
        (np.zeros((0, 3)), [], ValueError, r"0 sample\(s\) \(shape=\(0, 3\)\)"),
        (np.zeros((4, 0)), [0, 1, 0, 1], ValueError, r"0 feature\(s\) \(shape=\(4, 0\)\)"),
        (np.zeros((4, 2)), None, ValueError, "requires y to be passed"),
    ],
    ids=[
        "X-1d",
        "y-length",
        "nan",
        "inf",
        "y-nan",
        "y-inf",
        "continuous-y",
        "one-class",
        "text-X",
        "complex",
        "no-samples",
        "no-features",
        "no-y",
    ],
)
def test_bad_training_data(backend, X, y, error, message):
    with pytest.raises(error, match=message):
        xpnet.TwoLayerNet(num_iterations=1).fit(X, y)


def test_sparse_and_object_inputs():
    sparse = pytest.importorskip("scipy.sparse")
    X, y = small_data()
    with pytest.raises(TypeError, match=r"Sparse data was passed for X.*X\.toarray\(\)"):
        MODELS["logistic"]().fit(sparse.csr_array(X), y)
    numbers_as_objects = MODELS["logistic"]().fit(X.astype(object), y)
    assert_close(
        numbers_as_objects.parameters_["w"], MODELS["logistic"]().fit(X, y).parameters_["w"]
    )


@pytest.mark.parametrize(
    "model, message",
    [
        (
            xpnet.TwoLayerNet(n_h=0),
            r"Invalid n_h\. Expected an int in the range \[1, inf\)\. Received: n_h=0",
        ),
        (
            xpnet.TwoLayerNet(learning_rate=-0.1),
            r"Invalid learning_rate\. Expected a float in the range \(0, inf\)\. "
            r"Received: learning_rate=-0\.1",
        ),
        (
            xpnet.LogisticRegression(num_iterations=0),
            r"Invalid num_iterations\. Expected an int in the range \[1, inf\)\. "
            r"Received: num_iterations=0",
        ),
        (
            xpnet.DeepNet(hidden_layer_sizes=(5, 0)),
            r"Invalid hidden_layer_sizes\. Expected .*a sequence of positive ints",
        ),
        (xpnet.DeepNet(activation="swish"), r"Invalid activation\. Expected one of"),
        (xpnet.TwoLayerNet(initialization="kaiming"), r"Invalid initialization"),
        (xpnet.TwoLayerNet(dtype="float16"), r"Invalid dtype"),
        (xpnet.TwoLayerNet(optimizer="sgd"), r"Invalid optimizer\. Expected one of"),
        (
            xpnet.TwoLayerNet(batch_size=0),
            r"Invalid batch_size\. Expected an int in the range \[1, inf\)",
        ),
        (
            xpnet.TwoLayerNet(keep_prob=0),
            r"Invalid keep_prob\. Expected a float in the range \(0, 1\]",
        ),
        (xpnet.TwoLayerNet(lr_decay="cosine"), r"Invalid lr_decay\. Expected one of"),
        (xpnet.TwoLayerNet(beta1=1.0), r"Invalid beta1\. Expected a float in the range \[0, 1\)"),
    ],
    ids=[
        "n_h",
        "learning_rate",
        "num_iterations",
        "hidden_layer_sizes",
        "activation",
        "init",
        "dtype",
        "optimizer",
        "batch_size",
        "keep_prob",
        "lr_decay",
        "beta1",
    ],
)
def test_bad_hyperparameters(model, message):
    X, y = small_data()
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_predict_before_fit_is_scikit_learns_not_fitted_error():
    with pytest.raises(xpnet.NotFittedError, match=r"not fitted yet\. Call fit\(X, y\)"):
        xpnet.TwoLayerNet().predict(np.zeros((2, 2)))
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    with pytest.raises(sklearn_exceptions.NotFittedError):
        xpnet.DeepNet().predict_proba(np.zeros((2, 2)))


def test_predict_with_the_wrong_number_of_features(backend):
    X, y = small_data()
    model = MODELS["logistic"]().fit(X, y)
    with pytest.raises(
        ValueError, match=r"X has 2 features, but LogisticRegression is expecting 3 features"
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


def test_divergence_stops_with_advice_and_no_warnings():
    """Overflow on the way to inf is reported once, as an error: the suite turns warnings
    into errors, so a NumPy RuntimeWarning would fail this test first."""
    X, y = small_data()
    model = xpnet.DeepNet(
        (50, 50), optimizer="gd", learning_rate=1e6, num_iterations=200, tol=None, random_state=0
    )
    with pytest.raises(
        FloatingPointError,
        match=r"Training diverged: the cost became (nan|inf).*Try a smaller learning_rate \(now 1000000\.0\)",
    ):
        model.fit(X * 1e3, y)
    assert not hasattr(model, "parameters_")


# -- pickling -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODELS))
def test_pickle_deepcopy_and_joblib_round_trip(backend, name, tmp_path):
    X, y = small_data()
    model = MODELS[name](cost_every=10).fit(X, y)
    joblib = pytest.importorskip("joblib")
    joblib.dump(model, tmp_path / "model.joblib")
    for again in (
        pickle.loads(pickle.dumps(model)),
        copy.deepcopy(model),
        joblib.load(tmp_path / "model.joblib"),
    ):
        assert again.backend_ == model.backend_ and again.costs_ == model.costs_
        np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
        np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert pickle.loads(pickle.dumps(xpnet.DeepNet(l2=0.5))).l2 == 0.5


def test_an_unpickled_model_without_its_backend_says_so(monkeypatch):
    pytest.importorskip("array_api_strict")
    X, y = small_data()
    with xpnet.use_backend("array_api_strict"):
        data = pickle.dumps(MODELS["deep"]().fit(X, y))
    real = adapters._import_module

    def no_strict(module):
        if module == "array_api_strict":
            raise ImportError("No module named 'array_api_strict'")
        return real(module)

    monkeypatch.setattr(adapters, "_import_module", no_strict)
    xb._backend._load.cache_clear()
    try:
        model = pickle.loads(data)  # loads: the arrays wait on the host
        with pytest.raises(
            xpnet.BackendUnavailableError,
            match=r"trained on array_api_strict \(CPU_DEVICE\), which is not available here.*"
            r"to_backend\('numpy'\)",
        ):
            model.predict(X)
        moved = model.to_backend("numpy")
        assert moved.predict(X).shape == (40,)
    finally:
        xb._backend._load.cache_clear()


# -- scikit-learn ---------------------------------------------------------------------


def test_get_set_params_and_repr():
    model = xpnet.TwoLayerNet(n_h=5)
    assert model.get_params()["n_h"] == 5
    assert model.set_params(activation="tanh") is model and model.activation == "tanh"
    assert repr(model) == "TwoLayerNet(n_h=5, activation='tanh')"
    with pytest.raises(ValueError, match=r"Invalid parameter for TwoLayerNet\. Expected one of"):
        model.set_params(hidden=3)


def test_scikit_learn_clone_pipeline_and_parallel_grid_search():
    pytest.importorskip("sklearn")
    from sklearn.base import clone, is_classifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = xpnet.TwoLayerNet(n_h=8, learning_rate=0.01, random_state=0)
    assert is_classifier(model)
    copied = clone(model)
    assert copied is not model and copied.get_params() == model.get_params()
    X, y = small_data(90)
    pipeline = make_pipeline(StandardScaler(), model).fit(X, y)
    assert pipeline.score(X, y) > 0.9
    search = GridSearchCV(model, {"n_h": [2, 8]}, cv=3, n_jobs=2).fit(X, y)
    assert search.best_params_["n_h"] in (2, 8) and search.best_score_ > 0.8


def test_no_host_synchronisation_but_the_recorded_costs():
    """Count every conversion of a device array to a host value during fit.

    PyTorch's public ``TorchFunctionMode`` sees each tensor operation, conversions to
    Python numbers and to NumPy included, without patching any class; each one is a
    wait for the device on a GPU. A check or a cost read on every step would show up
    as conversions that grow with the epochs.
    """
    torch = pytest.importorskip("torch")
    to_host = {"__float__", "__bool__", "__int__", "__index__", "item", "tolist"}
    to_host |= {"__array__", "__dlpack__", "numpy", "cpu"}

    class HostConversions(torch.overrides.TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.seen = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            if getattr(func, "__name__", None) in to_host:
                self.seen.append(func.__name__)
            return func(*args, **(kwargs or {}))

    X, y = small_data()
    with xpnet.use_backend("torch", "cpu"):
        Xb, yb = xpnet.asarray(X), xpnet.asarray(y)
        for epochs in (50, 100):
            with HostConversions() as conversions:
                MODELS["deep"](num_iterations=epochs, cost_every=10).fit(Xb, yb)
            # Before the loop: X is finite (one float, its sum), the classes (one move to the host,
            # as a NumPy array). In the loop: one float per recorded cost. After it: the
            # other epochs' losses, in one move (the loss curve), and one bool, whether
            # the trained model's outputs are finite.
            before, after = ["__float__", "cpu", "numpy"], ["cpu", "numpy", "__bool__"]
            assert conversions.seen == before + ["__float__"] * (epochs // 10) + after


def test_progress_bar_on_request_and_silent_otherwise(capsys):
    X, y = small_data()
    MODELS["logistic"](num_iterations=20, progress=True).fit(X, y)
    err = capsys.readouterr().err
    assert "LogisticRegression" in err and "20/20" in err and "epoch" in err and "cost=" in err
    MODELS["logistic"](num_iterations=20).fit(X, y)  # None: a bar only on a terminal
    MODELS["logistic"](num_iterations=20, progress=False).fit(X, y)
    assert capsys.readouterr().err == ""


def test_a_fit_without_a_bar_never_imports_tqdm_auto():
    """In a notebook without ipywidgets, importing tqdm.auto warns: a fit whose bar is off
    (a notebook's default) must not import it."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, xpnet\n"
        "X = np.random.RandomState(0).randn(20, 2); y = (X[:, 0] > 0).astype(int)\n"
        "xpnet.LogisticRegression(num_iterations=2, progress=False).fit(X, y)\n"
        "print('tqdm.auto' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("cls", [xpnet.LogisticRegression, xpnet.TwoLayerNet, xpnet.DeepNet])
def test_one_table_constrains_every_hyperparameter_but_the_seed(cls):
    """The table is the hyperparameters' one check: none of them goes unchecked."""
    assert set(cls._parameter_constraints) == set(cls().get_params()) - {"random_state"}


@pytest.mark.parametrize(
    "params, name",
    [
        ({"num_iterations": 3.0}, "num_iterations"),  # scikit-learn's Interval(Integral, ...)
        ({"batch_size": 32.0}, "batch_size"),
        ({"beta": False}, "beta"),  # a bool is no number
        ({"learning_rate": True}, "learning_rate"),
        ({"jit_compile": 1}, "jit_compile"),
        ({"shuffle": 1}, "shuffle"),
    ],
)
def test_integral_floats_and_booleans_are_refused_in_the_one_form(params, name):
    X, y = small_data()
    model = xpnet.TwoLayerNet(n_h=3, **params)
    value = next(iter(params.values()))
    with pytest.raises(ValueError, match=rf"^Invalid {name}\. Expected .*\. Received: {name}="):
        model.fit(X, y)
    with pytest.raises(TypeError):  # the same refusal, whichever a caller catches
        model.fit(X, y)
    assert "fitted_" not in model.__dict__ and getattr(model, name) is value


def test_x_near_the_float_maximum_is_refused_before_the_arithmetic():
    """Nothing warns on the way (warnings are errors here): the input is refused first."""
    X, y = small_data()
    model = xpnet.DeepNet(hidden_layer_sizes=(5,), num_iterations=3, tol=None, random_state=0)
    model.fit(X, y)
    huge = np.full_like(X, np.finfo(np.float64).max)
    with pytest.raises(ValueError, match="Expected X on a scale the network's arithmetic"):
        model.predict(huge)
    assert model.predict(X * 1e3).shape == (X.shape[0],)  # large, but within reach


def test_finite_x_whose_sum_overflows_is_finite():
    """X's finiteness is one sum: a sum past the float range must not read as NaN in X."""
    X = np.full((4, 2), np.finfo(np.float64).max / 2)
    model = xpnet.LogisticRegression(num_iterations=1, tol=None, learning_rate=1e-300)
    assert model.fit(X, [0, 1, 0, 1]).n_iter_ == 1
    with pytest.raises(ValueError, match="Expected finite values in X"):
        model.fit(np.where(np.eye(4, 2) > 0, np.inf, 1.0), [0, 1, 0, 1])


def test_persistence_is_functions_of_the_fitted_state(tmp_path):
    from xpnet.models import files

    X, y = small_data()
    model = xpnet.TwoLayerNet(n_h=3, num_iterations=5, tol=None).fit(X, y)
    header, arrays = files.to_state(model)
    back = files.from_state(xpnet.TwoLayerNet, header, arrays)
    assert back.get_params() == model.get_params() and back.epochs_trained_ == 5
    assert_close(back.predict_proba(X), model.predict_proba(X))


def test_jax_without_64_bit_integers_predicts_the_labels_it_was_given(tmp_path):
    """JAX's default: int32 indices. Predictions warn of no truncation, and labels the
    device's integers cannot hold come back from the host, whole."""
    pytest.importorskip("jax", reason="jax is not installed (pip install 'jax[cpu]')")
    import os
    import subprocess
    import sys

    code = """if True:
        import warnings
        import numpy as np
        import xpnet
        warnings.simplefilter("error")  # JAX's "int64 ... truncated to int32" included
        X = np.random.RandomState(0).randn(40, 3)
        with xpnet.use_backend("jax") as backend:
            assert backend.xp.__array_namespace_info__().default_dtypes()["indexing"].itemsize == 4
            for y in (np.where(X[:, 0] > 0, 5_000_000_000, 7), X[:, 0] > 0, np.c_[X > 0]):
                model = xpnet.DeepNet((4,), num_iterations=5, tol=None, random_state=0).fit(X, y)
                on_host, on_device = model.predict(X), model.predict(xpnet.asarray(X))
                assert np.array_equal(xpnet.to_numpy(on_device), on_host), (on_device, on_host)
            print(xpnet.metrics.confusion_matrix(y[:, 0], on_host[:, 0]).sum())
    """
    env = {**os.environ, "JAX_ENABLE_X64": "0", "XPNET_CACHE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "40"

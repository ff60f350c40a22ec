"""DeepRegressor: the identity output and the course's J = 1/(2m)·Σ (A − Y)², on every
backend, against hand-written NumPy and scikit-learn's R²."""

import pickle

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet.backend import to_numpy

GD = {"optimizer": "gd", "batch_size": None, "l2": 0.0, "tol": None, "random_state": 0}


def linear_data(n=80, targets=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    W = rng.randn(3, targets)
    Y = X @ W + 0.5 + 0.05 * rng.randn(n, targets)
    return X, (Y[:, 0] if targets == 1 else Y)


def test_one_gradient_step_is_the_courses_equations(backend, float64):
    """No hidden layer: Z = W·X + b, dZ = A − Y, dW = 1/m·dZ·Xᵀ, db = 1/m·Σ dZ, one step."""
    X, y = linear_data()
    model = xpnet.DeepRegressor(
        hidden_layer_sizes=(), learning_rate=0.1, num_iterations=1, initialization="zeros", **GD
    )
    model.fit(backend.put(X), backend.put(y))
    m = X.shape[0]
    A = np.zeros((1, m))  # W = 0, b = 0
    dZ = A - y[None, :]
    W = -0.1 * (dZ @ X / m)
    b = -0.1 * dZ.sum(axis=1, keepdims=True) / m
    assert_close(model.parameters_["W1"], W, rtol=1e-12)
    assert_close(model.parameters_["b1"], b, rtol=1e-12)
    assert model.loss_curve_ == pytest.approx([np.sum(y**2) / (2 * m)], rel=1e-12)


@pytest.mark.parametrize("targets", [1, 2])
def test_fits_one_or_several_targets_on_every_backend(backend, targets):
    X, y = linear_data(targets=targets)
    model = xpnet.DeepRegressor(
        hidden_layer_sizes=(8,), learning_rate=0.05, num_iterations=300, **GD
    )
    model.fit(X, y)
    predicted = model.predict(X)
    assert predicted.shape == y.shape and isinstance(predicted, np.ndarray)
    assert model.n_outputs_ == targets
    assert model.score(X, y) > 0.97
    on_device = model.predict(backend.put(X))
    assert tuple(on_device.shape) == y.shape  # on the model's device
    np.testing.assert_allclose(to_numpy(on_device), predicted, rtol=1e-5, atol=1e-6)


def test_score_is_scikit_learns_r2():
    metrics = pytest.importorskip("sklearn.metrics")
    X, y = linear_data(targets=2)
    model = xpnet.DeepRegressor(hidden_layer_sizes=(4,), num_iterations=5, **GD).fit(X, y)
    w = np.random.RandomState(1).rand(X.shape[0])
    predicted = model.predict(X)
    assert model.score(X, y) == pytest.approx(metrics.r2_score(y, predicted), rel=1e-12)
    assert model.score(X, y, sample_weight=w) == pytest.approx(
        metrics.r2_score(y, predicted, sample_weight=w), rel=1e-12
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_score_refuses_targets_that_fit_refuses(backend, bad):
    X, y = linear_data()
    model = xpnet.DeepRegressor(hidden_layer_sizes=(4,), num_iterations=2, **GD).fit(X, y)
    with pytest.raises(ValueError, match="Expected finite values in y"):
        model.score(X, np.where(np.arange(80) == 3, bad, y))


def test_whole_weights_count_as_repeated_examples(backend, float64):
    X, y = linear_data(n=20)
    weights = np.arange(20) % 3
    options = dict(hidden_layer_sizes=(5,), num_iterations=3, **GD)
    weighted = xpnet.DeepRegressor(**options).fit(X, y, sample_weight=weights)
    repeated = xpnet.DeepRegressor(**options).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    for name, value in weighted.parameters_.items():
        assert_close(value, to_numpy(repeated.parameters_[name]), rtol=1e-10, atol=1e-12)


def test_early_stopping_watches_r2():
    X, y = linear_data(n=200)
    model = xpnet.DeepRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, random_state=0, learning_rate=0.05
    ).fit(X, y)
    assert model.stopped_ == "converged"
    assert max(model.validation_scores_) == model.best_validation_score_ > 0.9
    assert model.best_loss_ is None  # scikit-learn's: a validation score, not a loss


def test_partial_fit_one_epoch_a_piece():
    X, y = linear_data()
    model = xpnet.DeepRegressor(hidden_layer_sizes=(4,), **GD)
    for _ in range(3):
        model.partial_fit(X, y)
    assert model.n_iter_ == 1 and model.epochs_trained_ == 3


def test_saved_and_pickled_models_predict_the_same(backend, tmp_path):
    X, y = linear_data(targets=2)
    model = xpnet.DeepRegressor(hidden_layer_sizes=(4,), num_iterations=3, **GD).fit(X, y)
    for loaded in (
        xpnet.load(model.save(tmp_path / "r.npz")),
        pickle.loads(pickle.dumps(model)),
    ):
        assert type(loaded) is xpnet.DeepRegressor and loaded.n_outputs_ == 2
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.full(80, np.nan), "Expected finite values in y"),
        (np.array(["a"] * 80, dtype=object), "Expected numeric targets in y"),
        (np.zeros((80, 0)), r"Expected y of shape \(80,\) or \(80, n_targets\)"),
        (np.zeros(79), r"Expected y of shape \(80,\)"),
        (None, "requires y to be passed"),
    ],
)
def test_bad_targets_are_refused_clearly(y, message):
    X, _ = linear_data()
    with pytest.raises(ValueError, match=message):
        xpnet.DeepRegressor().fit(X, y)


def test_targets_on_a_device_are_checked_there():
    X, y = linear_data()
    with xpnet.use_backend("array_api_strict", "device1") as b:
        bad = b.put(np.where(np.arange(80) == 3, np.inf, y))
        with pytest.raises(ValueError, match="Expected finite values in y"):
            xpnet.DeepRegressor().fit(b.put(X), bad)


def test_the_regressor_starts_from_glorot_and_the_classifiers_from_pytorch():
    """The defaults that benchmarks/initialization chose: Glorot's draw learned
    regression faster under every optimiser, PyTorch's start classification."""
    assert xpnet.DeepRegressor().initialization == "glorot"
    assert xpnet.DeepRegressor((6,)).hidden_layer_sizes == (6,)  # still positional
    assert xpnet.DeepNet().initialization == "pytorch"

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet.course import initialize_parameters
from xpnet.initializers import check_random_state, draw_layer, draw_weights


def test_shapes_and_zero_biases(backend, xp):
    parameters = initialize_parameters([5, 4, 3, 1], "he", random_state=0)
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    shapes = {k: tuple(v.shape) for k, v in parameters.items()}
    assert shapes == {
        "W1": (4, 5),
        "b1": (4, 1),
        "W2": (3, 4),
        "b2": (3, 1),
        "W3": (1, 3),
        "b3": (1, 1),
    }
    assert all(v.dtype == backend.dtype for v in parameters.values())
    assert_close(parameters["b2"], np.zeros((3, 1)))


def test_seed_reproduces_the_course_weights_on_every_backend(backend, float64):
    """The course's planar model: RandomState(2), W1 then W2, randn · 0.01."""
    rng = np.random.RandomState(2)
    W1, W2 = rng.randn(4, 2) * 0.01, rng.randn(1, 4) * 0.01
    parameters = initialize_parameters([2, 4, 1], "normal", scale=0.01, random_state=2)
    assert_close(parameters["W1"], W1, rtol=0)
    assert_close(parameters["W2"], W2, rtol=0)


def test_xavier_is_the_course_deep_initialisation(backend, float64):
    rng = np.random.RandomState(1)
    expected = [rng.randn(7, 12) / np.sqrt(12), rng.randn(1, 7) / np.sqrt(7)]
    parameters = initialize_parameters([12, 7, 1], "xavier", random_state=1)
    assert_close(parameters["W1"], expected[0], rtol=0)
    assert_close(parameters["W2"], expected[1], rtol=0)


def test_he_and_zeros():
    rng = np.random.RandomState(3)
    he = initialize_parameters([6, 2], "he", random_state=3)["W1"]
    np.testing.assert_array_equal(he, rng.randn(2, 6) * np.sqrt(2 / 6))
    assert not np.any(initialize_parameters([6, 2], "zeros")["W1"])


def test_generator_and_randomstate_are_accepted():
    g = initialize_parameters([3, 2], random_state=np.random.default_rng(0))["W1"]
    np.testing.assert_array_equal(g, np.random.default_rng(0).standard_normal((2, 3)) / np.sqrt(3))
    r = initialize_parameters([3, 2], random_state=np.random.RandomState(0))["W1"]
    np.testing.assert_array_equal(r, np.random.RandomState(0).randn(2, 3) / np.sqrt(3))


def test_check_random_state_refuses_other_seeds():
    with pytest.raises(TypeError, match=r"Invalid random_state\..*Received: random_state='1'"):
        check_random_state("1")
    with pytest.raises(TypeError):
        check_random_state(True)


@pytest.mark.parametrize("dims", [[3], [3, 0, 1], []])
def test_bad_layer_dims(dims):
    with pytest.raises(ValueError, match="Invalid layer_dims"):
        initialize_parameters(dims)


def test_unknown_method():
    with pytest.raises(ValueError, match=r"Invalid initialization\. Expected one of"):
        initialize_parameters([2, 1], "kaiming")


def test_glorot_is_scikit_learns_uniform_start(backend, float64):
    parameters = initialize_parameters([30, 20, 1], "glorot", random_state=0)
    rng = np.random.RandomState(0)
    bound = np.sqrt(6 / 50)
    assert_close(parameters["W1"], rng.uniform(-bound, bound, (20, 30)), rtol=0)
    W2 = xpnet.to_numpy(parameters["W2"])
    assert np.abs(W2).max() <= np.sqrt(6 / 21)


#: Each named start's standard deviation for W of shape (n, n_prev), by its formula.
STD = {
    "xavier": lambda n, n_prev: 1 / np.sqrt(n_prev),
    "he": lambda n, n_prev: np.sqrt(2 / n_prev),
    "he_normal": lambda n, n_prev: np.sqrt(2 / n_prev),
    "he_uniform": lambda n, n_prev: np.sqrt(6 / n_prev) / np.sqrt(3),
    "glorot": lambda n, n_prev: np.sqrt(6 / (n + n_prev)) / np.sqrt(3),
    "glorot_uniform": lambda n, n_prev: np.sqrt(6 / (n + n_prev)) / np.sqrt(3),
    "glorot_normal": lambda n, n_prev: np.sqrt(2 / (n + n_prev)),
    "pytorch": lambda n, n_prev: 1 / np.sqrt(3 * n_prev),
}


@pytest.mark.parametrize("method", sorted(STD))
def test_named_starts_have_their_documented_scale(method):
    W, b = draw_layer(np.random.RandomState(0), (300, 500), method, 0.01)
    assert W.shape == (300, 500) and b.shape == (300, 1)
    assert W.std() == pytest.approx(STD[method](300, 500), rel=0.01)
    assert abs(W.mean()) < 0.01 * W.std()
    if method == "pytorch":  # nn.Linear draws its biases too, from U(±1/√n_prev)
        assert 0 < np.abs(b).max() <= 1 / np.sqrt(500)
        assert b.std() == pytest.approx(1 / np.sqrt(3 * 500), rel=0.15)
    else:
        assert not b.any()


@pytest.mark.parametrize("method", ["random", "xavier", "he", "glorot"])
def test_the_layer_draw_keeps_the_courses_weights(method):
    """Drawing biases for some starts leaves the others' weights bit for bit."""
    W, _ = draw_layer(np.random.RandomState(1), (7, 12), method, 0.01)
    np.testing.assert_array_equal(W, draw_weights(np.random.RandomState(1), (7, 12), method, 0.01))


def test_the_estimators_draw_pytorch_biases(backend):
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 4), rng.rand(30) > 0.5
    model = xpnet.DeepNet((5,), initialization="pytorch", num_iterations=1, random_state=0)
    model.set_params(learning_rate=1e-12).fit(X, y)
    b1 = xpnet.to_numpy(model.parameters_["b1"])
    assert np.abs(b1).min() > 1e-6 and np.abs(b1).max() <= 0.5

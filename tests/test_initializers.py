import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet.course import initialize_parameters
from xpnet.initializers import check_random_state


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

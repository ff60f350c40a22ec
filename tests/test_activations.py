import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import activations as act

Z_HOST = np.array([[-1000.0, -30.0, -2.5, -1e-3, 0.0], [1e-3, 0.7, 3.0, 30.0, 1000.0]])
REFERENCE = {  # float64 on the host, written plainly
    "sigmoid": lambda z: np.exp(-np.logaddexp(0, -z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "identity": lambda z: z,
}


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_activation_matches_reference(backend, put, name):
    g = act.get_activation(name)
    A = g.fn(put(Z_HOST))
    assert A.dtype == backend.dtype
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-6
    assert_close(A, REFERENCE[name](Z_HOST), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_derivative_through_A_matches_finite_differences(backend, put, float64, name):
    """g'(Z), computed from A = g(Z), against (g(Z + ε) − g(Z − ε)) / 2ε."""
    g = act.get_activation(name)
    Z_host = np.linspace(-4, 4, 40).reshape(4, 10) + 0.013  # no point at the kink z = 0
    Z, eps = put(Z_host), 1e-6
    approx = (g.fn(Z + eps) - g.fn(Z - eps)) / (2 * eps)
    assert_close(g.derivative(A=g.fn(Z)), approx, rtol=1e-7, atol=1e-9)


def test_sigmoid_is_stable_at_1000(backend, xp, put):
    A = act.sigmoid(put([[-1000.0, 1000.0]]))  # warnings are errors: no overflow either
    # σ(−1000) = e^(−1000) is below the smallest normal float: 0 to within it.
    assert_close(A, [[0.0, 1.0]], atol=2 * float(xp.finfo(A.dtype).smallest_normal))
    assert bool(xp.all(xp.isfinite(A)))


def test_relu_derivatives_at_the_kink(backend, put):
    Z = put([[-1.0, 0.0, 2.0]])
    assert_close(act.relu_derivative(A=act.relu(Z)), [[0.0, 0.0, 1.0]])  # 0 at Z = 0
    assert_close(act.leaky_relu_derivative(A=act.leaky_relu(Z)), [[0.01, 0.01, 1.0]], rtol=1e-6)


def test_softmax_columns_sum_to_one_and_stay_finite(backend, xp, put):
    Z_host = np.array([[1000.0, -1000.0, 1.0], [0.0, -999.0, 2.0], [-1000.0, -1000.0, 3.0]])
    A = act.softmax(put(Z_host))
    shifted = np.exp(Z_host - Z_host.max(axis=0))
    expected = shifted / shifted.sum(axis=0)
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-6
    assert_close(A, expected, rtol=tol, atol=tol)
    assert_close(xp.sum(A, axis=0), np.ones(3), rtol=tol)


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(
        ValueError,
        match=r"Invalid activation\. Expected one of \['identity', 'leaky_relu', 'relu', 'sigmoid', 'tanh'\]\. Received: activation='swish'",
    ):
        act.get_activation("swish")


def test_derivatives_take_A_by_name_only():
    """g'(Z) is computed from A = g(Z): passing an array by position is refused."""
    A = np.asarray([0.5, 0.9])
    with pytest.raises(TypeError, match="positional"):
        act.sigmoid_derivative(A)
    np.testing.assert_allclose(act.sigmoid_derivative(A=A), A * (1 - A))


def test_the_course_calls_with_numbers_and_integers(backend, xp):
    assert float(act.sigmoid(0)) == 0.5
    assert float(act.sigmoid(1)) == pytest.approx(0.7310585786300049, rel=1e-6)
    Z = xpnet.asarray(np.asarray([[0, 2]]))  # an integer array, as the course passes
    assert_close(act.sigmoid(Z), 1 / (1 + np.exp(-np.asarray([[0.0, 2.0]]))), rtol=1e-6)
    assert_close(act.relu(Z), np.asarray([[0.0, 2.0]]))

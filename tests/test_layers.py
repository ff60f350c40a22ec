"""The functional layer: building blocks, the L-layer network, and gradient checks."""

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import activations, course, gradcheck, layers
from xpnet.course import initialize_parameters

HIDDEN = sorted(activations.ACTIVATIONS)


def data(put, n_x=3, m=7, K=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    labels = rng.randint(0, max(K, 2), m)
    Y = (labels == 1)[None, :] * 1.0 if K == 1 else np.eye(K)[:, labels]
    return put(X), put(Y)


def test_linear_forward_is_W_A_plus_b(backend, put):
    rng = np.random.RandomState(0)
    A, W, b = rng.randn(3, 5), rng.randn(2, 3), rng.randn(2, 1)
    Z, cache = layers.linear_forward(put(A), put(W), put(b))
    assert_close(Z, W @ A + b, rtol=1e-6)
    assert_close(cache.W, W, rtol=1e-6)


def test_linear_backward_matches_the_course_equations(backend, put):
    rng = np.random.RandomState(1)
    A, W, b, dZ = rng.randn(3, 5), rng.randn(2, 3), rng.randn(2, 1), rng.randn(2, 5)
    cache = layers.LinearCache(put(A), put(W), put(b))
    dA_prev, dW, db = layers.linear_backward(put(dZ), cache)
    assert_close(dW, dZ @ A.T / 5, rtol=1e-6)
    assert_close(db, dZ.sum(axis=1, keepdims=True) / 5, rtol=1e-6)
    assert_close(dA_prev, W.T @ dZ, rtol=1e-6)
    assert layers.linear_backward(put(dZ), cache, need_dA_prev=False)[0] is None


@pytest.mark.parametrize("activation", [*HIDDEN, "softmax"])
def test_linear_activation_forward_applies_g(backend, put, activation):
    X, _ = data(put)
    parameters = initialize_parameters([3, 4], random_state=0)
    A, cache = layers.linear_activation_forward(X, parameters["W1"], parameters["b1"], activation)
    g = (
        activations.softmax
        if activation == "softmax"
        else activations.get_activation(activation).fn
    )
    assert_close(A, g(cache.Z), rtol=0)
    assert tuple(A.shape) == (4, 7)


def cost_of(forward, X, Y, output):
    return lambda parameters: course.compute_cost(forward(parameters), Y, output)


@pytest.mark.parametrize("output,K", [("sigmoid", 1), ("softmax", 3)])
@pytest.mark.parametrize("activation", HIDDEN)
def test_L_layer_backprop_passes_gradient_check(backend, put, float64, activation, output, K):
    X, Y = data(put, n_x=3, m=6, K=K)
    parameters = initialize_parameters([3, 4, 3, K], "xavier", random_state=1)
    AL, caches = course.L_model_forward(X, parameters, activation, output)
    grads = course.L_model_backward(AL, Y, caches, activation)

    def logits(params):
        return course.L_model_forward(X, params, activation, output)[1][-1].Z

    difference = gradcheck.gradient_check(cost_of(logits, X, Y, output), parameters, grads)
    assert difference < 1e-7


@pytest.mark.parametrize("output,K", [("sigmoid", 1), ("softmax", 3)])
@pytest.mark.parametrize("activation", HIDDEN)
def test_two_layer_backprop_passes_gradient_check(backend, put, float64, activation, output, K):
    X, Y = data(put, n_x=2, m=8, K=K, seed=2)
    parameters = initialize_parameters([2, 3, K], "xavier", random_state=2)
    _, cache = course.forward_propagation(X, parameters, activation, output)
    grads = course.backward_propagation(parameters, cache, X, Y, activation)

    def logits(params):
        return course.forward_propagation(X, params, activation, output)[1]["Z2"]

    assert gradcheck.gradient_check(cost_of(logits, X, Y, output), parameters, grads) < 1e-7


@pytest.mark.parametrize("output,K", [("sigmoid", 1), ("softmax", 3)])
def test_logistic_backprop_passes_gradient_check(backend, put, float64, output, K):
    X, Y = data(put, n_x=4, m=9, K=K, seed=3)
    W = initialize_parameters([4, K], "normal", scale=0.5, random_state=3)
    parameters = {"w": W["W1"].T, "b": W["b1"] + 0.1}
    grads, _ = course.propagate(parameters["w"], parameters["b"], X, Y, output)

    def cost(params):
        return course.propagate(params["w"], params["b"], X, Y, output)[1]

    assert gradcheck.gradient_check(cost, parameters, grads) < 1e-7


def test_two_layer_backprop_equals_the_L_layer_one(backend, put):
    """Week 3's explicit equations and week 4's loop are the same mathematics."""
    X, Y = data(put, n_x=2, m=8, seed=4)
    parameters = initialize_parameters([2, 3, 1], "xavier", random_state=4)
    A2, cache = course.forward_propagation(X, parameters, "tanh")
    explicit = course.backward_propagation(parameters, cache, X, Y, "tanh")
    AL, caches = course.L_model_forward(X, parameters, "tanh")
    assert caches[0].Z is None and caches[-1].Z is not None  # hidden Z let go; logits kept
    looped = course.L_model_backward(AL, Y, caches, "tanh")
    assert_close(A2, AL, rtol=0)
    for name in ("dW1", "db1", "dW2", "db2"):
        assert_close(explicit[name], looped[name], rtol=1e-6, atol=1e-12)


def test_gradient_check_catches_a_wrong_gradient(backend, put, float64):
    X, Y = data(put)
    parameters = initialize_parameters([3, 2, 1], "xavier", random_state=5)
    AL, caches = course.L_model_forward(X, parameters)
    grads = course.L_model_backward(AL, Y, caches)
    assert set(grads) == {"dW1", "db1", "dW2", "db2"}  # the dA's are not kept
    grads["dW1"] = grads["dW1"] * 1.01

    def logits(params):
        return course.L_model_forward(X, params)[1][-1].Z

    assert gradcheck.gradient_check(cost_of(logits, X, Y, "sigmoid"), parameters, grads) > 1e-4


def test_gradient_check_in_float32_on_devices_without_float64(backend, put):
    """Where float64 is missing the check still runs, with float32's tolerance."""
    X, Y = data(put)
    parameters = initialize_parameters([3, 2, 1], "xavier", random_state=5)
    AL, caches = course.L_model_forward(X, parameters, "tanh")
    grads = course.L_model_backward(AL, Y, caches, "tanh")

    def logits(params):
        return course.L_model_forward(X, params, "tanh")[1][-1].Z

    cost = cost_of(logits, X, Y, "sigmoid")
    f64 = backend.dtype == backend.xp.float64
    difference = gradcheck.gradient_check(cost, parameters, grads, epsilon=1e-7 if f64 else 1e-2)
    assert difference < (1e-7 if f64 else 1e-2)


def test_update_parameters_is_gradient_descent(backend, put):
    parameters = {"W1": put([[1.0, 2.0]]), "b1": put([[0.5]])}
    grads = {"dW1": put([[0.5, -1.0]]), "db1": put([[1.0]]), "dA1": put([[9.0]])}
    updated = course.update_parameters(parameters, grads, 0.1)
    assert set(updated) == {"W1", "b1"}
    assert_close(updated["W1"], [[0.95, 2.1]], rtol=1e-6)
    assert_close(updated["b1"], [[0.4]], rtol=1e-6)


@pytest.mark.parametrize("labels", ["int", "bool"])
def test_the_course_functions_take_integer_or_boolean_labels(backend, put, labels):
    X, Y = data(put, n_x=3, m=7)
    Y_host = xpnet.to_numpy(Y).astype(np.int64 if labels == "int" else bool)
    Y_given = xpnet.asarray(Y_host)
    w, b = put(np.full((3, 1), 0.1)), put(np.zeros((1, 1)))
    grads, cost = course.propagate(w, b, X, Y_given)
    expected, expected_cost = course.propagate(w, b, X, Y)
    assert_close(grads["dw"], expected["dw"], rtol=1e-12)
    assert float(cost) == pytest.approx(float(expected_cost), rel=1e-12)
    parameters = initialize_parameters([3, 2, 1], "xavier", random_state=0)
    _, cache = course.forward_propagation(X, parameters)
    assert_close(
        course.backward_propagation(parameters, cache, X, Y_given)["dW1"],
        course.backward_propagation(parameters, cache, X, Y)["dW1"],
        rtol=1e-12,
    )


def test_an_unknown_output_is_an_error_not_a_softmax(backend, put):
    X, _ = data(put)
    parameters = initialize_parameters([3, 2, 1], "xavier", random_state=0)
    with pytest.raises(
        ValueError, match=r"Invalid output\. Expected one of \['identity', 'sigmoid', 'softmax'\]"
    ):
        course.forward_propagation(X, parameters, "tanh", "linear")
    with pytest.raises(ValueError, match=r"Invalid output"):
        course.L_model_forward(X, parameters, "relu", "linear")

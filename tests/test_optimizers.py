"""The optimisers against the course's own update formulas, on every backend."""

import numpy as np
import pytest

from conftest import assert_close
from xpnet import course
from xpnet import optimizers as opt


def params_and_grads(seed=0):
    rng = np.random.RandomState(seed)
    P = {
        "W1": rng.randn(3, 2),
        "b1": rng.randn(3, 1),
        "W2": rng.randn(1, 3),
        "b2": rng.randn(1, 1),
    }
    G = {"d" + k: rng.randn(*v.shape) for k, v in P.items()}
    return P, G


def on(put, d):
    return {k: put(v) for k, v in d.items()}


def course_momentum(P, G, v, beta, lr):
    """The course's update_parameters_with_momentum, written as its notebook writes it."""
    P, v = dict(P), dict(v)
    for k in P:
        v["d" + k] = beta * v["d" + k] + (1 - beta) * G["d" + k]
        P[k] = P[k] - lr * v["d" + k]
    return P, v


def course_adam(P, G, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """The course's update_parameters_with_adam."""
    P, v, s = dict(P), dict(v), dict(s)
    for k in P:
        d = "d" + k
        v[d] = beta1 * v[d] + (1 - beta1) * G[d]
        v_corrected = v[d] / (1 - np.power(beta1, t))
        s[d] = beta2 * s[d] + (1 - beta2) * np.power(G[d], 2)
        s_corrected = s[d] / (1 - np.power(beta2, t))
        P[k] = P[k] - lr * v_corrected / (np.sqrt(s_corrected) + eps)
    return P, v, s


def test_gradient_descent(backend, put, float64):
    P, G = params_and_grads()
    new = course.update_parameters(on(put, P), on(put, G), 0.1)
    for k in P:
        assert_close(new[k], P[k] - 0.1 * G["d" + k], rtol=1e-12)


def test_momentum_is_the_courses(backend, put, float64):
    P, G = params_and_grads()
    zeros = {"d" + k: np.zeros_like(v) for k, v in P.items()}
    expected, v_expected = course_momentum(P, G, zeros, 0.9, 0.01)
    expected, v_expected = course_momentum(expected, G, v_expected, 0.9, 0.01)
    state = opt.Momentum(0.9).init(on(put, P))
    params = on(put, P)
    for _ in range(2):
        params, state = opt.Momentum(0.9).update(params, on(put, G), state, 0.01)
    for k in P:
        assert_close(params[k], expected[k], rtol=1e-12)
        assert_close(state["v"]["d" + k], v_expected["d" + k], rtol=1e-12)
    v = course.initialize_velocity(on(put, P))
    again, v = course.update_parameters_with_momentum(on(put, P), on(put, G), v, 0.9, 0.01)
    assert_close(again["W1"], course_momentum(P, G, zeros, 0.9, 0.01)[0]["W1"], rtol=1e-12)


def test_adam_is_the_courses_and_counts_from_one(backend, put, float64):
    P, G = params_and_grads()
    zeros = {"d" + k: np.zeros_like(v) for k, v in P.items()}
    expected, v, s = P, zeros, zeros
    for t in (1, 2, 3):
        expected, v, s = course_adam(expected, G, v, s, t, 0.01)
    adam = opt.Adam()
    params = on(put, P)
    state = adam.init(params)
    assert state["t"] == 0
    for _ in range(3):
        params, state = adam.update(params, on(put, G), state, 0.01)
    assert state["t"] == 3  # t counts updates from 1 and never resets
    for k in P:
        assert_close(params[k], expected[k], rtol=1e-12)
        assert_close(state["s"]["d" + k], s["d" + k], rtol=1e-12)
    v0, s0 = course.initialize_adam(on(put, P))
    stepped = course.update_parameters_with_adam(on(put, P), on(put, G), v0, s0, 1, 0.01)
    assert_close(stepped[0]["b2"], course_adam(P, G, zeros, zeros, 1, 0.01)[0]["b2"], rtol=1e-12)


def test_rmsprop(backend, put, float64):
    P, G = params_and_grads()
    rms = opt.RMSprop(beta=0.9, epsilon=1e-8)
    params, _ = rms.update(on(put, P), on(put, G), rms.init(on(put, P)), 0.01)
    for k in P:
        g = G["d" + k]
        s = 0.1 * g * g
        assert_close(params[k], P[k] - 0.01 * g / (np.sqrt(s) + 1e-8), rtol=1e-12)


def test_optimizer_state_stays_on_the_parameters_device(backend, put, xp):
    from xpnet.backend import namespace_and_device

    P, G = params_and_grads()
    params, state = opt.Adam().update(on(put, P), on(put, G), opt.Adam().init(on(put, P)), 0.1)
    for array in (*params.values(), *state["v"].values(), *state["s"].values()):
        namespace, device = namespace_and_device(array)
        assert namespace is xp and device == backend.device and array.dtype == backend.dtype


def test_unknown_optimizer():
    with pytest.raises(ValueError, match=r"Invalid optimizer\. Expected one of .*'adam'"):
        opt.get_optimizer("sgd")
    with pytest.raises(ValueError, match=r"Invalid optimizer\. Expected one of .*'adam'"):
        opt.state_keys("sgd")


def test_get_optimizer_gives_each_the_hyperparameters_it_takes():
    given = {"beta": 0.5, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}
    assert opt.get_optimizer("gd", **given) == opt.GradientDescent()
    assert opt.get_optimizer("momentum", **given) == opt.Momentum(beta=0.5)
    assert opt.get_optimizer("rmsprop", **given) == opt.RMSprop(beta=0.5, epsilon=1e-6)
    assert opt.get_optimizer("adam", **given) == opt.Adam(beta1=0.8, beta2=0.99, epsilon=1e-6)
    assert opt.get_optimizer("adam") == opt.Adam()


@pytest.mark.parametrize(
    "name,keys",
    [("gd", set()), ("momentum", {"v"}), ("rmsprop", {"s"}), ("adam", {"v", "s", "t"})],
)
def test_state_keys_are_the_keys_init_makes(name, keys):
    P, _ = params_and_grads()
    assert opt.state_keys(name) == keys == set(opt.get_optimizer(name).init(P))

"""The optimisers against the course's own update formulas, on every backend."""

import copy
import pickle

import numpy as np
import pytest
from array_api_compat import is_writeable_array

import xpnet
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
    decayed = opt.get_optimizer("adamw", **given, weight_decay=0.5)
    assert decayed == opt.AdamW(beta1=0.8, beta2=0.99, epsilon=1e-6, weight_decay=0.5)


@pytest.mark.parametrize(
    "name,keys",
    [
        ("gd", set()),
        ("momentum", {"v"}),
        ("rmsprop", {"s"}),
        ("adam", {"v", "s", "t"}),
        ("adamw", {"v", "s", "t"}),
    ],
)
def test_state_keys_are_the_keys_init_makes(name, keys):
    P, _ = params_and_grads()
    assert opt.state_keys(name) == keys == set(opt.get_optimizer(name).init(P))


# -- updating in place: only what the caller alone holds ----------------------------


def host(tree):
    """A host copy of a dict (of dicts) of arrays."""
    return {
        k: host(a) if isinstance(a, dict) else a if np.isscalar(a) else xpnet.to_numpy(a).copy()
        for k, a in tree.items()
    }


def assert_same(tree, expected):
    for k, a in expected.items():
        if isinstance(a, dict):
            assert_same(tree[k], a)
        else:
            np.testing.assert_array_equal(xpnet.to_numpy(tree[k]), a)


def three_updates(optimizer, params, G, state, *, in_place):
    for _ in range(3):
        params, state = optimizer.update(params, G, state, 0.01, in_place=in_place)
    return params, state


@pytest.mark.parametrize("name", sorted(opt.OPTIMIZERS))
def test_an_update_leaves_its_inputs_and_gives_the_same_result_twice(backend, put, name):
    P, G = params_and_grads()
    optimizer = opt.get_optimizer(name, weight_decay=0.1)
    params, grads = on(put, P), on(put, G)
    state = three_updates(optimizer, params, grads, optimizer.init(params), in_place=False)[1]
    before = host({"params": params, "grads": grads, "state": state})
    first = optimizer.update(params, grads, state, 0.01)
    second = optimizer.update(params, grads, state, 0.01)
    assert_same({"params": params, "grads": grads, "state": state}, before)
    assert_same(dict(zip("PS", second, strict=True)), host(dict(zip("PS", first, strict=True))))


@pytest.mark.parametrize("name", sorted(opt.OPTIMIZERS))
def test_in_place_writes_into_owned_copies_and_equals_the_pure_update(backend, put, name):
    P, G = params_and_grads()
    optimizer = opt.get_optimizer(name, weight_decay=0.1)
    params, grads = on(put, P), on(put, G)
    state = optimizer.init(params)
    pure = three_updates(optimizer, params, grads, state, in_place=False)
    held = host({"params": params, "state": state})
    mine = opt.owned({"params": params, "state": state})
    new, new_state = three_updates(optimizer, mine["params"], grads, mine["state"], in_place=True)
    assert_same({"params": params, "state": state}, held)  # the originals are untouched
    assert_same(
        {"params": new, "state": new_state},
        host(dict(zip(("params", "state"), pure, strict=True))),
    )
    for k, W in mine["params"].items():  # written into, where the library allows it
        assert (new[k] is W) == is_writeable_array(W)


def test_in_place_leaves_arrays_that_cannot_be_written():
    P, G = params_and_grads()
    for W in P.values():
        W.flags.writeable = False
    new, _ = opt.Adam().update(P, G, opt.Adam().init(P), 0.01, in_place=True)
    assert all(new[k] is not P[k] for k in P)
    assert_close(new["W1"], opt.Adam().update(P, G, opt.Adam().init(P), 0.01)[0]["W1"])


def test_owned_copies_arrays_and_keeps_numbers():
    P, _ = params_and_grads()
    state = {"v": P, "t": 3}
    copied = opt.owned(state)
    assert copied["t"] == 3 and copied["v"] is not P
    assert all(copied["v"][k] is not P[k] for k in P)
    assert_same(copied, host(state))


def test_scaled_add(backend, put):
    x, y = put(np.array([1.0, 2.0])), put(np.array([10.0, 20.0]))
    assert_close(opt.scaled_add(x, y, scale=0.5), np.array([10.5, 21.0]))
    assert_close(x, np.array([1.0, 2.0]))  # a new array by default
    z = opt.scaled_add(x, y, in_place=True)
    assert_close(z, np.array([11.0, 22.0]))
    assert (z is x) == is_writeable_array(x)


def test_the_courses_updates_leave_the_callers_dicts(backend, put):
    P, G = params_and_grads()
    params, grads = on(put, P), on(put, G)
    v = on(put, {k: np.full(a.shape, 0.5) for k, a in G.items()})
    s = on(put, {k: a * a for k, a in G.items()})
    before = host({"P": params, "G": grads, "v": v, "s": s})
    new, v2, _ = course.update_parameters_with_adam(params, grads, v, s, 2, 0.1)
    course.update_parameters_with_momentum(params, grads, v, 0.9, 0.1)
    course.update_parameters(params, grads, 0.1)
    assert_same({"P": params, "G": grads, "v": v, "s": s}, before)
    assert all(new[k] is not params[k] for k in P) and v2["dW1"] is not v["dW1"]


def small_data():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def test_a_warm_fit_leaves_the_arrays_of_copies_and_earlier_fits(backend):
    X, y = small_data()
    model = xpnet.DeepNet((5,), num_iterations=2, warm_start=True, random_state=0, tol=None)
    model.fit(X, y)
    held = model.parameters_
    before, pickled, twin = host(held), pickle.dumps(model), copy.copy(model)
    twin.fit(X, y)
    model.fit(X, y)
    assert_same(held, before)
    assert_same(pickle.loads(pickled).parameters_, before)
    assert not np.array_equal(xpnet.to_numpy(model.parameters_["W1"]), before["W1"])


def test_early_stopping_restores_the_best_epochs_parameters(backend):
    X, y = small_data()
    seen = []
    model = xpnet.DeepNet(
        (5,),
        num_iterations=30,
        learning_rate=0.01,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    )
    model.fit(X, y, callback=lambda e: seen.append((e.validation_score, host(e.parameters))))
    best = max(range(len(seen)), key=lambda k: seen[k][0])  # the first best epoch
    assert 0 < best < len(seen) - 1  # neither the start nor the last step
    assert_same(model.parameters_, seen[best][1])


# -- AdamW -------------------------------------------------------------------------


def adamw_reference(W, grads, alpha, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    """W = W − α·(v̂/(√ŝ + ε) + λ·W), written as the paper writes it."""
    v = s = 0 * W
    for t, g in enumerate(grads, start=1):
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        v_hat, s_hat = v / (1 - beta1**t), s / (1 - beta2**t)
        W = W - alpha * (v_hat / (np.sqrt(s_hat) + eps) + lam * W)
    return W


def alternating(sigma, n=50):
    """Zero-mean gradients of size σ: (+σ, −σ, +σ, ...) for one weight per column."""
    return [np.array([[(-1.0) ** k * x for x in sigma]]) for k in range(n)]


def run(optimizer, W, grads, put, alpha, l2=0.0):
    params, b = {"W1": put(W), "b1": put(np.zeros((1, 1)))}, put(np.ones((1, 1)))
    state = optimizer.init(params)
    for g in grads:  # an L2 term goes through the gradient: dW + λ·W
        dW = put(g) + l2 * params["W1"]
        params, state = optimizer.update(params, {"dW1": dW, "db1": b}, state, alpha)
    return xpnet.to_numpy(params["W1"]), xpnet.to_numpy(params["b1"])


def test_adamw_is_the_papers_and_decays_weights_not_biases(backend, put, float64):
    W0, grads = np.array([[1.0, -2.0]]), alternating([3.0, 0.2], n=20)
    W, b = run(opt.AdamW(weight_decay=0.1), W0, grads, put, 0.01)
    assert np.all(np.isfinite(W))
    assert_close(W, adamw_reference(W0, grads, 0.01, 0.1), rtol=1e-12)
    assert_close(b, run(opt.Adam(), W0, grads, put, 0.01)[1], rtol=1e-12)
    assert_close(
        run(opt.AdamW(weight_decay=0.0), W0, grads, put, 0.01)[0],
        adamw_reference(W0, grads, 0.01, 0.0),
    )


def test_adamw_decays_every_weight_alike_where_l2_in_adam_does_not(backend, put, float64):
    """With L2 through the gradient, Adam divides the decay λ·W by √ŝ: a weight whose
    gradient varies much is barely decayed. AdamW's decay is the same for both."""
    W0, grads, lam, alpha = np.ones((1, 2)), alternating([100.0, 0.01]), 0.1, 0.01
    plain = run(opt.Adam(), W0, grads, put, alpha)[0]
    decoupled = plain - run(opt.AdamW(weight_decay=lam), W0, grads, put, alpha)[0]
    through_l2 = plain - run(opt.Adam(), W0, grads, put, alpha, l2=lam)[0]
    assert np.all(decoupled > 0) and np.all(through_l2 > 0)  # each decays both weights
    np.testing.assert_allclose(decoupled[0, 0], decoupled[0, 1], rtol=1e-4)
    assert through_l2[0, 0] < 0.01 * through_l2[0, 1]  # the noisy weight keeps its size

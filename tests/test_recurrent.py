"""The recurrent layers: gradients against finite differences and PyTorch's autograd.

Every backward pass (each cell, whole sequences, many-to-many and many-to-one, and the
gradient into the initial states a0 and c0) is checked against centred finite
differences in float64 on every backend, then against PyTorch's autograd of the same
equations written out in torch, and of ``torch.nn.LSTM`` with its gate order and its two
biases mapped onto the course's layout.
"""

import numpy as np
import pytest

import xpnet
from xpnet import clipping, gradcheck
from xpnet.layers import LSTM, SimpleRNN, TimeDense
from xpnet.layers.recurrent import (
    fuse_gates,
    lstm_step_backward,
    lstm_step_forward,
    lstm_weight_gradients,
    rnn_step_backward,
    rnn_step_forward,
    rnn_weight_gradients,
)
from xpnet.network import n_layers

n_x, n_a, m, T = 3, 4, 2, 3


def draws(seed, shapes):
    rng = np.random.RandomState(seed)
    return {name: rng.randn(*shape) for name, shape in shapes.items()}


def rnn_shapes():
    return {"Wax1": (n_a, n_x), "Waa1": (n_a, n_a), "ba1": (n_a, 1)}


def lstm_shapes():
    return {f"{p}{g}1": (n_a, n_a + n_x) if p == "W" else (n_a, 1) for g in "fico" for p in "Wb"}


@pytest.fixture
def on(backend, float64):
    return lambda arrays: {k: backend.put(v, float64) for k, v in arrays.items()}


def check(cost, values, grads):
    difference = gradcheck.gradient_check(cost, values, grads)
    assert difference < 1e-7, difference


# -- cells ------------------------------------------------------------------------------


def test_rnn_step_gradients(xp, on):
    v = on(draws(0, {"xt": (n_x, m), "a_prev": (n_a, m), "Wax": (n_a, n_x), "Waa": (n_a, n_a),
                     "ba": (n_a, 1), "G": (n_a, m)}))  # fmt: skip
    G = v.pop("G")

    def forward(p):
        return rnn_step_forward(p["xt"], p["a_prev"], p["Wax"], p["Waa"], p["ba"], xp=xp)

    step = forward(v)
    dxt, da_prev, dz = rnn_step_backward(G, step, v["Wax"], v["Waa"], xp=xp)
    grads = rnn_weight_gradients([dz], [step], xp=xp) | {"dxt": dxt, "da_prev": da_prev}
    check(lambda p: xp.sum(G * forward(p).a_next), v, grads)


def test_lstm_step_gradients(xp, on):
    shapes = {
        "xt": (n_x, m),
        "a_prev": (n_a, m),
        "c_prev": (n_a, m),
        "Ga": (n_a, m),
        "Gc": (n_a, m),
    }
    shapes |= {k[:-1]: s for k, s in lstm_shapes().items()}
    v = on(draws(1, shapes))
    Ga, Gc = v.pop("Ga"), v.pop("Gc")

    def forward(p):
        W, b = fuse_gates(p, xp=xp)
        return lstm_step_forward(p["xt"], p["a_prev"], p["c_prev"], W, b, xp=xp)

    step = forward(v)
    dxt, da_prev, dc_prev, dZ = lstm_step_backward(Ga, Gc, step, fuse_gates(v, xp=xp)[0], xp=xp)
    grads = lstm_weight_gradients([dZ], [step], xp=xp)
    grads |= {"dxt": dxt, "da_prev": da_prev, "dc_prev": dc_prev}
    check(lambda p: xp.sum(Ga * forward(p).a_next) + xp.sum(Gc * forward(p).c_next), v, grads)


# -- sequences --------------------------------------------------------------------------


@pytest.mark.parametrize("return_sequences", [True, False])
def test_simple_rnn_gradients(xp, on, return_sequences):
    layer = SimpleRNN(1, return_sequences=return_sequences)
    G_shape = (n_a, m, T) if return_sequences else (n_a, m)
    v = on(draws(2, {**rnn_shapes(), "x": (n_x, m, T), "a0": (n_a, m), "G": G_shape}))
    G = v.pop("G")

    def cost(p):  # J = 1/m · Σ G ∗ a
        return xp.sum(G * layer.forward(p["x"], p, a0=p["a0"], xp=xp)[0]) / m

    _, cache = layer.forward(v["x"], v, a0=v["a0"], xp=xp)
    dx, da0, grads = layer.backward_through_time(G, cache, xp=xp)
    check(cost, v, grads | {"dx": dx / m, "da0": da0 / m})


@pytest.mark.parametrize("return_sequences", [True, False])
def test_lstm_gradients(xp, on, return_sequences):
    layer = LSTM(1, return_sequences=return_sequences)
    G_shape = (n_a, m, T) if return_sequences else (n_a, m)
    shapes = {**lstm_shapes(), "x": (n_x, m, T), "a0": (n_a, m), "c0": (n_a, m), "G": G_shape}
    v = on(draws(3, shapes))
    G = v.pop("G")

    def cost(p):  # J = 1/m · Σ G ∗ a
        return xp.sum(G * layer.forward(p["x"], p, a0=p["a0"], c0=p["c0"], xp=xp)[0]) / m

    _, cache = layer.forward(v["x"], v, a0=v["a0"], c0=v["c0"], xp=xp)
    dx, da0, dc0, grads = layer.backward_through_time(G, cache, xp=xp)
    check(cost, v, grads | {"dx": dx / m, "da0": da0 / m, "dc0": dc0 / m})


def test_time_dense_gradients(xp, on):
    layer = TimeDense(2, "tanh")
    v = on(draws(4, {"W2": (5, n_a), "b2": (5, 1), "a": (n_a, m, T), "G": (5, m, T)}))
    G = v.pop("G")

    def cost(p):  # J = 1/m · Σ G ∗ A
        return xp.sum(G * layer.forward(p["a"], p, xp=xp)[0]) / m

    _, cache = layer.forward(v["a"], v, xp=xp)
    da, grads = layer.backward(G, cache, need_dA_prev=True, xp=xp)
    check(cost, v, grads | {"da": da / m})


def test_layers_shapes_and_names():
    rnn, lstm = SimpleRNN(1), LSTM(2, return_sequences=False)
    parameters = draws(5, rnn_shapes()) | {
        k[:-1] + "2": s for k, s in draws(6, lstm_shapes()).items()
    }
    assert rnn.output_shape((n_x, m, T), parameters) == (n_a, m, T)
    assert lstm.output_shape((n_x, m, T), parameters) == (n_a, m)
    assert SimpleRNN.sample_axis == LSTM.sample_axis == TimeDense.sample_axis == 1
    assert n_layers(parameters) == 0  # no name a dense layer's W{l}/b{l} could take
    assert TimeDense(3).output_shape((n_a, m, T), {"W3": np.zeros((7, n_a))}) == (7, m, T)
    x = np.random.RandomState(0).randn(n_x, m, T)
    a, _ = rnn.forward(x, parameters, xp=xpnet.backend.Backend.load("numpy").xp)
    assert a.shape == (n_a, m, T)


# -- PyTorch's autograd -----------------------------------------------------------------


def torch_lstm(torch, x, a0, c0, W):
    """The course's LSTM, written out in torch (x of shape (n_x, m, T))."""
    a, c, states = a0, c0, []
    for t in range(x.shape[2]):
        concat = torch.cat([a, x[:, :, t]], dim=0)
        ft = torch.sigmoid(W["Wf"] @ concat + W["bf"])
        it = torch.sigmoid(W["Wi"] @ concat + W["bi"])
        cct = torch.tanh(W["Wc"] @ concat + W["bc"])
        c = ft * c + it * cct
        ot = torch.sigmoid(W["Wo"] @ concat + W["bo"])
        a = ot * torch.tanh(c)
        states.append(a)
    return torch.stack(states, dim=2)


def torch_rnn(torch, x, a0, W):
    a, states = a0, []
    for t in range(x.shape[2]):
        a = torch.tanh(W["Waa"] @ a + W["Wax"] @ x[:, :, t] + W["ba"])
        states.append(a)
    return torch.stack(states, dim=2)


def autograd(torch, function, values, G):
    leaves = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()
    }
    (torch.tensor(G) * function(leaves)).sum().backward()
    return {"d" + k: leaf.grad.numpy() for k, leaf in leaves.items()}


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_agrees_with_torch_autograd(xp, on, kind):
    torch = pytest.importorskip("torch")
    shapes = rnn_shapes() if kind == "rnn" else lstm_shapes()
    host = draws(7, {**shapes, "x": (n_x, m, T), "a0": (n_a, m), "c0": (n_a, m)})
    G = np.random.RandomState(8).randn(n_a, m, T)
    v = on(host)
    if kind == "rnn":
        layer = SimpleRNN(1)
        _, cache = layer.forward(v["x"], v, a0=v["a0"], xp=xp)
        dx, da0, grads = layer.backward_through_time(on({"G": G})["G"], cache, xp=xp)
        ours = {k: g * m for k, g in grads.items()} | {"dx": dx, "da0": da0}
        names = {k: k[:-1] for k in shapes}
        theirs = autograd(torch, lambda p: torch_rnn(torch, p["x"], p["a0"],
                          {names[k]: p[k] for k in shapes}), {k: host[k] for k in [*shapes, "x", "a0"]}, G)  # fmt: skip
    else:
        layer = LSTM(1)
        _, cache = layer.forward(v["x"], v, a0=v["a0"], c0=v["c0"], xp=xp)
        dx, da0, dc0, grads = layer.backward_through_time(on({"G": G})["G"], cache, xp=xp)
        ours = {k: g * m for k, g in grads.items()} | {"dx": dx, "da0": da0, "dc0": dc0}
        theirs = autograd(
            torch,
            lambda p: torch_lstm(torch, p["x"], p["a0"], p["c0"], {k[:-1]: p[k] for k in shapes}),
            {k: host[k] for k in [*shapes, "x", "a0", "c0"]},
            G,
        )
    assert set(ours) == set(theirs)
    for name, expected in theirs.items():
        np.testing.assert_allclose(xpnet.to_numpy(ours[name]), expected, rtol=1e-10, atol=1e-13)


def test_agrees_with_torch_nn_lstm():
    """torch.nn.LSTM's gates are (i, f, g, o), its weights act on x and on h apart, and it
    adds two biases: mapped here onto the course's [a; x] layout and one bias a gate."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.LSTM(n_x, n_a).double()
    x = torch.randn(T, m, n_x, dtype=torch.float64, requires_grad=True)
    h0, c0 = (
        torch.randn(1, m, n_a, dtype=torch.float64),
        torch.randn(1, m, n_a, dtype=torch.float64),
    )
    G = torch.randn(T, m, n_a, dtype=torch.float64)
    out, _ = net(x, (h0, c0))
    (G * out).sum().backward()
    order = {"i": 0, "f": 1, "c": 2, "o": 3}  # torch's i, f, g, o; g is the course's c̃
    W_ih, W_hh = net.weight_ih_l0.detach().numpy(), net.weight_hh_l0.detach().numpy()
    b = (net.bias_ih_l0 + net.bias_hh_l0).detach().numpy()
    rows = {g: slice(k * n_a, (k + 1) * n_a) for g, k in order.items()}
    parameters = {}
    for g, r in rows.items():
        parameters[f"W{g}1"] = np.concatenate([W_hh[r], W_ih[r]], axis=1)  # acts on [a; x]
        parameters[f"b{g}1"] = b[r].reshape(-1, 1)
    layer = LSTM(1)
    xp = xpnet.backend.Backend.load("numpy").xp
    course_x = np.transpose(x.detach().numpy(), (2, 1, 0))  # (T, m, n_x) → (n_x, m, T)
    a, cache = layer.forward(course_x, parameters, a0=h0[0].numpy().T, c0=c0[0].numpy().T, xp=xp)
    np.testing.assert_allclose(np.transpose(a, (2, 1, 0)), out.detach().numpy(), rtol=1e-12)
    dx, _, _, grads = layer.backward_through_time(np.transpose(G.numpy(), (2, 1, 0)), cache, xp=xp)
    np.testing.assert_allclose(np.transpose(dx, (2, 1, 0)), x.grad.numpy(), rtol=1e-10)
    for g, r in rows.items():
        dW = grads[f"dW{g}1"] * m
        np.testing.assert_allclose(dW[:, :n_a], net.weight_hh_l0.grad[r].numpy(), rtol=1e-10)
        np.testing.assert_allclose(dW[:, n_a:], net.weight_ih_l0.grad[r].numpy(), rtol=1e-10)
        np.testing.assert_allclose(
            grads[f"db{g}1"][:, 0] * m, net.bias_ih_l0.grad[r].numpy(), rtol=1e-10
        )


# -- gradient clipping --------------------------------------------------------------------


def test_clip_by_value_and_by_global_norm(xp, on):
    grads = draws(9, {"dW1": (3, 4), "db1": (3, 1)})
    host = {k: 10 * v for k, v in grads.items()}
    clipped = clipping.clip_by_value(on(host), 5)
    for k, g in host.items():
        np.testing.assert_array_equal(xpnet.to_numpy(clipped[k]), np.clip(g, -5, 5))
    norm = np.sqrt(sum((g * g).sum() for g in host.values()))
    scaled = clipping.clip_by_global_norm(on(host), 1.0)
    for k, g in host.items():
        np.testing.assert_allclose(xpnet.to_numpy(scaled[k]), g / norm, rtol=1e-12)
    kept = clipping.clip_by_global_norm(on(host), 2 * norm)
    for k, g in host.items():
        np.testing.assert_allclose(xpnet.to_numpy(kept[k]), g, rtol=1e-15)
    with pytest.raises(ValueError, match="Invalid max_norm. Expected a positive number"):
        clipping.clip_by_global_norm(on(host), 0)
    with pytest.raises(ValueError, match="Invalid max_value"):
        clipping.clip_by_value(on(host), -1)


# -- compiled -----------------------------------------------------------------------------


def forward_backward(layer, xp):
    def run(parameters, x, G):
        a, cache = layer.forward(x, parameters, xp=xp)
        _, grads = layer.backward(G, cache, need_dA_prev=True, xp=xp)
        return a, grads

    return run


@pytest.mark.parametrize("layer", [SimpleRNN(1), LSTM(1)], ids=["rnn", "lstm"])
def test_jax_jit_compiles_the_unrolled_loop(layer):
    pytest.importorskip("jax")
    import jax

    shapes = rnn_shapes() if isinstance(layer, SimpleRNN) else lstm_shapes()
    host = draws(10, {**shapes, "x": (n_x, m, T), "G": (n_a, m, T)})
    results = []
    for name in ("numpy", "jax"):
        backend = xpnet.backend.Backend.load(name, None, "float64")
        v = {k: backend.put(a) for k, a in host.items()}
        run = forward_backward(layer, backend.xp)
        results.append(
            jax.jit(run)(v, v["x"], v["G"]) if name == "jax" else run(v, v["x"], v["G"])
        )
    (a, grads), (ja, jgrads) = results
    np.testing.assert_allclose(np.asarray(ja), a, rtol=1e-12)
    for k in grads:
        np.testing.assert_allclose(np.asarray(jgrads[k]), grads[k], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("compiler", ["eager", pytest.param("inductor", marks=pytest.mark.slow)])
@pytest.mark.filterwarnings("ignore:Dynamo detected a call to a `functools.lru_cache`")
def test_torch_compile_traces_the_unrolled_loop_in_one_graph(compiler):
    """fullgraph=True: a graph break anywhere in forward or backward raises."""
    torch = pytest.importorskip("torch")
    torch._dynamo.reset()
    backend = xpnet.backend.Backend.load("torch", "cpu", "float64")
    host = draws(11, {**lstm_shapes(), "x": (n_x, m, T), "G": (n_a, m, T)})
    v = {k: backend.put(a) for k, a in host.items()}
    run = forward_backward(LSTM(1), backend.xp)
    a, grads = run(v, v["x"], v["G"])
    ca, cgrads = torch.compile(run, fullgraph=True, backend=compiler)(v, v["x"], v["G"])
    np.testing.assert_allclose(ca.numpy(), a.numpy(), rtol=1e-12)
    for k in grads:
        np.testing.assert_allclose(cgrads[k].numpy(), grads[k].numpy(), rtol=1e-10, atol=1e-14)

"""The convolution layer (xpnet.layers.conv): against the course's four nested loops,
centred finite differences and PyTorch's autograd, on every backend; its memory bound;
and a convolutional network's step, eager, with dropout, and compiled."""

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import gradcheck
from xpnet.layers import (
    AveragePool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
    conv,
    conv2d_backward,
    conv2d_forward,
)
from xpnet.network import Network
from xpnet.optimizers import get_optimizer
from xpnet.step import train_step

# -- the reference: the course's loops, in plain NumPy ---------------------------------


def conv_forward_loops(A_prev, W, b, stride, pads):
    """Z[i, h, w, c] = Σ a_slice_prev ∗ W[..., c] + b[..., c], one window at a time."""
    top, bottom, left, right = pads
    A_pad = np.pad(A_prev, ((0, 0), (top, bottom), (left, right), (0, 0)))
    m, H, Wd, _ = A_pad.shape
    f, n_C = W.shape[0], W.shape[3]
    n_H, n_W = (H - f) // stride + 1, (Wd - f) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    a_slice = A_pad[i, h * stride : h * stride + f, w * stride : w * stride + f, :]
                    Z[i, h, w, c] = np.sum(a_slice * W[..., c]) + b[0, 0, 0, c]
    return Z


def conv_backward_loops(dZ, A_prev, W, stride, pads):
    """The course's equations 1-3, summed over examples, windows and filters."""
    top, bottom, left, right = pads
    A_pad = np.pad(A_prev, ((0, 0), (top, bottom), (left, right), (0, 0)))
    dA_pad, dW = np.zeros_like(A_pad), np.zeros_like(W)
    m, n_H, n_W, n_C = dZ.shape
    f = W.shape[0]
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows = slice(h * stride, h * stride + f)
                    cols = slice(w * stride, w * stride + f)
                    dA_pad[i, rows, cols, :] += W[..., c] * dZ[i, h, w, c]
                    dW[..., c] += A_pad[i, rows, cols, :] * dZ[i, h, w, c]
    H, Wd = A_prev.shape[1], A_prev.shape[2]
    db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    return dA_pad[:, top : top + H, left : left + Wd, :], dW, db


# (stride, pad, f, n_C_prev, n_C, image n_H × n_W)
GEOMETRIES = [
    (1, 0, 3, 2, 3, (5, 6)),
    (2, 0, 3, 3, 2, (7, 6)),
    (1, 1, 3, 2, 4, (4, 5)),
    (2, 1, 3, 2, 3, (5, 5)),
    (1, "same", 3, 3, 2, (5, 4)),
    (2, "same", 2, 2, 3, (5, 6)),
    (1, "same", 4, 1, 2, (5, 5)),
    (3, 2, 2, 2, 2, (6, 7)),
    (1, "same", 5, 3, 2, (6, 5)),
]


def setup(put, stride, pad, f, n_C_prev, n_C, size, m=2, seed=0):
    rng = np.random.RandomState(seed)
    A_prev = rng.randn(m, *size, n_C_prev)
    W, b = rng.randn(f, f, n_C_prev, n_C), rng.randn(1, 1, 1, n_C)
    layer = Conv2D(1, n_C, f, stride=stride, pad=pad, activation=None)
    pads = layer.padding(A_prev.shape)
    return layer, pads, (A_prev, W, b), {"W1": put(W), "b1": put(b)}


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_conv_equals_the_course_loops(backend, put, float64, geometry):
    layer, pads, (A_prev, W, b), _ = setup(put, *geometry)
    stride = geometry[0]
    Z, cache = conv2d_forward(put(A_prev), put(W), put(b), stride=stride, pads=pads, xp=backend.xp)
    Z_ref = conv_forward_loops(A_prev, W, b, stride, pads)
    assert tuple(Z.shape) == Z_ref.shape == layer.output_shape(A_prev.shape)
    assert_close(Z, Z_ref, rtol=1e-12, atol=1e-12)
    dZ = np.random.RandomState(1).randn(*Z_ref.shape)
    got = conv2d_backward(put(dZ), cache, xp=backend.xp)
    for g, r in zip(got, conv_backward_loops(dZ, A_prev, W, stride, pads), strict=True):
        assert_close(g, r, rtol=1e-12, atol=1e-12)
    assert conv2d_backward(put(dZ), cache, need_dA_prev=False, xp=backend.xp)[0] is None


def layer_difference(backend, put, layer, A_prev, parameters, seed=2):
    """J = 1/m · Σ A ∗ R for a fixed random R: backprop's (dA_prev, dW, db) against
    centred finite differences, all of θ = (A_prev, W, b) together."""
    xp = backend.xp
    A, cache = layer.forward(A_prev, parameters, xp=xp)
    R = put(np.random.RandomState(seed).randn(*A.shape))
    m = A_prev.shape[layer.sample_axis]
    dA_prev, grads = layer.backward(R, cache, need_dA_prev=True, xp=xp)

    def cost(theta):
        rest = {k: v for k, v in theta.items() if k != "X"}
        return xp.sum(layer.forward(theta["X"], rest, xp=xp)[0] * R) / m

    theta = {"X": A_prev, **parameters}
    return gradcheck.gradient_check(cost, theta, {"dX": dA_prev / m, **grads})


@pytest.mark.parametrize("activation", [None, "tanh"])
@pytest.mark.parametrize("geometry", GEOMETRIES[:6], ids=str)
def test_conv_layer_passes_gradient_check(backend, put, float64, geometry, activation):
    layer, _, (A_prev, _, _), parameters = setup(put, *geometry, seed=3)
    layer = Conv2D(1, layer.n_C, layer.f, layer.stride, layer.pad, activation)
    assert layer_difference(backend, put, layer, put(A_prev), parameters) < 1e-7


def torch_conv(A_prev, W, b, stride, pads, dZ):
    """PyTorch's conv2d and autograd, NCHW and (C_out, C_in, f, f), back to the course's layout."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.tensor(A_prev.transpose(0, 3, 1, 2), requires_grad=True)
    w = torch.tensor(W.transpose(3, 2, 0, 1), requires_grad=True)
    bias = torch.tensor(b.reshape(-1), requires_grad=True)
    top, bottom, left, right = pads
    z = F.conv2d(F.pad(x, (left, right, top, bottom)), w, bias, stride=stride)
    (z * torch.tensor(dZ.transpose(0, 3, 1, 2))).sum().backward()
    nhwc = (0, 2, 3, 1)
    return (
        z.detach().numpy().transpose(nhwc),
        x.grad.numpy().transpose(nhwc),
        w.grad.numpy().transpose(2, 3, 1, 0),
        bias.grad.numpy().reshape(1, 1, 1, -1),
    )


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_conv_agrees_with_pytorch_autograd(backend, put, float64, geometry):
    _, pads, (A_prev, W, b), _ = setup(put, *geometry, m=3, seed=4)
    stride = geometry[0]
    Z, cache = conv2d_forward(put(A_prev), put(W), put(b), stride=stride, pads=pads, xp=backend.xp)
    dZ = np.random.RandomState(5).randn(*Z.shape)
    expected = torch_conv(A_prev, W, b, stride, pads, dZ)
    got = (Z, *conv2d_backward(put(dZ), cache, xp=backend.xp))
    for g, e in zip(got, expected, strict=True):
        assert_close(g, e, rtol=1e-10, atol=1e-10)


def test_a_batch_past_the_bound_runs_in_pieces_with_the_same_result(backend, put, monkeypatch):
    geometry = (2, 1, 3, 2, 3, (6, 5))
    _, pads, (A_prev, W, b), _ = setup(put, *geometry, m=7)
    per_example = 3 * 3 * 3 * 3 * 2  # n_H·n_W·f²·n_C_prev
    xp = backend.xp
    whole = conv2d_forward(put(A_prev), put(W), put(b), stride=2, pads=pads, xp=xp)
    dZ = put(np.random.RandomState(1).randn(*whole[0].shape))
    whole_grads = conv2d_backward(dZ, whole[1], xp=xp)
    patch_shapes = []
    patches = conv.patches
    monkeypatch.setattr(
        conv, "patches", lambda *a, **k: patch_shapes.append(r := patches(*a, **k)) or r
    )
    monkeypatch.setattr(conv, "MAX_PATCH_ELEMENTS", 3 * per_example)  # 3 examples a piece
    piecewise = conv2d_forward(put(A_prev), put(W), put(b), stride=2, pads=pads, xp=xp)
    grads = conv2d_backward(dZ, piecewise[1], xp=xp)
    assert [P.shape[1] for P in patch_shapes] == [27, 27, 9] * 2  # 3 + 3 + 1 examples
    assert max(int(np.prod(tuple(P.shape))) for P in patch_shapes) <= 3 * per_example
    tol = 1e-5 if backend.dtype == xp.float32 else 1e-12
    assert_close(piecewise[0], whole[0], rtol=tol, atol=tol)
    for g, e in zip(grads, whole_grads, strict=True):
        assert_close(g, e, rtol=tol, atol=tol)


def test_the_split_window_runs_in_pieces_with_the_same_result(backend, put, monkeypatch):
    """Stride 1, 5×5 filters over 3 channels into 2: the split window, whole and in pieces."""
    _, pads, (A_prev, W, b), _ = setup(put, 1, "same", 5, 3, 2, (6, 5), m=7)
    xp = backend.xp
    whole = conv2d_forward(put(A_prev), put(W), put(b), pads=pads, xp=xp)
    dZ = put(np.random.RandomState(1).randn(*whole[0].shape))
    whole_grads = conv2d_backward(dZ, whole[1], xp=xp)
    monkeypatch.setattr(conv, "MAX_PATCH_ELEMENTS", 3 * 6 * (5 + 4) * 5 * 3)  # 3 examples a piece
    piecewise = conv2d_forward(put(A_prev), put(W), put(b), pads=pads, xp=xp)
    grads = conv2d_backward(dZ, piecewise[1], xp=xp)
    tol = 1e-5 if backend.dtype == xp.float32 else 1e-12
    assert_close(piecewise[0], whole[0], rtol=tol, atol=tol)
    assert_close(piecewise[0], conv_forward_loops(A_prev, W, b, 1, pads), rtol=tol, atol=tol)
    expected = conv_backward_loops(xpnet.to_numpy(dZ), A_prev, W, 1, pads)
    for g, w, e in zip(grads, whole_grads, expected, strict=True):
        assert_close(g, w, rtol=tol, atol=tol)
        assert_close(g, e, rtol=tol, atol=tol)


# -- the layer --------------------------------------------------------------------------


def test_conv2d_shapes_parameters_and_refusals():
    layer = Conv2D(2, 8, 5, stride=2, pad="same")
    assert layer.sample_axis == 0
    assert layer.output_shape((4, 28, 28, 3)) == (4, 14, 14, 8)
    assert Conv2D(1, 8, 3, pad="valid").output_shape((4, 28, 28, 3)) == (4, 26, 26, 8)
    assert layer.parameter_shapes(3) == {"W2": (5, 5, 3, 8), "b2": (1, 1, 1, 8)}
    assert layer.fan_in(3) == 75
    drawn = layer.draw(np.random.RandomState(0), 3, "he", 1.0)
    assert drawn["W2"].shape == (5, 5, 3, 8) and (drawn["b2"] == 0).all()
    assert drawn["W2"].std() == pytest.approx(np.sqrt(2 / 75), rel=0.1)
    assert Conv2D(1, 4, 3).draw(np.random.RandomState(0), 2, "pytorch", 1.0)["b1"].any()
    for bad in [{"pad": -1}, {"pad": "full"}, {"pad": True}, {"stride": 0}]:
        with pytest.raises(ValueError, match="Invalid Conv2D"):
            Conv2D(1, 4, 3, **bad)
    with pytest.raises(ValueError, match="Invalid Conv2D activation"):
        Conv2D(1, 4, 3, activation="softmax")
    with pytest.raises(ValueError, match=r"Expected images of at least 5×5.*\(4, 3, 3, 1\)"):
        Conv2D(1, 4, 5).output_shape((4, 3, 3, 1))


# -- a convolutional network: a step, dropout, compiled -----------------------------------


def conv_network(keep_prob=1.0):
    dropout = (Dropout(keep_prob),) if keep_prob < 1 else ()
    layers = (Conv2D(1, 3, 3, pad="same"), *dropout, MaxPool2D(2), Flatten(), Dense(2, "relu"))
    return Network((*layers, Dense(3)), "softmax", l2=0.01)


def conv_data(put, m=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(m, 6, 6, 2)
    Y = np.eye(3)[rng.randint(0, 3, m)].T
    p = Conv2D(1, 3, 3).draw(rng, 2, "he", 1.0)
    p |= {"W2": rng.randn(5, 27) * 0.3, "b2": rng.randn(5, 1) * 0.1}
    p |= {"W3": rng.randn(3, 5) * 0.3, "b3": rng.randn(3, 1) * 0.1}
    return put(X), put(Y), {k: put(v) for k, v in p.items()}


@pytest.mark.parametrize("keep_prob", [1.0, 0.7])
def test_conv_network_passes_gradient_check(backend, put, float64, keep_prob):
    """Conv2D → (dropout) → MaxPool2D → Flatten → Dense → Dense, softmax, with L2."""
    X, Y, parameters = conv_data(put)
    network = conv_network(keep_prob)
    xp = backend.xp
    masks = network.draw_masks(np.random.RandomState(1), parameters, tuple(X.shape), xp=xp)
    assert [tuple(D.shape) for D in masks] == ([(6, 6, 6, 3)] if keep_prob < 1 else [])
    grads, _ = network.gradients(X, Y, parameters, masks=masks, xp=xp)

    def cost(p):
        ZL, _ = network.forward(X, p, masks=masks, xp=xp)
        return network.cost(ZL, Y, p, xp=xp)

    assert gradcheck.gradient_check(cost, parameters, grads) < 1e-7


def test_dropout_after_a_convolution_drops_whole_activations(backend, put):
    X, _, parameters = conv_data(put)
    network = conv_network(0.5)
    rng = np.random.RandomState(2)
    _, caches = network.forward(X, parameters, rng=rng, xp=backend.xp)
    D = xpnet.to_numpy(caches[1])
    assert D.shape == (6, 6, 6, 3) and set(np.unique(D)) == {0.0, 1.0}
    assert 0.3 < D.mean() < 0.7


def one_step(network, backend, X, Y, parameters):
    """Adam and the arguments of train_step, its counter t a 0-d array as a trace takes it."""
    opt = get_optimizer("adam")
    state = {
        k: backend.xp.asarray(float(v), dtype=X.dtype) if isinstance(v, int) else v
        for k, v in opt.init(parameters).items()
    }
    rate = backend.xp.asarray(0.01, dtype=X.dtype)
    return opt, (parameters, state, X, Y, None, (), rate)


def test_jax_compiled_conv_step_equals_eager():
    pytest.importorskip("jax")
    import jax

    with xpnet.use_backend("jax", dtype="float64") as b:
        X, Y, parameters = conv_data(b.put)
        network = conv_network()
        opt, args = one_step(network, b, X, Y, parameters)

        def step(*a):
            return train_step(network, opt, *a, with_loss=True, xp=b.xp)

        eager = step(*args)
        fast = jax.jit(step)(*args)
    for name in parameters:
        assert_close(fast[0][name], eager[0][name], rtol=1e-12, atol=1e-13)
    assert float(fast[2]) == pytest.approx(float(eager[2]), rel=1e-12)


def test_torch_conv_step_is_one_graph_without_breaks():
    pytest.importorskip("torch")
    import torch._dynamo

    with xpnet.use_backend("torch", "cpu") as b:
        X, Y, parameters = conv_data(b.put)
        network = conv_network()
        opt, args = one_step(network, b, X, Y, parameters)

        def step(*a):
            return train_step(network, opt, *a, with_loss=True, xp=b.xp)

        report = torch._dynamo.explain(step)(*args)
    assert report.graph_break_count == 0, report.break_reasons
    assert report.graph_count == 1


@pytest.mark.slow
def test_torch_compiled_conv_step_equals_eager():
    """torch.compile(fullgraph=True) with inductor, one tiny network, float64."""
    torch = pytest.importorskip("torch")
    torch.compiler.reset()

    with xpnet.use_backend("torch", "cpu", "float64") as b:
        X, Y, parameters = conv_data(b.put)
        network = Network(
            (Conv2D(1, 3, 3), AveragePool2D(2), Flatten(), Dense(2, "relu"), Dense(3)), "softmax"
        )
        parameters = dict(parameters, W2=b.put(np.random.RandomState(3).randn(5, 12) * 0.3))
        opt, args = one_step(network, b, X, Y, parameters)

        def step(*a):
            return train_step(network, opt, *a, with_loss=True, xp=b.xp)

        eager = step(*args)
        fast = torch.compile(step, fullgraph=True, dynamic=False)(*args)
    for name in parameters:
        assert_close(fast[0][name], eager[0][name], rtol=1e-12, atol=1e-13)
    assert float(fast[2]) == pytest.approx(float(eager[2]), rel=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("geometry", [GEOMETRIES[1], GEOMETRIES[-1]], ids=["patches", "split"])
def test_torch_compiled_conv_pass_equals_eager(geometry):
    """conv2d_forward and conv2d_backward under torch.compile(fullgraph=True), float64:
    the patch matrix with its fold (stride 2) and the split window (5×5, stride 1)."""
    torch = pytest.importorskip("torch")
    torch.compiler.reset()
    with xpnet.use_backend("torch", "cpu", "float64") as b:
        _, pads, (A_prev, W, bias), _ = setup(b.put, *geometry, m=3)
        stride = geometry[0]
        dZ = b.put(
            np.random.RandomState(1).randn(
                *conv_forward_loops(A_prev, W, bias, stride, pads).shape
            )
        )

        def run(A_prev, W, bias, dZ):
            Z, cache = conv2d_forward(A_prev, W, bias, stride=stride, pads=pads, xp=b.xp)
            return (Z, *conv2d_backward(dZ, cache, xp=b.xp))

        args = (b.put(A_prev), b.put(W), b.put(bias), dZ)
        eager = run(*args)
        fast = torch.compile(run, fullgraph=True, dynamic=False)(*args)
    for got, expected in zip(fast, eager, strict=True):
        assert_close(got, expected, rtol=1e-12, atol=1e-12)


def test_a_conv_network_trains_in_mini_batches_with_dropout():
    """CONV → dropout → POOL → FLATTEN → dense → softmax learns a rule of the image's halves."""
    from xpnet.training import TrainingConfig, TrainingState, train

    rng = np.random.RandomState(0)
    X = rng.randn(160, 8, 8, 1)
    top = X[:, :4, :, 0].sum(axis=(1, 2)) > X[:, 4:, :, 0].sum(axis=(1, 2))
    labels = top.astype(int) + (X[:, :, :4, 0].sum(axis=(1, 2)) > 2)
    layers = (Conv2D(1, 4, 3, pad="same"), Dropout(0.9), MaxPool2D(2), Flatten())
    network = Network((*layers, Dense(2, "relu"), Dense(3)), "softmax")
    p = Conv2D(1, 4, 3).draw(rng, 1, "he", 1.0)
    p |= {"W2": rng.randn(16, 64) * np.sqrt(2 / 64), "b2": np.zeros((16, 1))}
    p |= {"W3": rng.randn(3, 16) * 0.25, "b3": np.zeros((3, 1))}
    opt = get_optimizer("adam")
    config = TrainingConfig(network, opt, 0.01, batch_size=32, jit_compile=False)
    start = TrainingState(p, opt.init(p), seed=1)
    xp = xpnet.get_backend().xp
    state = train(config, start, X, np.eye(3)[labels].T, xp=xp, epochs=25)
    assert state.costs[-1] < 0.4 * state.costs[0]
    ZL, _ = network.forward(X, state.parameters)
    assert (np.argmax(ZL, axis=0) == labels).mean() > 0.85

"""Pooling and Flatten (xpnet.layers.pooling): against the course's loops, centred finite
differences and PyTorch's autograd, with windows that overlap and windows that do not."""

import numpy as np
import pytest
from test_conv import layer_difference

import xpnet
from conftest import assert_close
from xpnet.layers import AveragePool2D, Flatten, MaxPool2D, pool2d_backward, pool2d_forward


def pool_forward_loops(A_prev, f, stride, mode):
    """The course's loops: A[i, h, w, c] = max or mean of the window."""
    m, H, W, n_C = A_prev.shape
    n_H, n_W = (H - f) // stride + 1, (W - f) // stride + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h * stride : h * stride + f, w * stride : w * stride + f, c]
                    A[i, h, w, c] = window.max() if mode == "max" else window.mean()
    return A


def pool_backward_loops(dA, A_prev, f, stride, mode):
    """The course's loops, the max's mask on its first maximum only."""
    dA_prev = np.zeros_like(A_prev)
    m, n_H, n_W, n_C = dA.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows = slice(h * stride, h * stride + f)
                    cols = slice(w * stride, w * stride + f)
                    if mode == "max":
                        window = A_prev[i, rows, cols, c]
                        mask = np.zeros(window.size)
                        mask[np.argmax(window)] = 1
                        dA_prev[i, rows, cols, c] += mask.reshape(f, f) * dA[i, h, w, c]
                    else:
                        dA_prev[i, rows, cols, c] += dA[i, h, w, c] / (f * f)
    return dA_prev


# (f, stride, image n_H × n_W): not overlapping, overlapping, gaps between windows
GEOMETRIES = [(2, 2, (6, 4)), (3, 1, (5, 6)), (3, 2, (7, 5)), (2, 3, (7, 8)), (2, 1, (3, 3))]
MODES = {"max": MaxPool2D, "average": AveragePool2D}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_pooling_equals_the_course_loops(backend, put, float64, geometry, mode):
    f, stride, size = geometry
    rng = np.random.RandomState(0)
    A_prev = rng.randn(3, *size, 2)
    A, cache = pool2d_forward(put(A_prev), f=f, stride=stride, mode=mode, xp=backend.xp)
    A_ref = pool_forward_loops(A_prev, f, stride, mode)
    assert tuple(A.shape) == A_ref.shape == MODES[mode](f, stride).output_shape(A_prev.shape)
    assert_close(A, A_ref, rtol=1e-12, atol=1e-15)
    dA = rng.randn(*A_ref.shape)
    expected = pool_backward_loops(dA, A_prev, f, stride, mode)
    assert_close(pool2d_backward(put(dA), cache, xp=backend.xp), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_pooling_passes_gradient_check(backend, put, float64, geometry, mode):
    f, stride, size = geometry
    A_prev = put(np.random.RandomState(1).randn(2, *size, 2))
    layer = MODES[mode](f, stride)
    assert layer_difference(backend, put, layer, A_prev, {}) < 1e-7


def torch_pool(A_prev, f, stride, mode, dA):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.tensor(A_prev.transpose(0, 3, 1, 2), requires_grad=True)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    a = pool(x, f, stride)
    (a * torch.tensor(dA.transpose(0, 3, 1, 2))).sum().backward()
    return a.detach().numpy().transpose(0, 2, 3, 1), x.grad.numpy().transpose(0, 2, 3, 1)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_pooling_agrees_with_pytorch_autograd(backend, put, float64, geometry, mode, ties):
    """Ties (a ReLU's zeros) included: PyTorch also sends the gradient to the first maximum."""
    f, stride, size = geometry
    rng = np.random.RandomState(2)
    A_prev = rng.randn(3, *size, 2)
    if ties:
        A_prev = np.round(np.maximum(A_prev, 0))  # many windows of equal values
    A, cache = pool2d_forward(put(A_prev), f=f, stride=stride, mode=mode, xp=backend.xp)
    dA = rng.randn(*A.shape)
    A_torch, dA_prev_torch = torch_pool(A_prev, f, stride, mode, dA)
    assert_close(A, A_torch, rtol=1e-10, atol=1e-10)
    assert_close(
        pool2d_backward(put(dA), cache, xp=backend.xp), dA_prev_torch, rtol=1e-10, atol=1e-10
    )


def test_flatten_turns_images_into_columns_and_back(backend, put):
    X = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    layer = Flatten()
    A, cache = layer.forward(put(X), {}, xp=backend.xp)
    assert tuple(A.shape) == layer.output_shape(X.shape) == (60, 2)
    assert_close(A, X.reshape(2, -1).T, rtol=0)
    dA_prev, grads = layer.backward(A, cache, need_dA_prev=True, xp=backend.xp)
    assert_close(dA_prev, X, rtol=0)
    assert grads == {}
    assert layer.backward(A, cache, need_dA_prev=False, xp=backend.xp)[0] is None


def test_pooling_layers_defaults_and_refusals():
    assert MaxPool2D(2).output_shape((5, 7, 6, 3)) == (5, 3, 3, 3)  # stride f by default
    assert AveragePool2D(3, 1).output_shape((5, 7, 6, 3)) == (5, 5, 4, 3)
    assert MaxPool2D.sample_axis == AveragePool2D.sample_axis == Flatten.sample_axis == 0
    assert MaxPool2D(2) == MaxPool2D(2) and hash(MaxPool2D(2)) == hash(MaxPool2D(2))
    assert MaxPool2D(2) != AveragePool2D(2)
    with pytest.raises(ValueError, match="Invalid MaxPool2D f"):
        MaxPool2D(0)
    with pytest.raises(ValueError, match="Invalid AveragePool2D stride"):
        AveragePool2D(2, 0)
    with pytest.raises(ValueError, match=r"at least 4×4.*\(1, 3, 8, 1\)"):
        MaxPool2D(4).output_shape((1, 3, 8, 1))
    with pytest.raises(ValueError, match="Invalid pooling mode"):
        pool2d_forward(np.ones((1, 2, 2, 1)), f=2, stride=2, mode="min", xp=xpnet.get_backend().xp)

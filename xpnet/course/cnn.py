"""Course 4, week 1: convolutions and pooling step by step, under the course's names,
running the engine's vectorised layers (:mod:`xpnet.layers.conv`,
:mod:`xpnet.layers.pooling`) and returning the course's results and caches.

Images are the course's layout: A_prev of shape (m, n_H_prev, n_W_prev, n_C_prev),
W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C); ``hparameters`` is ``{"stride", "pad"}``
for a convolution and ``{"f", "stride"}`` for pooling. Max pooling sends a window's
gradient to its first maximum only, where the course's mask ``x == max(x)`` marks
every tied maximum; :func:`conv_backward` unpads right for pad = 0 too.
"""

from __future__ import annotations

import math
from typing import Any

from array_api_compat import device

from .._checks import check_integer, check_keys, check_namespace, check_shape, registered
from ..backend import get_backend
from ..layers.conv import ConvCache, conv2d_backward, conv2d_forward
from ..layers.im2col import output_size, pad_images
from ..layers.pooling import MODES, pool2d_backward, pool2d_forward

__all__ = [
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "pool_backward",
    "pool_forward",
    "zero_pad",
]

Array = Any
_IMAGES = (("m", None), ("n_H_prev", None), ("n_W_prev", None), ("n_C_prev", None))


def _geometry(hparameters: Any, keys: tuple[str, ...]) -> tuple[int, ...]:
    check_keys("hparameters", hparameters, keys)
    return tuple(check_integer(k, hparameters[k], minimum=0 if k == "pad" else 1) for k in keys)


def _windows(A_prev: Array, f: int, stride: int, pad: int) -> tuple[int, int]:
    """n_H and n_W, the windows of f×f over the padded images A_prev, at least one each."""
    n_H, n_W = (output_size(n, f, stride, 2 * pad) for n in A_prev.shape[1:3])
    if n_H < 1 or n_W < 1:
        raise ValueError(
            f"Invalid A_prev. Expected images of at least {f}×{f} (with the padding). "
            f"Received: A_prev of shape {tuple(A_prev.shape)}"
        )
    return n_H, n_W


def zero_pad(X: Array, pad: int) -> Array:
    """X of shape (m, n_H, n_W, n_C) padded with zeros: (m, n_H + 2·pad, n_W + 2·pad, n_C)."""
    check_shape("X", X, (("m", None), ("n_H", None), ("n_W", None), ("n_C", None)))
    pad = check_integer("pad", pad, minimum=0)
    return pad_images(X, (pad, pad, pad, pad))


def conv_single_step(a_slice_prev: Array, W: Array, b: Array) -> Array:
    """Z = Σ a_slice_prev ∗ W + b: one filter on one window, a scalar (0-d array).

    Parameters
    ----------
    a_slice_prev : array of shape (f, f, n_C_prev)
    W : array of shape (f, f, n_C_prev)
    b : array of shape (1, 1, 1)
    """
    check_shape("a_slice_prev", a_slice_prev, (("f", None), ("f", None), ("n_C_prev", None)))
    f, _, n_C_prev = a_slice_prev.shape
    check_shape("W", W, (("f", f), ("f", f), ("n_C_prev", n_C_prev)))
    check_shape("b", b, (("1", 1), ("1", 1), ("1", 1)))
    xp = check_namespace(a_slice_prev, W, b)
    image = xp.reshape(a_slice_prev, (1, f, f, n_C_prev))
    Z, _ = conv2d_forward(
        image, xp.reshape(W, (f, f, n_C_prev, 1)), xp.reshape(b, (1, 1, 1, 1)), xp=xp
    )
    return Z[0, 0, 0, 0]


def conv_forward(
    A_prev: Array, W: Array, b: Array, hparameters: dict[str, int]
) -> tuple[Array, tuple[Array, Array, Array, dict[str, int]]]:
    """Z = conv(A_prev, W) + b, with the course's stride and zero padding.

    Parameters
    ----------
    A_prev : array of shape (m, n_H_prev, n_W_prev, n_C_prev)
    W : array of shape (f, f, n_C_prev, n_C)
    b : array of shape (1, 1, 1, n_C)
    hparameters : dict
        ``{"stride": int ≥ 1, "pad": int ≥ 0}``.

    Returns
    -------
    Z : array of shape (m, n_H, n_W, n_C)
        n_H = ⌊(n_H_prev + 2·pad − f) / stride⌋ + 1, n_W likewise.
    cache : tuple
        ``(A_prev, W, b, hparameters)``, for :func:`conv_backward`.
    """
    check_shape("A_prev", A_prev, _IMAGES)
    n_C_prev = A_prev.shape[3]
    check_shape("W", W, (("f", None), ("f", None), ("n_C_prev", n_C_prev), ("n_C", None)))
    f, n_C = W.shape[0], W.shape[3]
    check_shape("W", W, (("f", f), ("f", f), ("n_C_prev", n_C_prev), ("n_C", n_C)))
    check_shape("b", b, (("1", 1), ("1", 1), ("1", 1), ("n_C", n_C)))
    stride, pad = _geometry(hparameters, ("stride", "pad"))
    _windows(A_prev, f, stride, pad)
    xp = check_namespace(A_prev, W, b)
    Z, _ = conv2d_forward(A_prev, W, b, stride=stride, pads=(pad, pad, pad, pad), xp=xp)
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ: Array, cache: tuple) -> tuple[Array, Array, Array]:
    """The gradients of a convolution from dZ = ∂J/∂Z, summed over the examples:
    dA_prev = Σ W ∗ dZ over the windows, dW = Σ a_slice ∗ dZ, db = Σ dZ.

    Parameters
    ----------
    dZ : array of shape (m, n_H, n_W, n_C)
    cache : tuple
        ``(A_prev, W, b, hparameters)`` from :func:`conv_forward`.

    Returns
    -------
    dA_prev : array of shape (m, n_H_prev, n_W_prev, n_C_prev)
    dW : array of shape (f, f, n_C_prev, n_C)
    db : array of shape (1, 1, 1, n_C)
    """
    if not isinstance(cache, tuple) or len(cache) != 4:
        raise TypeError(
            "Invalid cache. Expected the tuple (A_prev, W, b, hparameters) from conv_forward. "
            f"Received: {type(cache).__name__}"
        )
    A_prev, W, _, hparameters = cache
    stride, pad = _geometry(hparameters, ("stride", "pad"))
    f = W.shape[0]
    n_H, n_W = (output_size(n, f, stride, 2 * pad) for n in A_prev.shape[1:3])
    check_shape(
        "dZ", dZ, (("m", A_prev.shape[0]), ("n_H", n_H), ("n_W", n_W), ("n_C", W.shape[3]))
    )
    xp = check_namespace(dZ, cache)
    dA_prev, dW, db = conv2d_backward(dZ, ConvCache(A_prev, W, stride, (pad,) * 4), xp=xp)
    return dA_prev, dW, db


def pool_forward(
    A_prev: Array, hparameters: dict[str, int], mode: str = "max"
) -> tuple[Array, tuple[Array, dict[str, int]]]:
    """A = the max or the mean of each f×f window, moved by the stride, without padding.

    Parameters
    ----------
    A_prev : array of shape (m, n_H_prev, n_W_prev, n_C_prev)
    hparameters : dict
        ``{"f": int ≥ 1, "stride": int ≥ 1}``.
    mode : {"max", "average"}

    Returns
    -------
    A : array of shape (m, n_H, n_W, n_C_prev)
        n_H = ⌊(n_H_prev − f) / stride⌋ + 1, n_W likewise.
    cache : tuple
        ``(A_prev, hparameters)``, for :func:`pool_backward`.
    """
    check_shape("A_prev", A_prev, _IMAGES)
    f, stride = _geometry(hparameters, ("f", "stride"))
    registered("mode", MODES, mode)
    _windows(A_prev, f, stride, 0)
    A, _ = pool2d_forward(A_prev, f=f, stride=stride, mode=mode, xp=check_namespace(A_prev))
    return A, (A_prev, hparameters)


def create_mask_from_window(x: Array) -> Array:
    """A boolean mask of x's shape, True at x's first maximum (row-major) only, where
    the gradient of max pooling goes (as in PyTorch)."""
    check_shape("x", x, (("f", None), ("f", None)))
    xp = check_namespace(x)
    flat = xp.reshape(x, (-1,))
    index = xp.asarray(list(range(flat.shape[0])), device=device(x))
    return xp.reshape(index == xp.argmax(flat), x.shape)  # mask = (x is its first max)


def distribute_value(dz: Any, shape: tuple[int, int]) -> Array:
    """dz (a number or a 0-d array) spread evenly over a window of ``shape`` (n_H, n_W):
    each entry dz / (n_H·n_W), on dz's device, or else the backend in force."""
    if not (isinstance(shape, tuple) and len(shape) == 2):
        raise ValueError(f"Invalid shape. Expected a tuple (n_H, n_W). Received: {shape!r}")
    n_H, n_W = (check_integer(name, n) for name, n in zip(("n_H", "n_W"), shape, strict=True))
    if hasattr(dz, "shape"):
        xp, dtype, dev = check_namespace(dz), dz.dtype, device(dz)
    else:
        backend = get_backend()
        xp, dtype, dev = backend.xp, backend.dtype, backend.device
    average = dz / math.prod((n_H, n_W))  # dz / (n_H · n_W)
    return xp.asarray([[1.0] * n_W] * n_H, dtype=dtype, device=dev) * average


def pool_backward(dA: Array, cache: tuple, mode: str = "max") -> Array:
    """dA_prev = dA back through the pooling windows; overlapping windows add up.

    Max: each window's dA to its first maximum (see :func:`create_mask_from_window`).
    Average: dA / f² to each element of the window (see :func:`distribute_value`).

    Parameters
    ----------
    dA : array of shape (m, n_H, n_W, n_C)
    cache : tuple
        ``(A_prev, hparameters)`` from :func:`pool_forward`.
    mode : {"max", "average"}

    Returns
    -------
    dA_prev : array of A_prev's shape (m, n_H_prev, n_W_prev, n_C)
    """
    if not isinstance(cache, tuple) or len(cache) != 2:
        raise TypeError(
            "Invalid cache. Expected the tuple (A_prev, hparameters) from pool_forward. "
            f"Received: {type(cache).__name__}"
        )
    A_prev, hparameters = cache
    check_shape("A_prev", A_prev, _IMAGES)
    f, stride = _geometry(hparameters, ("f", "stride"))
    registered("mode", MODES, mode)
    xp = check_namespace(dA, cache)
    A, engine_cache = pool2d_forward(A_prev, f=f, stride=stride, mode=mode, xp=xp)
    check_shape("dA", dA, tuple(zip(("m", "n_H", "n_W", "n_C"), A.shape, strict=True)))
    return pool2d_backward(dA, engine_cache, xp=xp)

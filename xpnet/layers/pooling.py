"""Pooling, forward and back, vectorised; the layers :class:`MaxPool2D`,
:class:`AveragePool2D` and :class:`Flatten`.

Images are in the course's layout, A_prev of shape (m, n_H_prev, n_W_prev, n_C); an f×f
window moves by ``stride`` with no padding, so n_H = ⌊(n_H_prev − f) / stride⌋ + 1.
The windows are the f·f strided views of :func:`xpnet.layers.im2col.windows` (no loop
over examples, positions or channels), and the backward pass returns each view's
gradient to its place with :func:`xpnet.layers.im2col.fold`, so that overlapping windows
(f > stride) add their gradients up.

Max pooling sends each window's gradient to its first maximum in row-major order, as
PyTorch does: with ties (zeros after a ReLU, say) exactly one input takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from .._checks import check_integer, registered
from .im2col import fold, output_size, planes, windows

__all__ = [
    "AveragePool2D",
    "Flatten",
    "MaxPool2D",
    "PoolCache",
    "pool2d_backward",
    "pool2d_forward",
]

Array = Any
MODES = {"max": "max", "average": "average"}


class PoolCache(NamedTuple):
    """What pooling's backward pass needs: its input and output and its geometry."""

    A_prev: Array
    A: Array
    f: int
    stride: int
    mode: str


def pool2d_forward(
    A_prev: Array, /, *, f: int, stride: int, mode: str, xp: Any
) -> tuple[Array, PoolCache]:
    """A = max or mean of each f×f window, of shape (m, n_H, n_W, n_C).

    Parameters
    ----------
    A_prev : array of shape (m, n_H_prev, n_W_prev, n_C)
    mode : {"max", "average"}
    """
    registered("pooling mode", MODES, mode)
    n_H = output_size(A_prev.shape[1], f, stride, 0)
    n_W = output_size(A_prev.shape[2], f, stride, 0)
    views = windows(A_prev, f, stride, n_H, n_W)
    A = views[0]
    for view in views[1:]:
        A = xp.maximum(A, view) if mode == "max" else A + view  # max, or Σ, over the window
    if mode == "average":
        A = A / (f * f)  # A = 1/f² · Σ window
    return A, PoolCache(A_prev, A, f, stride, mode)


def pool2d_backward(dA: Array, cache: PoolCache, /, *, xp: Any) -> Array:
    """dA_prev, of A_prev's shape: dA back through each window.

    Max: the whole of dA[h, w] to the window's first maximum. Average: dA[h, w] / f² to
    every element of the window.
    """
    A_prev, A, f, stride, mode = cache
    dA = planes(dA, xp=xp)  # (n_C, m, n_H, n_W): whole rows to fold back
    shape = (A_prev.shape[3], A_prev.shape[0], A_prev.shape[1], A_prev.shape[2])
    if mode == "average":
        piece = dA / (f * f)  # dA_prev[window] += dA / f²
        dA_prev = fold(xp.broadcast_to(piece, (f, f, *piece.shape)), shape, f, stride, xp=xp)
    else:
        A = planes(A, xp=xp)
        views = windows(planes(A_prev, xp=xp), f, stride, A.shape[2], A.shape[3], axes=(2, 3))
        taken = None
        pieces = []
        for view in views:
            hit = view == A  # a maximum of the window
            if taken is not None:
                hit = xp.logical_and(hit, xp.logical_not(taken))  # not after an earlier one
            taken = hit if taken is None else xp.logical_or(taken, hit)
            pieces.append(dA * xp.astype(hit, dA.dtype))  # dA_prev[argmax] += dA
        stacked = xp.reshape(xp.stack(pieces, axis=0), (f, f, *dA.shape))
        dA_prev = fold(stacked, shape, f, stride, xp=xp)
    return xp.permute_dims(dA_prev, (1, 2, 3, 0))


@dataclass(frozen=True)
class _Pool2D:
    f: int
    stride: int | None = None  # None: the window's size, f (windows that do not overlap)

    mode: ClassVar[str] = "max"
    #: Examples lie along axis 0 of the input (m, n_H_prev, n_W_prev, n_C).
    sample_axis: ClassVar[int] = 0

    def __post_init__(self) -> None:
        check_integer(f"{type(self).__name__} f", self.f)
        if self.stride is not None:
            check_integer(f"{type(self).__name__} stride", self.stride)

    @property
    def step(self) -> int:
        return self.f if self.stride is None else self.stride

    def output_shape(self, input_shape: tuple[int, ...], parameters: Any = None) -> tuple:
        """(m, n_H, n_W, n_C) from (m, n_H_prev, n_W_prev, n_C)."""
        n_H = output_size(input_shape[1], self.f, self.step, 0)
        n_W = output_size(input_shape[2], self.f, self.step, 0)
        if n_H < 1 or n_W < 1:
            raise ValueError(
                f"Invalid input to {type(self).__name__}. Expected images of at least "
                f"{self.f}×{self.f}. Received: input of shape {input_shape}"
            )
        return (input_shape[0], n_H, n_W, input_shape[3])

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, PoolCache]:
        return pool2d_forward(A_prev, f=self.f, stride=self.step, mode=self.mode, xp=xp)

    def backward(
        self, dA: Array, cache: PoolCache, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        return (pool2d_backward(dA, cache, xp=xp) if need_dA_prev else None), {}


@dataclass(frozen=True)
class MaxPool2D(_Pool2D):
    """A = the maximum of each f×f window, moved by ``stride`` (default f); no parameters."""

    mode: ClassVar[str] = "max"


@dataclass(frozen=True)
class AveragePool2D(_Pool2D):
    """A = the mean of each f×f window, moved by ``stride`` (default f); no parameters."""

    mode: ClassVar[str] = "average"


@dataclass(frozen=True)
class Flatten:
    """Images (m, n_H, n_W, n_C) → columns (n_H·n_W·n_C, m), so that dense layers follow.

    Each column is one example's image in row-major order (h, w, c).
    """

    #: Examples lie along axis 0 of the input (m, n_H, n_W, n_C).
    sample_axis: ClassVar[int] = 0

    def output_shape(self, input_shape: tuple[int, ...], parameters: Any = None) -> tuple:
        m, *rest = input_shape
        n = 1
        for k in rest:
            n *= k
        return (n, m)

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, tuple[int, ...]]:
        shape = tuple(A_prev.shape)
        return xp.reshape(A_prev, (shape[0], -1)).T, shape  # A = reshape(A_prev, (m, n))ᵀ

    def backward(
        self, dA: Array, shape: tuple[int, ...], *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        return (xp.reshape(dA.T, shape) if need_dA_prev else None), {}

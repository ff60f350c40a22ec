"""Gathering windows and folding them back: the array-API im2col and col2im that the
convolution and pooling layers share.

Images are seen along two spatial axes. :func:`windows` gives the f·f strided views of a
batch, one per kernel offset (i, j); :func:`patches` stacks them into the transposed
patch matrix from channel planes (n_C, m, n_H, n_W) (:func:`planes`), in which each
view moves whole rows; :func:`fold` is the transpose of :func:`windows`, the sum of the
offsets' pieces each padded with zeros into place, written with ``concat``, ``stack``,
``reshape`` and ``+`` only (no in-place update), so that every backend, JAX's immutable
arrays and traced steps included, runs the same lines.
"""

from __future__ import annotations

from typing import Any

from array_api_compat import array_namespace

__all__ = [
    "fold",
    "output_size",
    "pad_axes",
    "pad_images",
    "patches",
    "planes",
    "shifts",
    "windows",
    "zeros_from",
]

Array = Any
Pads = tuple[int, int, int, int]  # (top, bottom, left, right)


def output_size(n_prev: int, f: int, stride: int, pad_total: int) -> int:
    """n = ⌊(n_prev + pad_total − f) / stride⌋ + 1, the course's output size."""
    return (n_prev + pad_total - f) // stride + 1  # n = ⌊(n_prev + 2·pad − f)/s⌋ + 1


def zeros_from(A: Array, shape: tuple[int, ...], xp: Any) -> Array:
    """Zeros of ``shape`` in A's dtype, on A's device (taken from A, as a trace can, and
    as CuPy's ``zeros_like`` would not: it allocates on the current device)."""
    return xp.broadcast_to(A[(0,) * A.ndim] * 0, shape)


def pad_axes(A: Array, pads: Pads, axes: tuple[int, int], xp: Any) -> Array:
    """A with (top, bottom) zeros along ``axes[0]`` and (left, right) along ``axes[1]``."""
    for axis, before, after in ((axes[0], pads[0], pads[1]), (axes[1], pads[2], pads[3])):
        if before or after:
            parts = []
            for n in (before, None, after):
                if n is None:
                    parts.append(A)
                elif n:
                    parts.append(
                        zeros_from(A, (*tuple(A.shape[:axis]), n, *tuple(A.shape[axis + 1 :])), xp)
                    )
            A = xp.concat(parts, axis=axis)
    return A


def pad_images(A: Array, pads: Pads, /, *, xp: Any = None) -> Array:
    """A of shape (m, n_H, n_W, n_C) with zero rows and columns around each image:
    (m, top + n_H + bottom, left + n_W + right, n_C)."""
    xp = array_namespace(A) if xp is None else xp
    return pad_axes(A, pads, (1, 2), xp)


def windows(
    A: Array, f: int, stride: int, n_H: int, n_W: int, /, *, axes: tuple[int, int] = (1, 2)
) -> list[Array]:
    """The f·f strided views of A along its spatial ``axes``, each with n_H × n_W there:
    view (i, j) holds, at (h, w), the element (i, j) of the window whose corner is
    (s·h, s·w)."""
    views = []
    for i in range(f):
        for j in range(f):
            index = [slice(None)] * A.ndim
            index[axes[0]] = slice(i, i + stride * (n_H - 1) + 1, stride)
            index[axes[1]] = slice(j, j + stride * (n_W - 1) + 1, stride)
            views.append(A[tuple(index)])
    return views


def shifts(A: Array, f: int, n: int, axis: int, /, *, xp: Any) -> Array:
    """The f slices of A along ``axis`` of length n starting at 0, 1, …, f − 1, one
    after another along axis 0: shape (f·A.shape[0], …, n, …)."""
    index = [slice(None)] * A.ndim
    views = []
    for i in range(f):
        index[axis] = slice(i, i + n)
        views.append(A[tuple(index)])
    return xp.concat(views, axis=0)


def planes(A: Array, /, *, xp: Any) -> Array:
    """Images (m, n_H, n_W, n_C) seen as channel planes (n_C, m, n_H, n_W), spatial axes
    last: the layout in which the patches are gathered and folded back with whole rows."""
    return xp.permute_dims(A, (3, 0, 1, 2))


def patches(A_planes: Array, f: int, stride: int, n_H: int, n_W: int, /, *, xp: Any) -> Array:
    """The patch matrix, transposed: Pᵀ of shape (f·f·n_C_prev, m·n_H·n_W), one column per
    output position, its window in W's order (i, j, c), from planes (n_C_prev, m, ·, ·)."""
    n_C_prev, m = A_planes.shape[0], A_planes.shape[1]
    views = windows(A_planes, f, stride, n_H, n_W, axes=(2, 3))
    P_T = xp.stack(views, axis=0)  # (f·f, n_C_prev, m, n_H, n_W)
    return xp.reshape(P_T, (f * f * n_C_prev, m * n_H * n_W))


def fold(stacked: Array, shape: tuple[int, ...], f: int, stride: int, /, *, xp: Any) -> Array:
    """The transpose of :func:`windows` on the last two axes: Σ over the offsets (i, j)
    of ``stacked[i, j]`` (..., n_H, n_W) added at rows i + s·h and columns j + s·w of
    zeros of ``shape`` (..., H, W).

    ``stacked`` has shape (f, f, ..., n_H, n_W). Each offset's piece is padded with zeros
    into place, the offsets of one kernel row summed along the width before the row is
    placed in height; overlapping windows (f > stride) add up, as they must for a
    gradient.
    """
    *lead, H, W = shape
    n_H, n_W = stacked.shape[-2], stacked.shape[-1]
    nd = len(lead)
    s = stride
    H_q, W_q = -(-H // s), -(-W // s)  # each residue's sub-grid: ⌈H/s⌉ × ⌈W/s⌉
    axes = (nd, nd + 1)
    grids = []
    for r_i in range(s):
        for r_j in range(s):
            G = None
            for i in range(r_i, f, s):
                row = None  # the offsets (i, ·) of this residue, placed along the width
                for j in range(r_j, f, s):
                    q_j = j // s  # offset (i, j) = s·(q_i, q_j) + (r_i, r_j)
                    piece = stacked[i, j, ...]
                    placed = pad_axes(piece, (0, 0, q_j, W_q - n_W - q_j), axes, xp)
                    row = placed if row is None else row + placed
                if row is not None:
                    q_i = i // s
                    placed = pad_axes(row, (q_i, H_q - n_H - q_i, 0, 0), axes, xp)
                    G = placed if G is None else G + placed
            if G is None:  # no offset has this residue (f < s): zeros
                G = zeros_from(stacked, (*lead, H_q, W_q), xp)
            grids.append(G)
    if s == 1:
        return grids[0]
    # grid (r_i, r_j) holds rows r_i + s·q and columns r_j + s·q: interleave them.
    G = xp.reshape(xp.stack(grids, axis=-1), (*lead, H_q, W_q, s, s))
    G = xp.permute_dims(G, (*range(nd), nd, nd + 2, nd + 1, nd + 3))  # (..., H_q, s, W_q, s)
    G = xp.reshape(G, (*lead, H_q * s, W_q * s))
    return G[(..., slice(0, H), slice(0, W))]

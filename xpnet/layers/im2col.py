"""Gathering windows and folding them back: the array-API im2col and col2im that the
convolution and pooling layers share.

Images are seen along two spatial axes. :func:`windows` gives the f·f strided views of a
batch, one per kernel offset (i, j); :func:`patches` stacks them into the transposed
patch matrix from channel planes (n_C, m, n_H, n_W) (:func:`planes`), in which each
view moves whole rows; :func:`fold` is the transpose of :func:`windows`, the sum of the
offsets' pieces each shifted into place, written with ``concat``, ``reshape`` and
``sum`` only (no in-place update), so that every backend, JAX's immutable arrays and
traced steps included, runs the same lines.
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
    "skew_sum",
    "windows",
    "zeros_from",
]

Array = Any
Pads = tuple[int, int, int, int]  # (top, bottom, left, right)


def output_size(n_prev: int, f: int, stride: int, pad_total: int) -> int:
    """n = ⌊(n_prev + pad_total − f) / stride⌋ + 1, the course's output size."""
    return (n_prev + pad_total - f) // stride + 1  # n = ⌊(n_prev + 2·pad − f)/s⌋ + 1


def zeros_from(A: Array, shape: tuple[int, ...], xp: Any) -> Array:
    """Zeros of ``shape`` in A's dtype, on A's device (taken from A, as a trace can)."""
    return xp.broadcast_to(xp.zeros_like(A[(0,) * A.ndim]), shape)


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


def skew_sum(T: Array, xp: Any) -> Array:
    """Σ over (i, j) of T[i, j] shifted down i rows and right j columns: from T of shape
    (F_i, F_j, N, n_H, n_W) to (N, n_H + F_i − 1, n_W + F_j − 1).

    Each shift is a reshape: a row of length L padded with F zeros and read back with
    rows of length L + F − 1 moves row k right by k, so the whole sum is a few passes
    over T rather than one padded copy per offset.
    """
    F_i, F_j, N, n_H, n_W = T.shape
    T = xp.permute_dims(T, (0, 2, 3, 1, 4))  # (F_i, N, n_H, F_j, n_W)
    if F_j > 1:
        L = n_W + F_j
        T = pad_axes(T, (0, 0, 0, F_j), (3, 4), xp)  # (…, F_j, n_W + F_j)
        T = xp.reshape(T, (F_i, N, n_H, F_j * L))[..., : F_j * (L - 1)]
        T = xp.reshape(T, (F_i, N, n_H, F_j, L - 1))  # row j moved right by j
    R = xp.sum(T, axis=3)  # Σ_j, of shape (F_i, N, n_H, W')
    W_out = n_W + F_j - 1
    R = xp.permute_dims(R, (1, 0, 2, 3))  # (N, F_i, n_H, W')
    if F_i > 1:
        L = (n_H + F_i) * W_out
        R = pad_axes(R, (0, F_i, 0, 0), (2, 3), xp)  # (N, F_i, n_H + F_i, W')
        R = xp.reshape(R, (N, F_i * L))[..., : F_i * (L - W_out)]
        R = xp.reshape(R, (N, F_i, L - W_out))  # row i moved down by i rows
    G = xp.sum(xp.reshape(R, (N, F_i, (n_H + F_i - 1) * W_out)), axis=1)  # Σ_i
    return xp.reshape(G, (N, n_H + F_i - 1, W_out))


def fold(stacked: Array, shape: tuple[int, ...], f: int, stride: int, /, *, xp: Any) -> Array:
    """The transpose of :func:`windows` on the last two axes: Σ over the offsets (i, j)
    of ``stacked[i, j]`` (..., n_H, n_W) added at rows i + s·h and columns j + s·w of
    zeros of ``shape`` (..., H, W).

    ``stacked`` has shape (f, f, ..., n_H, n_W). Overlapping windows (f > stride) add
    up, as they must for a gradient.
    """
    *lead, H, W = shape
    n_H, n_W = stacked.shape[-2], stacked.shape[-1]
    N = 1
    for n in lead:
        N *= n
    s = stride
    H_q, W_q = -(-H // s), -(-W // s)  # each residue's sub-grid: ⌈H/s⌉ × ⌈W/s⌉
    T_all = xp.reshape(stacked, (f, f, N, n_H, n_W))
    grids = []
    for r_i in range(s):
        for r_j in range(s):
            # offsets (i, j) = s·(q_i, q_j) + (r_i, r_j) land on one sub-grid, at (q_i, q_j)
            T = T_all[r_i::s, r_j::s, ...]
            if T.shape[0] == 0 or T.shape[1] == 0:  # no offset has this residue (f < s)
                grids.append(zeros_from(T_all, (N, H_q, W_q), xp))
                continue
            G = skew_sum(T, xp)
            pads = (0, H_q - G.shape[1], 0, W_q - G.shape[2])
            grids.append(pad_axes(G, pads, (1, 2), xp))
    if s == 1:
        return xp.reshape(grids[0], (*lead, H, W))
    # grid (r_i, r_j) holds rows r_i + s·q and columns r_j + s·q: interleave them.
    G = xp.reshape(xp.stack(grids, axis=-1), (N, H_q, W_q, s, s))
    G = xp.permute_dims(G, (0, 1, 3, 2, 4))  # (N, H_q, s, W_q, s)
    G = xp.reshape(G, (N, H_q * s, W_q * s))[:, :H, :W]
    return xp.reshape(G, (*lead, H, W))

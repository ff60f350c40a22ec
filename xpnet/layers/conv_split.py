"""The convolution at stride 1 with its window split, forward and back: the window's
rows gathered from the input, its columns from the output side.

Images are seen as channel planes (:func:`~xpnet.layers.im2col.planes`): A_pad of shape
(n_C_prev, m, n_H + f − 1, W_pad) after padding, W_pad = n_W + f − 1 its padded width,
dZ (n_C, m, n_H, n_W), and W (f, f, n_C_prev, n_C) as in :mod:`~xpnet.layers.conv`. With
x running over the padded width and dZ zero outside its n_W columns,

    T_j[k, ·, h, x] = Σ_{i, c} W[i, j, c, k] · A_pad[c, ·, h + i, x]
    Z[k, ·, h, w] = Σ_j T_j[k, ·, h, w + j]
    dW[i, j, c, k] = Σ_{m, h, x} A_pad[c, m, h + i, x] · dZ[k, m, h, x − j]
    R_i[c, ·, h, x] = Σ_{j, k} W[i, j, c, k] · dZ[k, ·, h, x − j]
    dA_pad[c, ·, y, x] = Σ_i R_i[c, ·, y − i, x]

The f row-shifted copies of A_pad (f·n_C_prev rows, :func:`~xpnet.layers.im2col.shifts`)
and the f column-shifted copies of dZ (f·n_C rows) stand in for the patch matrix's f·f
shifted copies (f·f·n_C_prev rows): Z, dW and the R_i are one matrix product each, Z
sums f column-shifted slices, and dA_prev folds f pieces along the height instead of
the f·f offsets of col2im. That is the smaller pass when n_C < (f − 1)·n_C_prev
(:func:`split_pays`): large filters over few channels, where the patch matrix costs
most. The convolution layer calls these functions one piece of examples at a time.
"""

from __future__ import annotations

from typing import Any

from .im2col import Pads, pad_axes, planes, shifts

__all__ = ["split_backward", "split_elements", "split_forward", "split_pays"]

Array = Any


def split_pays(f: int, stride: int, n_C_prev: int, n_C: int) -> bool:
    """Whether to split the window: stride 1, and its two gathers, f·(n_C_prev + n_C)
    rows, fewer than the patch matrix's f·f·n_C_prev."""
    return stride == 1 and n_C < (f - 1) * n_C_prev


def split_elements(n_H: int, n_W: int, f: int, n_C_prev: int, n_C: int) -> int:
    """The elements of the largest matrix the split window holds for one example."""
    return n_H * (n_W + f - 1) * f * max(n_C_prev, n_C)


def split_forward(
    A_prev: Array, W: Array, pads: Pads, pieces: list[slice], /, *, xp: Any
) -> Array:
    """Z − b as planes (n_C, m, n_H, n_W), from A_prev (m, n_H_prev, n_W_prev, n_C_prev),
    W (f, f, n_C_prev, n_C) and ``pads``, one piece of examples at a time."""
    n_C_prev = A_prev.shape[3]
    f, n_C = W.shape[0], W.shape[3]
    n_H = A_prev.shape[1] + pads[0] + pads[1] - f + 1
    W_pad = A_prev.shape[2] + pads[2] + pads[3]
    n_W = W_pad - f + 1
    W_f = xp.reshape(xp.permute_dims(W, (1, 3, 0, 2)), (f * n_C, f * n_C_prev))  # [(j, k), (i, c)]
    Zs = []
    for s in pieces:
        A_pad = pad_axes(planes(A_prev[s, ...], xp=xp), pads, (2, 3), xp)
        m_s = A_pad.shape[1]
        A_rows = xp.reshape(shifts(A_pad, f, n_H, 2, xp=xp), (f * n_C_prev, m_s * n_H * W_pad))
        T = xp.reshape(
            W_f @ A_rows, (f, n_C, m_s, n_H, W_pad)
        )  # T_j = Σ_i W[i, j]ᵀ · A_pad[h + i]
        Z = T[0, :, :, :, :n_W]
        for j in range(1, f):
            Z = Z + T[j, :, :, :, j : j + n_W]  # Z[w] = Σ_j T_j[w + j]
        Zs.append(Z)
    return Zs[0] if len(Zs) == 1 else xp.concat(Zs, axis=1)


def split_backward(
    dZ: Array,
    A_prev: Array,
    W: Array,
    pads: Pads,
    pieces: list[slice],
    /,
    *,
    need_dA_prev: bool,
    xp: Any,
) -> tuple[Array | None, Array]:
    """dA_prev (m, n_H_prev, n_W_prev, n_C_prev), or None, and dW (f, f, n_C_prev, n_C):
    the course's sums over the examples, from dZ (m, n_H, n_W, n_C)."""
    n_H_prev, n_W_prev, n_C_prev = A_prev.shape[1], A_prev.shape[2], A_prev.shape[3]
    _, n_H, n_W, n_C = dZ.shape
    f = W.shape[0]
    W_pad = n_W + f - 1
    # W_r[(i, c), (t, k)] = W[i, f − 1 − t, c, k]: the copy t of dZ is shifted by j = f − 1 − t
    W_r = xp.reshape(xp.permute_dims(xp.flip(W, axis=1), (0, 2, 1, 3)), (f * n_C_prev, f * n_C))
    dZ_planes = planes(dZ, xp=xp)  # (n_C, m, n_H, n_W)
    top, _, left, _ = pads
    dW_r, dA_parts = None, []
    for s in pieces:
        A_pad = pad_axes(planes(A_prev[s, ...], xp=xp), pads, (2, 3), xp)
        size = A_pad.shape[1] * n_H * W_pad
        A_rows = xp.reshape(shifts(A_pad, f, n_H, 2, xp=xp), (f * n_C_prev, size))
        dZ_wide = pad_axes(dZ_planes[:, s, ...], (0, 0, f - 1, f - 1), (2, 3), xp)
        G = xp.reshape(shifts(dZ_wide, f, W_pad, 3, xp=xp), (f * n_C, size))
        term = A_rows @ G.T  # dW[i, j] = Σ A_pad[h + i, x] · dZ[h, x − j]
        dW_r = term if dW_r is None else dW_r + term
        if need_dA_prev:
            R = xp.reshape(W_r @ G, (f, n_C_prev, A_pad.shape[1], n_H, W_pad))  # the R_i
            dA_pad = pad_axes(R[0, ...], (0, f - 1, 0, 0), (2, 3), xp)
            for i in range(1, f):  # dA_pad[y] = Σ_i R_i[y − i]
                dA_pad = dA_pad + pad_axes(R[i, ...], (i, f - 1 - i, 0, 0), (2, 3), xp)
            dA_parts.append(dA_pad[:, :, top : top + n_H_prev, left : left + n_W_prev])
    dW = xp.reshape(dW_r, (f, n_C_prev, f, n_C))
    dW = xp.flip(xp.permute_dims(dW, (0, 2, 1, 3)), axis=1)  # back to (i, j, c, k)
    if not need_dA_prev:
        return None, dW
    dA_planes = dA_parts[0] if len(dA_parts) == 1 else xp.concat(dA_parts, axis=1)
    return xp.permute_dims(dA_planes, (1, 2, 3, 0)), dW  # back to (m, ·, ·, n_C_prev)

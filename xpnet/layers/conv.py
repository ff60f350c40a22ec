"""The convolution, forward and back, vectorised, and the layer :class:`Conv2D`.

Images are in the course's layout: A_prev has shape (m, n_H_prev, n_W_prev, n_C_prev),
W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C), Z and A (m, n_H, n_W, n_C), with

    n_H = ⌊(n_H_prev + pad_top + pad_bottom − f) / stride⌋ + 1   (n_W likewise).

The method (no Python loop over examples, output positions or channels):

- **Gather.** The f·f strided views ``A_pad[:, i::stride, j::stride, :]`` (one per kernel
  offset (i, j)) are stacked into the patch matrix P of shape
  (m·n_H·n_W, f·f·n_C_prev); then Z = P · W_mat + b is one matrix product, W_mat being
  W reshaped to (f·f·n_C_prev, n_C).
- **Scatter back** (col2im, :func:`fold`): the gradient dP = dZ · W_matᵀ returns to the
  image as a sum of shifted slices, each offset's piece padded with zeros into place.
  With a stride s the offsets that share a residue (i mod s, j mod s) land on the same
  sub-grid, summed there, and the s·s sub-grids are interleaved by one stack and
  reshape. Only ``concat``, ``stack``, ``reshape`` and ``+`` are used: no in-place
  update, so JAX's immutable arrays, PyTorch (eager and compiled), CuPy and
  array-api-strict's devices all run the same lines, with no extra dependency. The
  alternative, array-api-extra's ``at(x, idx).add(v)``, adds each piece into a
  strided slice instead, which on NumPy runs in place; the benchmarks in
  ``benchmarks/conv`` time both for the backward pass.

Memory: the patch matrix of a batch holds m·n_H·n_W·f²·n_C_prev elements (f² times the
input, for stride 1), and its gradient dP as many again during the backward pass. When
one batch would need more than :data:`MAX_PATCH_ELEMENTS`, the layer cuts it into
pieces of examples and runs them one after another, so that no pass holds more.

The forward cache keeps A_prev, not P: the backward pass gathers P again, which costs
one pass over memory and saves f² times the input's memory between the passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from array_api_compat import array_namespace

from .._checks import check_integer, registered
from ..activations import ACTIVATIONS, get_activation
from ..initializers import draw_layer

__all__ = [
    "MAX_PATCH_ELEMENTS",
    "Conv2D",
    "ConvCache",
    "conv2d_backward",
    "conv2d_forward",
    "fold",
    "output_size",
    "pad_images",
    "patches",
    "resolve_padding",
    "windows",
]

Array = Any
Pads = tuple[int, int, int, int]  # (top, bottom, left, right)

#: The most elements one pass's patch matrix may hold (2**26: 256 MB in float32); a
#: batch that would need more is run in pieces of examples.
MAX_PATCH_ELEMENTS = 2**26


def output_size(n_prev: int, f: int, stride: int, pad_total: int) -> int:
    """n = ⌊(n_prev + pad_total − f) / stride⌋ + 1, the course's output size."""
    return (n_prev + pad_total - f) // stride + 1  # n = ⌊(n_prev + 2·pad − f)/s⌋ + 1


def resolve_padding(pad: int | str, f: int, stride: int, n_H_prev: int, n_W_prev: int) -> Pads:
    """(top, bottom, left, right) for ``pad``: an int on every side, ``"valid"`` (none)
    or ``"same"``: n_H = ⌈n_H_prev / stride⌉, the extra row or column (an even f)
    at the bottom and right, as TensorFlow and Keras pad."""
    if pad == "valid":
        return (0, 0, 0, 0)
    if pad == "same":
        pads = []
        for n_prev in (n_H_prev, n_W_prev):
            total = max((-(-n_prev // stride) - 1) * stride + f - n_prev, 0)
            pads += [total // 2, total - total // 2]
        return (pads[0], pads[1], pads[2], pads[3])
    p = int(pad)
    return (p, p, p, p)


def _zeros(A: Array, shape: tuple[int, ...], xp: Any) -> Array:
    """Zeros of ``shape`` in A's dtype, on A's device (taken from A, as a trace can)."""
    return xp.broadcast_to(xp.zeros_like(A[:1, :1, :1, :1]), shape)


def pad_images(A: Array, pads: Pads, /, *, xp: Any = None) -> Array:
    """A of shape (m, n_H, n_W, n_C) with zero rows and columns around each image:
    (m, top + n_H + bottom, left + n_W + right, n_C)."""
    xp = array_namespace(A) if xp is None else xp
    top, bottom, left, right = pads
    if top or bottom:
        m, n_H, n_W, n_C = A.shape
        parts = [_zeros(A, (m, top, n_W, n_C), xp)] if top else []
        parts.append(A)
        if bottom:
            parts.append(_zeros(A, (m, bottom, n_W, n_C), xp))
        A = xp.concat(parts, axis=1)
    if left or right:
        m, n_H, n_W, n_C = A.shape
        parts = [_zeros(A, (m, n_H, left, n_C), xp)] if left else []
        parts.append(A)
        if right:
            parts.append(_zeros(A, (m, n_H, right, n_C), xp))
        A = xp.concat(parts, axis=2)
    return A


def windows(A: Array, f: int, stride: int, n_H: int, n_W: int, /) -> list[Array]:
    """The f·f strided views of A (m, ·, ·, n_C), each (m, n_H, n_W, n_C): view (i, j)
    holds, at (h, w), the element (i, j) of the window whose corner is (s·h, s·w)."""
    return [
        A[:, i : i + stride * (n_H - 1) + 1 : stride, j : j + stride * (n_W - 1) + 1 : stride, :]
        for i in range(f)
        for j in range(f)
    ]


def patches(A_pad: Array, f: int, stride: int, n_H: int, n_W: int, /, *, xp: Any) -> Array:
    """The patch matrix P of shape (m·n_H·n_W, f·f·n_C_prev): one row per output position,
    its window flattened in W's order (i, j, c)."""
    m, n_C_prev = A_pad.shape[0], A_pad.shape[3]
    P = xp.stack(windows(A_pad, f, stride, n_H, n_W), axis=3)  # (m, n_H, n_W, f·f, n_C_prev)
    return xp.reshape(P, (m * n_H * n_W, f * f * n_C_prev))


def fold(
    pieces: list[Array], shape: tuple[int, int, int, int], f: int, stride: int, /, *, xp: Any
) -> Array:
    """The transpose of :func:`windows`: Σ over the offsets (i, j) of ``pieces[i·f + j]``
    (m, n_H, n_W, n_C) added at rows i + s·h and columns j + s·w of zeros of ``shape``.

    Overlapping windows (f > stride) add up, as they must for a gradient.
    """
    m, H, W, n_C = shape
    n_H, n_W = pieces[0].shape[1], pieces[0].shape[2]
    s = stride
    H_q, W_q = -(-H // s), -(-W // s)  # each residue's sub-grid: ⌈H/s⌉ × ⌈W/s⌉
    grids = []
    for r_i in range(s):
        for r_j in range(s):
            G = None
            for i in range(r_i, f, s):
                row = None  # the offsets (i, ·) of this residue, placed along the width
                for j in range(r_j, f, s):
                    q_j = j // s  # offset (i, j) = s·(q_i, q_j) + (r_i, r_j)
                    placed = pad_images(pieces[i * f + j], (0, 0, q_j, W_q - n_W - q_j), xp=xp)
                    row = placed if row is None else row + placed
                if row is not None:
                    q_i = i // s
                    placed = pad_images(row, (q_i, H_q - n_H - q_i, 0, 0), xp=xp)
                    G = placed if G is None else G + placed
            if G is None:  # no offset has this residue (f < s): zeros
                G = _zeros(pieces[0], (m, H_q, W_q, n_C), xp)
            grids.append(G)
    if s == 1:
        return grids[0]
    # grid (r_i, r_j) holds rows r_i + s·q and columns r_j + s·q: interleave them.
    G = xp.stack(grids, axis=3)  # (m, H_q, W_q, s·s, n_C)
    G = xp.reshape(G, (m, H_q, W_q, s, s, n_C))
    G = xp.permute_dims(G, (0, 1, 3, 2, 4, 5))  # (m, H_q, s, W_q, s, n_C)
    G = xp.reshape(G, (m, H_q * s, W_q * s, n_C))
    return G[:, :H, :W, :]


class ConvCache(NamedTuple):
    """What the convolution's backward pass needs: its input, its filters and geometry."""

    A_prev: Array
    W: Array
    stride: int
    pads: Pads


def _pieces(m: int, per_example: int) -> list[slice]:
    """Slices of the m examples, each piece's patch matrix within MAX_PATCH_ELEMENTS."""
    size = max(1, MAX_PATCH_ELEMENTS // max(per_example, 1))
    return [slice(start, min(start + size, m)) for start in range(0, m, size)]


def conv2d_forward(
    A_prev: Array, W: Array, b: Array, /, *, stride: int = 1, pads: Pads = (0, 0, 0, 0), xp: Any
) -> tuple[Array, ConvCache]:
    """Z = conv(A_prev, W) + b, of shape (m, n_H, n_W, n_C).

    Parameters
    ----------
    A_prev : array of shape (m, n_H_prev, n_W_prev, n_C_prev)
    W : array of shape (f, f, n_C_prev, n_C)
    b : array of shape (1, 1, 1, n_C)
    stride : int
    pads : (top, bottom, left, right)
    """
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, n_C = W.shape[0], W.shape[3]
    n_H = output_size(n_H_prev, f, stride, pads[0] + pads[1])
    n_W = output_size(n_W_prev, f, stride, pads[2] + pads[3])
    W_mat = xp.reshape(W, (f * f * n_C_prev, n_C))
    Zs = []
    for s in _pieces(m, n_H * n_W * f * f * n_C_prev):
        A_pad = pad_images(A_prev[s, ...], pads, xp=xp)
        P = patches(A_pad, f, stride, n_H, n_W, xp=xp)
        Zs.append(xp.reshape(P @ W_mat, (A_pad.shape[0], n_H, n_W, n_C)))  # Z = P · W_mat
    Z = Zs[0] if len(Zs) == 1 else xp.concat(Zs, axis=0)
    return Z + b, ConvCache(A_prev, W, stride, pads)  # Z = conv(A_prev, W) + b


def conv2d_backward(
    dZ: Array, cache: ConvCache, /, *, need_dA_prev: bool = True, xp: Any
) -> tuple[Array | None, Array, Array]:
    """The course's sums over the examples: dA_prev, dW = Σ P_iᵀ·dZ_i and db = Σ dZ.

    Divide dW and db by m for the gradient of the mean cost (:class:`Conv2D` does).

    Returns
    -------
    dA_prev : array of shape (m, n_H_prev, n_W_prev, n_C_prev), or None
    dW : array of shape (f, f, n_C_prev, n_C)
    db : array of shape (1, 1, 1, n_C)
    """
    A_prev, W, stride, pads = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    _, n_H, n_W, n_C = dZ.shape
    f = W.shape[0]
    W_mat = xp.reshape(W, (f * f * n_C_prev, n_C))
    dW_mat, dA_parts = None, []
    for s in _pieces(m, n_H * n_W * f * f * n_C_prev):
        A_pad = pad_images(A_prev[s, ...], pads, xp=xp)
        m_s = A_pad.shape[0]
        P = patches(A_pad, f, stride, n_H, n_W, xp=xp)
        dZ_mat = xp.reshape(dZ[s, ...], (m_s * n_H * n_W, n_C))
        term = P.T @ dZ_mat  # dW = Σ Pᵀ · dZ
        dW_mat = term if dW_mat is None else dW_mat + term
        if need_dA_prev:
            dP = W_mat @ dZ_mat.T  # dPᵀ = W_mat · dZᵀ, of shape (f·f·n_C_prev, m·n_H·n_W)
            dP = xp.reshape(dP, (f * f, n_C_prev, m_s, n_H, n_W))  # offset k = (i, j) first
            pieces = [xp.permute_dims(dP[k, ...], (1, 2, 3, 0)) for k in range(f * f)]
            dA_pad = fold(pieces, tuple(A_pad.shape), f, stride, xp=xp)  # dA_prev = col2im(dP)
            top, _, left, _ = pads
            dA_parts.append(dA_pad[:, top : top + n_H_prev, left : left + n_W_prev, :])
    dW = xp.reshape(dW_mat, W.shape)
    db = xp.reshape(xp.sum(dZ, axis=(0, 1, 2)), (1, 1, 1, n_C))  # db = Σ dZ
    if not need_dA_prev:
        return None, dW, db
    return (dA_parts[0] if len(dA_parts) == 1 else xp.concat(dA_parts, axis=0)), dW, db


@dataclass(frozen=True)
class Conv2D:
    """Layer l: Z = conv(A_prev, W[l]) + b[l], then A = g(Z) (Z itself without activation).

    Parameters
    ----------
    l : int
        The layer's index: it owns ``W{l}`` of shape (f, f, n_C_prev, n_C) and ``b{l}``
        of shape (1, 1, 1, n_C).
    n_C : int
        The number of filters.
    f : int
        The filters' height and width.
    stride : int
    pad : int, "valid" or "same"
        Zero rows and columns on each side; ``"same"`` keeps n_H = ⌈n_H_prev / stride⌉.
    activation : str or None
        One of the registered activations, or None for Z itself.
    """

    l: int  # noqa: E741 (the course's layer index)
    n_C: int  # noqa: N815 (the course's name)
    f: int
    stride: int = 1
    pad: int | str = 0
    activation: str | None = "relu"

    #: Examples lie along axis 0 of the input (m, n_H_prev, n_W_prev, n_C_prev).
    sample_axis: ClassVar[int] = 0

    def __post_init__(self) -> None:
        for name in ("l", "n_C", "f", "stride"):
            check_integer(f"Conv2D {name}", getattr(self, name))
        if not (self.pad in ("valid", "same") or isinstance(self.pad, int)) or (
            isinstance(self.pad, bool) or (isinstance(self.pad, int) and self.pad < 0)
        ):
            raise ValueError(
                "Invalid Conv2D pad. Expected an int ≥ 0, 'valid' or 'same'. "
                f"Received: pad={self.pad!r}"
            )
        if self.activation is not None:
            registered("Conv2D activation", ACTIVATIONS, self.activation)

    @property
    def names(self) -> tuple[str, str, str, str]:
        """``("W{l}", "b{l}", "dW{l}", "db{l}")``."""
        l = self.l  # noqa: E741 (the course's layer index)
        return f"W{l}", f"b{l}", f"dW{l}", f"db{l}"

    def padding(self, input_shape: tuple[int, ...]) -> Pads:
        """(top, bottom, left, right) for an input of shape (m, n_H_prev, n_W_prev, ·)."""
        return resolve_padding(self.pad, self.f, self.stride, input_shape[1], input_shape[2])

    def output_shape(self, input_shape: tuple[int, ...], parameters: Any = None) -> tuple:
        """(m, n_H, n_W, n_C) from (m, n_H_prev, n_W_prev, n_C_prev)."""
        top, bottom, left, right = self.padding(input_shape)
        n_H = output_size(input_shape[1], self.f, self.stride, top + bottom)
        n_W = output_size(input_shape[2], self.f, self.stride, left + right)
        if n_H < 1 or n_W < 1:
            raise ValueError(
                f"Invalid input to Conv2D({self.l}). Expected images of at least "
                f"{self.f}×{self.f} after padding. Received: input of shape {input_shape}"
            )
        return (input_shape[0], n_H, n_W, self.n_C)

    def parameter_shapes(self, n_C_prev: int) -> dict[str, tuple[int, ...]]:
        """``{"W{l}": (f, f, n_C_prev, n_C), "b{l}": (1, 1, 1, n_C)}``."""
        W_name, b_name, _, _ = self.names
        return {W_name: (self.f, self.f, n_C_prev, self.n_C), b_name: (1, 1, 1, self.n_C)}

    def fan_in(self, n_C_prev: int) -> int:
        """f·f·n_C_prev, the inputs of one output unit."""
        return self.f * self.f * n_C_prev

    def draw(self, rng: Any, n_C_prev: int, method: str, scale: float) -> dict[str, Any]:
        """W{l} and b{l} drawn on the host (NumPy) by an initialisation of
        :mod:`xpnet.initializers`, with fan-in f·f·n_C_prev and fan-out n_C.

        The draw is that of a dense layer of shape (n_C, f·f·n_C_prev), each row one
        filter in W's order (i, j, c).
        """
        W_rows, b = draw_layer(rng, (self.n_C, self.fan_in(n_C_prev)), method, scale)
        W = W_rows.reshape(self.n_C, self.f, self.f, n_C_prev).transpose(1, 2, 3, 0)
        W_name, b_name, _, _ = self.names
        return {W_name: W, b_name: b.reshape(1, 1, 1, self.n_C)}

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, tuple[ConvCache, Array | None]]:
        W_name, b_name, _, _ = self.names
        W, b = parameters[W_name], parameters[b_name]
        pads = self.padding(tuple(A_prev.shape))
        Z, cache = conv2d_forward(A_prev, W, b, stride=self.stride, pads=pads, xp=xp)
        if self.activation is None:
            return Z, (cache, None)
        A = get_activation(self.activation).fn(Z, xp=xp)  # A = g(Z)
        return A, (cache, A)

    def backward(
        self, dA: Array, cache: tuple[ConvCache, Array | None], *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        """dA is ∂J/∂A[l] (times m); dW and db are the gradients of the mean cost."""
        conv_cache, A = cache
        if A is None:
            dZ = dA
        else:
            g_prime = get_activation(str(self.activation)).derivative
            dZ = dA * g_prime(A=A, xp=xp)  # dZ = dA ∗ g'(Z), through A = g(Z)
        dA_prev, dW, db = conv2d_backward(dZ, conv_cache, need_dA_prev=need_dA_prev, xp=xp)
        m = dZ.shape[0]
        _, _, dW_name, db_name = self.names
        return dA_prev, {dW_name: dW / m, db_name: db / m}  # dW = 1/m · Σ, db = 1/m · Σ

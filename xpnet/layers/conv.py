"""The convolution, forward and back, vectorised, and the layer :class:`Conv2D`.

Images are in the course's layout: A_prev has shape (m, n_H_prev, n_W_prev, n_C_prev),
W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C), Z and A (m, n_H, n_W, n_C), with

    n_H = ⌊(n_H_prev + pad_top + pad_bottom − f) / stride⌋ + 1   (n_W likewise).

The method (no Python loop over examples, output positions or channels; a loop over
the kernel offsets):

- **Gather.** The images are seen as channel planes (n_C_prev, m, n_H_prev, n_W_prev)
  (:func:`~xpnet.layers.im2col.planes`), so that each kernel offset (i, j) is a strided view
  ``A_pad[..., i::stride, j::stride]`` read and written in whole rows. The f·f views
  stack into the transposed patch matrix Pᵀ of shape (f·f·n_C_prev, m·n_H·n_W), and
  Zᵀ = W_matᵀ · Pᵀ is one matrix product, W_mat being W reshaped to
  (f·f·n_C_prev, n_C). Z comes out transposed, as planes (n_C, m, n_H, n_W), and is
  returned as a view of shape (m, n_H, n_W, n_C): the product reads Pᵀ in its own
  order (P · W_mat would read it across its rows), and the next layer's gather, which
  starts from planes, reads the view in order. dW = Pᵀ · dZ likewise takes dZ as planes,
  dZᵀ of shape (n_C, m·n_H·n_W).
- **Scatter back** (col2im, :func:`~xpnet.layers.im2col.fold`): dPᵀ = W_mat · dZᵀ
  returns to the image as a sum of shifted slices: each offset's plane is padded with
  zeros into place, the offsets of one kernel row summed along the width before the
  row is placed in height. With a stride s the offsets that share a residue
  (i mod s, j mod s) land on the same sub-grid, summed there, and the s·s sub-grids are
  interleaved by one stack and reshape. Only ``concat``, ``stack``, ``reshape`` and
  ``+`` are used, no in-place update (array-api-extra's ``at(x, idx).add(v)`` cannot be
  traced by ``torch.compile`` and has no JAX form without a branch per backend), so that
  JAX's immutable arrays, PyTorch eager and compiled, CuPy and array-api-strict's
  devices run the same lines.
- **Split window** (stride 1, when n_C < (f − 1)·n_C_prev;
  :mod:`~xpnet.layers.conv_split`). The f·f offsets cost f² copies of the input in Pᵀ
  and f² pieces of dP folded back one by one. At stride 1 the window's rows can be
  gathered from the input and its columns from the output side: f row-shifted copies
  of A_pad and f column-shifted copies of dZ, f·(n_C_prev + n_C) rows in all, give Z, dW
  and dA_prev with one matrix product each and a fold of f pieces along the height.
  That is the smaller pass for large filters over few channels, where the patch matrix
  costs most; elsewhere (few input channels into many filters, strides above 1) the
  patch matrix and the fold are the smaller passes and stay.

Memory: the patch matrix of a batch holds m·n_H·n_W·f²·n_C_prev elements (f² times the
input, for stride 1), and its gradient dP as many again during the backward pass; the
split window's largest matrix holds m·n_H·(n_W + f − 1)·f·max(n_C_prev, n_C). The layer cuts a
batch into pieces of examples, run one after another, so that no piece's matrix holds
more than :data:`MAX_PATCH_ELEMENTS`. The bound is a few megabytes, not the most memory
can hold: the passes over a piece stay in the processor's cache, and the pieces' memory
is reused from the allocator's heap instead of being mapped afresh for every array.

The forward cache keeps A_prev, not P: the backward pass gathers again, which costs
one pass over memory and saves f² times the input's memory between the passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from .._checks import check_integer, registered
from ..activations import ACTIVATIONS, get_activation
from ..initializers import draw_layer
from .conv_split import split_backward, split_elements, split_forward, split_pays
from .im2col import Pads, fold, output_size, pad_axes, patches, planes

__all__ = [
    "MAX_PATCH_ELEMENTS",
    "Conv2D",
    "ConvCache",
    "conv2d_backward",
    "conv2d_forward",
    "resolve_padding",
]

Array = Any

#: The most elements one piece's patch matrix (or the split window's largest matrix)
#: may hold (2**20: 4 MB in float32); a batch that would need more is run in pieces
#: of examples.
MAX_PATCH_ELEMENTS = 2**20


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


class ConvCache(NamedTuple):
    """What the convolution's backward pass needs: its input, its filters and geometry."""

    A_prev: Array
    W: Array
    stride: int
    pads: Pads


def _pieces(m: int, per_example: int) -> list[slice]:
    """Slices of the m examples, each piece's largest matrix within MAX_PATCH_ELEMENTS."""
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
    if split_pays(f, stride, n_C_prev, n_C):
        pieces = _pieces(m, split_elements(n_H, n_W, f, n_C_prev, n_C))
        Z = split_forward(A_prev, W, pads, pieces, xp=xp)
    else:
        W_T = xp.reshape(W, (f * f * n_C_prev, n_C)).T
        Zs = []
        for s in _pieces(m, n_H * n_W * f * f * n_C_prev):
            A_pad = pad_axes(planes(A_prev[s, ...], xp=xp), pads, (2, 3), xp)
            P_T = patches(A_pad, f, stride, n_H, n_W, xp=xp)
            Zs.append(xp.reshape(W_T @ P_T, (n_C, A_pad.shape[1], n_H, n_W)))  # Zᵀ = W_matᵀ · Pᵀ
        Z = Zs[0] if len(Zs) == 1 else xp.concat(Zs, axis=1)
    return xp.permute_dims(Z, (1, 2, 3, 0)) + b, ConvCache(A_prev, W, stride, pads)  # Z + b


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
    db = xp.reshape(xp.sum(dZ, axis=(0, 1, 2)), (1, 1, 1, n_C))  # db = Σ dZ
    if split_pays(f, stride, n_C_prev, n_C):
        pieces = _pieces(m, split_elements(n_H, n_W, f, n_C_prev, n_C))
        dA_prev, dW = split_backward(dZ, A_prev, W, pads, pieces, need_dA_prev=need_dA_prev, xp=xp)
        return dA_prev, dW, db
    W_mat = xp.reshape(W, (f * f * n_C_prev, n_C))
    dZ_planes = planes(dZ, xp=xp)  # (n_C, m, n_H, n_W)
    top, _, left, _ = pads
    dW_mat, dA_parts = None, []
    for s in _pieces(m, n_H * n_W * f * f * n_C_prev):
        A_pad = pad_axes(planes(A_prev[s, ...], xp=xp), pads, (2, 3), xp)
        m_s = A_pad.shape[1]
        P_T = patches(A_pad, f, stride, n_H, n_W, xp=xp)
        dZ_T = xp.reshape(dZ_planes[:, s, ...], (n_C, m_s * n_H * n_W))
        term = P_T @ dZ_T.T  # dW = Σ Pᵀ · dZ
        dW_mat = term if dW_mat is None else dW_mat + term
        if need_dA_prev:
            dP_T = W_mat @ dZ_T  # dPᵀ = W_mat · dZᵀ, of shape (f·f·n_C_prev, m·n_H·n_W)
            dP_T = xp.reshape(dP_T, (f, f, n_C_prev, m_s, n_H, n_W))
            dA_pad = fold(dP_T, tuple(A_pad.shape), f, stride, xp=xp)  # dA_prev = col2im(dP)
            dA_parts.append(dA_pad[:, :, top : top + n_H_prev, left : left + n_W_prev])
    dW = xp.reshape(dW_mat, W.shape)
    if not need_dA_prev:
        return None, dW, db
    dA_planes = dA_parts[0] if len(dA_parts) == 1 else xp.concat(dA_parts, axis=1)
    return xp.permute_dims(dA_planes, (1, 2, 3, 0)), dW, db  # back to (m, ·, ·, n_C_prev)


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

"""The course's building blocks, and the layers the engine stacks from them.

The equations: one linear unit, linear → activation, and inverted dropout, forward and
back. The layers: :class:`Dense` (layer l, with its parameters ``W{l}`` and ``b{l}``)
and :class:`Dropout`, each a forward/backward pair over those equations; a network is
a list of them (:mod:`xpnet.network`).

Examples are columns: ``A_prev`` has shape (n_prev, m), ``W`` (n, n_prev), ``b`` (n, 1).
Every function works on any array-API backend; arrays stay on their device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from array_api_compat import array_namespace

from .._checks import check_fraction
from ..activations import get_activation, softmax
from ..initializers import uniform

__all__ = [
    "Cache",
    "Dense",
    "Dropout",
    "LinearCache",
    "dropout_backward",
    "dropout_forward",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
]

Array = Any


class LinearCache(NamedTuple):
    """What the linear step's backward pass needs: its inputs."""

    A_prev: Array
    W: Array
    b: Array


class Cache(NamedTuple):
    """One layer's forward values: the linear inputs, Z and A = g(Z).

    The backward pass needs only ``linear`` and ``A`` (every g' is written through A);
    :func:`xpnet.network.L_model_forward` keeps Z of the output layer only.
    """

    linear: LinearCache
    Z: Array
    A: Array


def linear_forward(
    A_prev: Array, W: Array, b: Array, /, *, xp: Any = None
) -> tuple[Array, LinearCache]:
    """Z = W·A_prev + b.

    Returns
    -------
    Z : array of shape (n, m)
    cache : LinearCache
    """
    Z = W @ A_prev + b  # Z = W·A_prev + b
    return Z, LinearCache(A_prev, W, b)


def linear_backward(
    dZ: Array, cache: LinearCache, /, *, need_dA_prev: bool = True, xp: Any = None
) -> tuple[Array | None, Array, Array]:
    """The gradients of the linear step from dZ = ∂J/∂Z.

    Parameters
    ----------
    dZ : array of shape (n, m)
    cache : LinearCache
    need_dA_prev : bool
        False skips dA_prev (None is returned): the first layer has no use for it, and
        it costs as much as dW.

    Returns
    -------
    dA_prev : array of shape (n_prev, m), or None
    dW : array of shape (n, n_prev)
    db : array of shape (n, 1)
    """
    xp = array_namespace(dZ) if xp is None else xp
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = (dZ @ A_prev.T) / m  # dW = 1/m · dZ · A_prevᵀ
    db = xp.sum(dZ, axis=1, keepdims=True) / m  # db = 1/m · Σ dZ
    dA_prev = W.T @ dZ if need_dA_prev else None  # dA_prev = Wᵀ · dZ
    return dA_prev, dW, db


def linear_activation_forward(
    A_prev: Array, W: Array, b: Array, /, activation: str, *, keep_Z: bool = True, xp: Any = None
) -> tuple[Array, Cache]:
    """A = g(W·A_prev + b), with g one of the registered activations or ``"softmax"``.

    Parameters
    ----------
    keep_Z : bool
        False leaves Z out of the cache (None): backprop needs only A, and letting Z go
        saves a layer's worth of memory.

    Returns
    -------
    A : array of shape (n, m)
    cache : Cache
    """
    xp = array_namespace(A_prev) if xp is None else xp
    g = softmax if activation == "softmax" else get_activation(activation).fn
    Z, linear_cache = linear_forward(A_prev, W, b, xp=xp)
    A = g(Z, xp=xp)  # A = g(Z)
    return A, Cache(linear_cache, Z if keep_Z else None, A)


def linear_activation_backward(
    dA: Array, cache: Cache, /, activation: str, *, need_dA_prev: bool = True, xp: Any = None
) -> tuple[Array | None, Array, Array]:
    """Back through A = g(W·A_prev + b): dZ = dA ∗ g'(Z), then the linear step.

    g'(Z) is computed from ``cache.A``; ``cache.Z`` is not needed.

    Returns
    -------
    dA_prev, dW, db : as :func:`linear_backward`
    """
    xp = array_namespace(dA) if xp is None else xp
    g_prime = get_activation(activation).derivative
    dZ = dA * g_prime(A=cache.A, xp=xp)  # dZ = dA ∗ g'(Z), through A = g(Z)
    return linear_backward(dZ, cache.linear, need_dA_prev=need_dA_prev, xp=xp)


def dropout_forward(A: Array, D: Array, keep_prob: float, /) -> Array:
    """Inverted dropout: A = A ∗ D / keep_prob, with D the mask of kept units (0 or 1)."""
    return Dropout(keep_prob).forward(A, {}, mask=D, xp=None)[0]


def dropout_backward(dA: Array, D: Array, keep_prob: float, /) -> Array:
    """The same mask and scale on the way back: dA = dA ∗ D / keep_prob."""
    return Dropout(keep_prob).backward(dA, D, need_dA_prev=True, xp=None)[0]


#: The keys of layers 0 to 63, built once: a step reads them without formatting a string.
_NAMES = tuple((f"W{l}", f"b{l}", f"dW{l}", f"db{l}") for l in range(64))  # noqa: E741


@dataclass(frozen=True)
class Dense:
    """Layer l: Z = W[l]·A_prev + b[l], then A = g(Z).

    The output layer has no activation (``activation=None``): it gives its logits Z,
    and the network's output head turns them into A[L] and the cost. ``names`` are its
    parameters' and gradients' keys, built from the layer's own l, which a traced step
    reads as a constant.
    """

    l: int  # noqa: E741 (the course's layer index)
    activation: str | None = None

    sample_axis = 1  # A_prev of shape (n_prev, m): examples are columns

    @property
    def names(self) -> tuple[str, str, str, str]:
        """``("W{l}", "b{l}", "dW{l}", "db{l}")``, from the constant l (never a traced value)."""
        l = self.l  # noqa: E741 (the course's layer index)
        return _NAMES[l] if l < len(_NAMES) else (f"W{l}", f"b{l}", f"dW{l}", f"db{l}")

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, Cache]:
        W_name, b_name, _, _ = self.names
        W, b = parameters[W_name], parameters[b_name]
        if self.activation is None:
            Z, linear = linear_forward(A_prev, W, b, xp=xp)
            return Z, Cache(linear, Z, None)
        return linear_activation_forward(A_prev, W, b, self.activation, keep_Z=False, xp=xp)

    def backward(
        self, dA: Array, cache: Cache, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        """dA is ∂J/∂A[l], or ∂J/∂Z[l] for the output layer."""
        if self.activation is None:
            dA_prev, dW, db = linear_backward(dA, cache.linear, need_dA_prev=need_dA_prev, xp=xp)
        else:
            dA_prev, dW, db = linear_activation_backward(
                dA, cache, self.activation, need_dA_prev=need_dA_prev, xp=xp
            )
        _, _, dW_name, db_name = self.names
        return dA_prev, {dW_name: dW, db_name: db}

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        """(n, m): W[l]'s rows by the input's examples."""
        return (parameters[self.names[0]].shape[0], input_shape[1])


@dataclass(frozen=True)
class Dropout:
    """Inverted dropout on the activations before it, while training only.

    The mask D = (U < keep_prob), U uniform on [0, 1), is drawn on the host (the
    course's ``np.random.rand``) by :meth:`draw`, before the step, and passed to the
    forward pass: a compiled step takes it as an input, so one seed gives the same
    masks eagerly and compiled. With no mask, at prediction time, the layer does nothing.
    """

    keep_prob: float

    sample_axis = 1  # as the layer before it: the course's columns

    def __post_init__(self) -> None:
        check_fraction("keep_prob", self.keep_prob)  # once: 0 would divide A ∗ D by zero

    def draw(self, rng: Any, shape: tuple[int, ...], *, dtype: Any, device: Any, xp: Any) -> Array:
        """D of ``shape``, the shape of A before it: 1 for the units kept, with
        probability ``keep_prob``."""
        D = uniform(rng, shape) < self.keep_prob  # D = rand(shape of A) < keep_prob
        return xp.asarray(D, dtype=dtype, device=device)

    def forward(
        self, A: Array, parameters: dict[str, Array], *, mask: Array | None = None, xp: Any
    ) -> tuple[Array, Array | None]:
        if mask is None:
            return A, None
        D = mask
        return A * D / self.keep_prob, D  # A = A ∗ D / keep_prob

    def backward(
        self, dA: Array, D: Array | None, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array, dict[str, Array]]:
        if D is None:
            return dA, {}
        return dA * D / self.keep_prob, {}  # dA = dA ∗ D / keep_prob

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        """The input's shape: dropout keeps it."""
        return input_shape

"""Activation functions g(Z) and their derivatives g'(Z), as the course writes them.

Each activation is a pair of plain functions. Every derivative is written through the
forward output A = g(Z), which the forward pass already holds:

    σ'(Z) = A·(1 − A),   tanh'(Z) = 1 − A²,   ReLU'(Z) = 1[A > 0],   leaky ReLU'(Z) = 1 or 0.01,
    and the identity's g'(Z) = 1 (a linear layer, and a regressor's output)

so backprop needs no hidden-layer Z. The derivatives take ``A`` by keyword only
(``relu_derivative(A=A)``), so that passing Z is an error, not a wrong gradient. Every
function works elementwise, on any shape and any array-API backend.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

from array_api_compat import array_namespace

from ._checks import registered
from .backend import Backend, get_backend

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "identity",
    "identity_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "tanh",
    "tanh_derivative",
]

Array = Any
LEAKY_SLOPE = 0.01


def _prepare(Z: Any) -> tuple[Array, Any]:
    """Z as a floating array and its namespace, for the course's calls with numbers
    (``sigmoid(0)``) or integer arrays; the engine passes ``xp`` and skips this."""
    if isinstance(Z, numbers.Real):
        backend = get_backend()
        return backend.put(float(Z)), backend.xp
    xp = array_namespace(Z)
    if not xp.isdtype(Z.dtype, "real floating"):
        Z = xp.astype(Z, Backend.of(Z).dtype)
    return Z, xp


def clip(Z: Array, low: float | None, high: float | None, /, *, xp: Any) -> Array:
    """Z clipped to [low, high] (None: no bound): ``xp.clip`` on PyTorch, which
    ``torch.compile`` traces whole, ``maximum`` and ``minimum`` elsewhere, where they are
    cheaper."""
    if xp.__name__.endswith("torch"):  # array-api-compat's torch namespace
        return xp.clip(Z, min=low, max=high)
    if low is not None:
        Z = xp.maximum(Z, low)
    return Z if high is None else xp.minimum(Z, high)


def sigmoid(Z: Array, /, *, xp: Any = None) -> Array:
    """σ(Z) = 1 / (1 + e^(−Z)), without overflow at any Z: Z is first clipped to
    ±(log of the dtype's largest number − 1), beyond which σ is 0 or 1 to within the
    dtype's smallest normal number."""
    if xp is None:  # a call from the course's code: numbers and integers allowed
        Z, xp = _prepare(Z)
    bound = math.log(xp.finfo(Z.dtype).max) - 1  # the largest z whose e^z is finite, less 1
    Z = clip(Z, -bound, bound, xp=xp)
    return 1 / (1 + xp.exp(-Z))  # σ(Z) = 1/(1 + e^(−Z))


def sigmoid_derivative(*, A: Array, xp: Any = None) -> Array:
    """σ'(Z) = σ(Z)·(1 − σ(Z)) = A·(1 − A), from ``A = σ(Z)``."""
    return A * (1 - A)


def tanh(Z: Array, /, *, xp: Any = None) -> Array:
    """tanh(Z)."""
    if xp is None:  # a call from the course's code: numbers and integers allowed
        Z, xp = _prepare(Z)
    return xp.tanh(Z)


def tanh_derivative(*, A: Array, xp: Any = None) -> Array:
    """tanh'(Z) = 1 − tanh²(Z) = 1 − A², from ``A = tanh(Z)``."""
    return 1 - A * A


def relu(Z: Array, /, *, xp: Any = None) -> Array:
    """ReLU(Z) = max(0, Z)."""
    if xp is None:  # a call from the course's code: numbers and integers allowed
        Z, xp = _prepare(Z)
    return clip(Z, 0.0, None, xp=xp)  # max(0, Z)


def relu_derivative(*, A: Array, xp: Any = None) -> Array:
    """ReLU'(Z) = 1 where Z > 0, else 0, from ``A = ReLU(Z)`` (A > 0 exactly there)."""
    xp = array_namespace(A) if xp is None else xp
    return xp.astype(A > 0, A.dtype)


def leaky_relu(Z: Array, /, *, xp: Any = None) -> Array:
    """Leaky ReLU(Z) = Z where Z > 0, else 0.01·Z."""
    if xp is None:  # a call from the course's code: numbers and integers allowed
        Z, xp = _prepare(Z)
    return xp.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_derivative(*, A: Array, xp: Any = None) -> Array:
    """Leaky ReLU'(Z) = 1 where Z > 0, else 0.01; from ``A``, which has the sign of Z."""
    xp = array_namespace(A) if xp is None else xp
    return LEAKY_SLOPE + (1 - LEAKY_SLOPE) * xp.astype(A > 0, A.dtype)


def softmax(Z: Array, /, *, xp: Any = None) -> Array:
    """softmax of Z (K, m) over axis 0: A[k, i] = e^Z[k, i] / Σ_j e^Z[j, i], the column
    maximum subtracted first, so no e^Z overflows."""
    if xp is None:  # a call from the course's code: numbers and integers allowed
        Z, xp = _prepare(Z)
    E = xp.exp(Z - xp.max(Z, axis=0, keepdims=True))
    return E / xp.sum(E, axis=0, keepdims=True)


def identity(Z: Array, /, *, xp: Any = None) -> Array:
    """g(Z) = Z: a linear layer, and the output of a regressor."""
    if xp is None:
        Z, xp = _prepare(Z)
    return Z


def identity_derivative(*, A: Array, xp: Any = None) -> Array:
    """g'(Z) = 1, of A's shape, dtype and device."""
    return A * 0 + 1


class Activation(NamedTuple):
    """An activation g and its derivative g', the latter written through A = g(Z)."""

    name: str
    fn: Callable[..., Array]
    derivative: Callable[..., Array]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "relu": Activation("relu", relu, relu_derivative),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative),
    "identity": Activation("identity", identity, identity_derivative),
}


def get_activation(name: str) -> Activation:
    """The activation registered under ``name`` (one of :data:`ACTIVATIONS`)."""
    return registered("activation", ACTIVATIONS, name)

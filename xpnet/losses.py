"""The cost J and the output heads: a sigmoid or a softmax with its cross-entropy, and
the identity with the mean squared error (a regressor).

Costs are computed from the logits ``Z``, so that they stay finite for any Z, and every
head shares the output gradient dZ = A − Y. Examples are columns: Z and Y have shape
(1, m), or (K, m) for a softmax, K sigmoids (multilabel) or K regression targets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from array_api_compat import array_namespace

from ._checks import registered
from .activations import identity, sigmoid, softmax

__all__ = [
    "OUTPUTS",
    "Output",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "get_output",
    "log_softmax",
    "mean_squared_error",
    "softplus",
]

Array = Any


def softplus(Z: Array, /, *, xp: Any = None) -> Array:
    """softplus(Z) = log(1 + e^Z) = log(e^0 + e^Z), finite for any Z; the 0 is taken
    from Z (not a Python float, which ``torch.compile`` cannot trace here)."""
    xp = array_namespace(Z) if xp is None else xp
    zero = xp.clip(Z[(slice(0, 1),) * Z.ndim], min=0.0, max=0.0)
    return xp.logaddexp(Z, zero)  # log(e^0 + e^Z)


def _bce_losses(Z: Array, Y: Array, xp: Any) -> Array:
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), so the loss of one
    # example is softplus(z) − y·z.
    return softplus(Z, xp=xp) - Y * Z


def log_softmax(Z: Array, /, *, xp: Any = None) -> Array:
    """log softmax(Z) = Z − log Σ_k e^Z[k] over axis 0, finite for any Z (the column
    maximum is subtracted first)."""
    xp = array_namespace(Z) if xp is None else xp
    shifted = Z - xp.max(Z, axis=0, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=0, keepdims=True))


def _cce_losses(Z: Array, Y: Array, xp: Any) -> Array:
    return -(Y * log_softmax(Z, xp=xp))


def _squared_losses(Z: Array, Y: Array, xp: Any) -> Array:
    # A = Z: each example's loss is ½·Σ_k (A − Y)², so that dZ = A − Y
    E = Z - Y
    return E * E / 2


class Output(NamedTuple):
    """An output head: the activation A = g(Z) and the per-example losses from the logits.

    ``losses(Z, Y, xp)`` has Z's shape; its sum over axis 0 is each example's loss.
    """

    name: str
    activation: Callable[..., Array]
    losses: Callable[[Array, Array, Any], Array]


#: Output name → head.
OUTPUTS: dict[str, Output] = {
    "sigmoid": Output("sigmoid", sigmoid, _bce_losses),
    "softmax": Output("softmax", softmax, _cce_losses),
    "identity": Output("identity", identity, _squared_losses),
}


def get_output(name: str) -> Output:
    """The output head registered under ``name``: ``"sigmoid"``, ``"softmax"`` or
    ``"identity"``."""
    return registered("output", OUTPUTS, name)


def _cost(losses: Callable[[Array, Array, Any], Array], Z: Array, Y: Array, xp: Any) -> Array:
    """1/m · the sum of ``losses``, for Z and Y as the course gives them: 2-D, one shape;
    integer or boolean Y as floats."""
    xp = array_namespace(Z, Y) if xp is None else xp
    if Z.ndim != 2 or tuple(Y.shape) != tuple(Z.shape):
        raise ValueError(
            "Expected Z and Y of one shape (n_y, m): examples are columns. Received Z of "
            f"shape {tuple(Z.shape)} and Y of shape {tuple(Y.shape)}; reshape a vector of "
            "labels with y.reshape(1, -1)"
        )
    if Y.dtype != Z.dtype:
        Y = xp.astype(Y, Z.dtype)
    return xp.sum(losses(Z, Y, xp)) / Z.shape[1]


def binary_cross_entropy(Z: Array, Y: Array, /, *, xp: Any = None) -> Array:
    """J = −1/m · Σ (Y·log σ(Z) + (1 − Y)·log(1 − σ(Z))), a 0-d array, from the logits
    Z of shape (1, m) and labels Y in {0, 1} of the same shape."""
    return _cost(_bce_losses, Z, Y, xp)


def categorical_cross_entropy(Z: Array, Y: Array, /, *, xp: Any = None) -> Array:
    """J = −1/m · Σ_i Σ_k Y[k, i]·log softmax(Z)[k, i], a 0-d array, from the logits Z
    of shape (K, m) and one-hot labels Y of the same shape."""
    return _cost(_cce_losses, Z, Y, xp)


def mean_squared_error(A: Array, Y: Array, /, *, xp: Any = None) -> Array:
    """J = 1/(2m) · Σ (A − Y)², a 0-d array, from the output A = Z of shape (n_y, m) and
    the targets Y of the same shape."""
    return _cost(_squared_losses, A, Y, xp)

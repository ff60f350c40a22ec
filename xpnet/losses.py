"""The cost J and the output heads: a sigmoid or a softmax with its cross-entropy, and
the identity with the mean squared error (a regressor).

Costs are computed from the output layer's pre-activation ``Z`` (the logits), so that
they stay finite for any Z: log σ(z) = −log(1 + e^(−z)) is evaluated as −softplus(−z)
without ever forming σ(z) = 0 or 1.

Every head shares the course's output gradient dZ = A − Y: a sigmoid with binary
labels and a softmax with one-hot labels under their cross-entropies, and the identity
A = Z under J = 1/(2m)·Σ (A − Y)². Examples are columns: Z and Y have shape (1, m), or
(K, m) for a softmax, K independent sigmoids (multilabel) or K regression targets. The course's
``compute_cost``, which takes the output's name, is in :mod:`xpnet.course`.
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
    """softplus(Z) = log(1 + e^Z) = log(e^0 + e^Z), finite for any Z (``logaddexp``).

    The 0 is an array of Z's dtype and device (one element, broadcast), not a Python
    float, which ``torch.compile`` cannot trace through array-api-compat's promotion;
    it is made from Z itself, where a creation function could pick another device.
    """
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
    """J = −1/m · Σ (Y·log σ(Z) + (1 − Y)·log(1 − σ(Z))), from the logits Z.

    Parameters
    ----------
    Z : array of shape (1, m)
        The output layer's pre-activation.
    Y : array of shape (1, m)
        Labels in {0, 1} (floats, integers or booleans).

    Returns
    -------
    cost : 0-d array, on Z's device
    """
    return _cost(_bce_losses, Z, Y, xp)


def categorical_cross_entropy(Z: Array, Y: Array, /, *, xp: Any = None) -> Array:
    """J = −1/m · Σ_i Σ_k Y[k, i]·log softmax(Z)[k, i], from the logits Z.

    Parameters
    ----------
    Z : array of shape (K, m)
        The output layer's pre-activation.
    Y : array of shape (K, m)
        One-hot labels.

    Returns
    -------
    cost : 0-d array, on Z's device
    """
    return _cost(_cce_losses, Z, Y, xp)


def mean_squared_error(A: Array, Y: Array, /, *, xp: Any = None) -> Array:
    """J = 1/(2m) · Σ (A − Y)², the regressor's cost (A = Z: the identity output).

    Parameters
    ----------
    A : array of shape (n_y, m)
        The output layer's activation, equal to its pre-activation Z.
    Y : array of shape (n_y, m)
        The targets.

    Returns
    -------
    cost : 0-d array, on A's device
    """
    return _cost(_squared_losses, A, Y, xp)

"""The cost J: cross-entropy for a sigmoid or a softmax output.

Costs are computed from the output layer's pre-activation ``Z`` (the logits) where
it is available, so that they stay finite for any Z: log σ(z) = −log(1 + e^(−z)) is
evaluated as −softplus(−z) without ever forming σ(z) = 0 or 1.
"""

from __future__ import annotations

from typing import Any

from array_api_compat import array_namespace

__all__ = [
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "compute_cost",
    "softplus",
]

Array = Any


def softplus(Z: Array, /, *, xp: Any = None) -> Array:
    """softplus(Z) = log(1 + e^Z) = log(e^0 + e^Z), finite for any Z (``logaddexp``)."""
    xp = array_namespace(Z) if xp is None else xp
    return xp.logaddexp(Z, 0.0)


def binary_cross_entropy(Z: Array, Y: Array, /, *, xp: Any = None) -> Array:
    """J = −1/m · Σ (Y·log σ(Z) + (1 − Y)·log(1 − σ(Z))), from the logits Z.

    Parameters
    ----------
    Z : array of shape (1, m)
        The output layer's pre-activation.
    Y : array of shape (1, m)
        Labels in {0, 1}.

    Returns
    -------
    cost : 0-d array, on Z's device
    """
    xp = array_namespace(Z, Y) if xp is None else xp
    m = Z.shape[1]
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), so the loss per
    # example is softplus(z) − y·z.
    return xp.sum(softplus(Z, xp=xp) - Y * Z) / m


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
    xp = array_namespace(Z, Y) if xp is None else xp
    m = Z.shape[1]
    shifted = Z - xp.max(Z, axis=0, keepdims=True)
    log_softmax = shifted - xp.log(xp.sum(xp.exp(shifted), axis=0, keepdims=True))
    return -xp.sum(Y * log_softmax) / m


def compute_cost(ZL: Array, Y: Array, /, output: str = "sigmoid", *, xp: Any = None) -> Array:
    """The cross-entropy cost of the output layer, by its activation.

    Parameters
    ----------
    ZL : array of shape (1, m) or (K, m)
        The output layer's pre-activation.
    Y : array of the same shape
    output : {"sigmoid", "softmax"}
    """
    if output == "sigmoid":
        return binary_cross_entropy(ZL, Y, xp=xp)
    if output == "softmax":
        return categorical_cross_entropy(ZL, Y, xp=xp)
    raise ValueError(f"Invalid output. Expected 'sigmoid' or 'softmax'. Received: {output!r}")

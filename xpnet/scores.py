"""The validation scores training records each epoch: accuracy and R².

Both read the network's outputs for held-out columns of X and return one float, the
one host read an epoch's score costs.
"""

from __future__ import annotations

from typing import Any

from .metrics import mean_r2
from .network import Network

__all__ = ["SCORES", "accuracy", "r2"]

Array = Any


def _mean(values: Array, weights: Array | None, xp: Any) -> Array:
    """The mean of ``values`` (…, m) over the examples, weighted by ``weights`` (1, m)."""
    if weights is None:
        return xp.mean(values, axis=-1)
    if values.ndim == 1:
        weights = xp.reshape(weights, (-1,))
    return xp.sum(values * weights, axis=-1) / xp.sum(weights)


def accuracy(
    network: Network,
    X: Array,
    labels: Array,
    parameters: dict[str, Array],
    weights: Array | None = None,
    *,
    xp: Any,
) -> float:
    """The (weighted) fraction of columns of X whose predicted class index equals
    ``labels`` (m,); for multilabel ``labels`` (K, m) of 0/1, whose every label does."""
    A = network.head.activation(network.forward(X, parameters, xp=xp)[0], xp=xp)
    if labels.ndim == 2:  # K independent sigmoids
        hits = xp.all(xp.astype(A > 0.5, labels.dtype) == labels, axis=0)
        return float(_mean(xp.astype(hits, A.dtype), weights, xp))
    predicted = xp.astype(A[0, :] > 0.5, labels.dtype) if A.shape[0] == 1 else xp.argmax(A, axis=0)
    return float(_mean(xp.astype(predicted == labels, A.dtype), weights, xp))


def r2(
    network: Network,
    X: Array,
    Y: Array,
    parameters: dict[str, Array],
    weights: Array | None = None,
    *,
    xp: Any,
) -> float:
    """:func:`xpnet.metrics.r2_score` of the network's outputs for the columns of X
    against the targets Y (n_y, m), weighted by ``weights`` (1, m): the fit has checked
    them, and outputs grown NaN score NaN."""
    A = network.head.activation(network.forward(X, parameters, xp=xp)[0], xp=xp)
    return float(mean_r2(Y.T, A.T, None if weights is None else weights.T, xp=xp))


#: Validation score name → function(network, X, truth, parameters, weights, xp=).
SCORES = {"accuracy": accuracy, "r2": r2}

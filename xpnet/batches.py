"""Mini-batches: which examples each step of an epoch sees.

The indices are drawn on the host, as every random draw in xpnet is, so that one seed
gives the same batches on every backend; the data is sliced where it lives.

The course's convention: before epoch e, ``RandomState(seed + 1 + e)`` permutes the
m columns; consecutive batches of ``batch_size`` columns are cut, the last one partial.
"""

from __future__ import annotations

from typing import Any

import numpy as np  # edge: host-side random draws
from array_api_compat import array_namespace, device

__all__ = ["epoch_batches", "random_mini_batches"]

Array = Any


def _permutation(m: int, seed: int, epoch: int) -> np.ndarray:
    return np.random.RandomState(seed + 1 + epoch).permutation(m)


def epoch_batches(
    m: int, batch_size: int | None, *, shuffle: bool = True, seed: int = 0, epoch: int = 0
) -> tuple[np.ndarray | None, list[slice]]:
    """The order of the examples in ``epoch`` and the slices of that order, batch by batch.

    Returns
    -------
    order : array of shape (m,), or None
        The permutation to apply first; None keeps the data's order (no shuffle, or one
        full batch, whose order does not matter).
    slices : list of slice
        Consecutive batches of ``batch_size``; the last may be shorter.
    """
    if batch_size is None or batch_size >= m:
        return None, [slice(0, m)]
    order = _permutation(m, seed, epoch) if shuffle else None
    return order, [slice(k, min(k + batch_size, m)) for k in range(0, m, batch_size)]


def random_mini_batches(
    X: Array, Y: Array, mini_batch_size: int = 64, seed: int = 0, /, *, xp: Any = None
) -> list[tuple[Array, Array]]:
    """The course's ``random_mini_batches``: shuffle the columns with ``seed``, then cut.

    ``np.random.seed(seed)`` then ``np.random.permutation(m)``, as in the course; the
    shuffled columns are cut into batches of ``mini_batch_size``, the last one partial.

    Parameters
    ----------
    X : array of shape (n_x, m)
    Y : array of shape (n_y, m)

    Returns
    -------
    list of (X_batch, Y_batch)
    """
    xp = array_namespace(X, Y) if xp is None else xp
    m = X.shape[1]
    order = xp.asarray(np.random.RandomState(seed).permutation(m), device=device(X))
    X, Y = xp.take(X, order, axis=1), xp.take(Y, order, axis=1)
    cuts = [(k, min(k + mini_batch_size, m)) for k in range(0, m, mini_batch_size)]
    return [(X[:, a:b], Y[:, a:b]) for a, b in cuts]

"""Mini-batches: which examples each step of an epoch sees.

The indices are drawn on the host, as every random draw in xpnet is, so that one seed
gives the same batches on every backend; the data is sliced where it lives.

The course's convention: before epoch e, ``RandomState(seed + 1 + e)`` permutes the
m columns; consecutive batches of ``batch_size`` columns are cut, the last one partial.
The course's own ``random_mini_batches`` is in :mod:`xpnet.course`.
"""

from __future__ import annotations

from typing import Any

import numpy as np  # edge: host-side random draws

__all__ = ["AUTO_BATCH", "along", "epoch_batches", "epoch_order"]


def along(axis: int, index: Any) -> tuple[Any, ...]:
    """The key that indexes an array's ``axis`` with ``index``: ``X[along(0, s)]`` is
    ``X[s, ...]``, ``X[along(1, s)]`` is ``X[:, s, ...]``."""
    return (*(slice(None),) * axis, index, ...)


def epoch_order(m: int, seed: int, epoch: int) -> np.ndarray:
    """The course's shuffle of m items before ``epoch``: ``RandomState(seed + 1 + epoch)``,
    the seed taken modulo 2³² (NumPy's range), so that every seed trains every epoch."""
    return np.random.RandomState((seed + 1 + epoch) % 2**32).permutation(m)


#: The examples of a mini-batch under ``batch_size="auto"`` (scikit-learn's MLP's).
AUTO_BATCH = 200


def epoch_batches(
    m: int, batch_size: int | str | None, *, shuffle: bool = True, seed: int = 0, epoch: int = 0
) -> tuple[np.ndarray | None, list[slice]]:
    """The order of the examples in ``epoch`` and the slices of that order, batch by batch.

    ``batch_size`` None is the full batch, and ``"auto"`` min(:data:`AUTO_BATCH`, m).

    Returns
    -------
    order : array of shape (m,), or None
        The permutation to apply first; None keeps the data's order (no shuffle, or one
        full batch, whose order does not matter).
    slices : list of slice
        Consecutive batches of ``batch_size``; the last may be shorter.
    """
    if batch_size is None:
        return None, [slice(0, m)]
    size = AUTO_BATCH if batch_size == "auto" else int(batch_size)
    if size >= m:
        return None, [slice(0, m)]
    order = epoch_order(m, seed, epoch) if shuffle else None
    return order, [slice(k, min(k + size, m)) for k in range(0, m, size)]

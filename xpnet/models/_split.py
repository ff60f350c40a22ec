"""Early stopping's split: a share of the examples held out, in each class's proportion.

As scikit-learn's ``train_test_split(test_size=validation_fraction, stratify=y)``: the
held-out count is rounded up, each class keeps its share by largest remainder, and the
sample weights follow their examples.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np  # edge: host-side split indices

from ..backend import Backend, to_numpy
from ._validation import Encoded

__all__ = ["check_strata", "early_stopping_split", "held_out"]

Array = Any


def early_stopping_split(
    backend: Backend,
    X: Array,
    targets: Encoded,
    weights: Array | None,
    fraction: float,
    seed: int,
    *,
    rows: bool = True,
) -> tuple[Array, Encoded, Array | None, tuple]:
    """Hold out ``fraction`` (``validation_fraction``) of the rows of X for early
    stopping, in each class's proportion for a classifier; the weights follow their
    examples.

    Returns the training part (X's rows, the targets' and weights' columns) and the
    validation triple (its columns X.T, or with ``rows=False`` its examples as X holds
    them, its truth, its weights).

    Raises
    ------
    ValueError
        When too few examples are held out or left, or where the weights of either part
        sum to zero: its cost or its score would mean nothing.
    """
    m = X.shape[0]
    n_val = math.ceil(fraction * m)
    if targets.strata is not None:
        check_strata(targets.strata, targets.classes)
    if n_val < 2 or m - n_val < 1:
        raise ValueError(
            "The validation set is too small. Expected 2 or more samples held out for "
            "early stopping, and at least one left to train on. Received "
            f"validation_fraction={fraction} of {m} samples, which holds "
            f"out {n_val}: increase 'validation_fraction' or the size of your dataset"
        )
    val = held_out(m, n_val, targets.strata, np.random.RandomState(seed))
    train = np.setdiff1d(np.arange(m), val)
    xp = backend.xp
    train_rows, val_rows = backend.put(train), backend.put(val)

    def columns(a: Array | None, rows: Array) -> Array | None:
        return None if a is None else xp.take(a, rows, axis=a.ndim - 1)

    truth = targets.truth
    w_train, w_val = columns(weights, train_rows), columns(weights, val_rows)
    if w_train is not None:
        _check_parts(xp.stack([xp.sum(w_train), xp.sum(w_val)]), fraction, m, n_val)
    X_val = xp.take(X, val_rows, axis=0)
    validation = (X_val.T if rows else X_val, columns(truth, val_rows), w_val)
    kept = targets._replace(Y=columns(targets.Y, train_rows), truth=columns(truth, train_rows))
    return xp.take(X, train_rows, axis=0), kept, w_train, validation


def _check_parts(sums: Array, fraction: float, m: int, n_val: int) -> None:
    """The sums of the weights of the training and the validation part, (2,), read in one
    host read: each must be positive, or that part's cost or score means nothing."""
    train, val = to_numpy(sums).tolist()
    for total, count, part in ((train, m - n_val, "left to train on"), (val, n_val, "held out")):
        if not total > 0:
            raise ValueError(
                "Invalid sample_weight for early stopping. Expected a positive sum of the "
                "weights on both sides of its split. Received: sample_weight whose "
                f"{count} examples {part} (validation_fraction={fraction}) all weigh zero: "
                "give fewer examples zero weight, choose another validation_fraction or "
                "random_state, or set early_stopping=False"
            )


def check_strata(strata: np.ndarray, classes: np.ndarray | None = None) -> None:
    """Each class (``strata``: the examples' class indices) has 2 or more members, so
    that a stratified split can put it on both sides."""
    groups, counts = np.unique(strata, return_counts=True)
    if counts.min() < 2:
        few = groups[counts < 2]
        names = (few if classes is None else classes[few]).tolist()
        raise ValueError(
            "The least populated classes in y have only 1 member, which is too few. The "
            "minimum number of groups for any class cannot be less than 2: early stopping "
            "holds out a share of every class. Classes with too few members are: "
            f"{names}. Expected 2 or more examples of each class"
        )


def held_out(m: int, n_val: int, strata: np.ndarray | None, rng: np.random.RandomState):
    """The indices of ``n_val`` of m examples drawn by ``rng``; with ``strata`` (each
    example's class, whose members :func:`check_strata` has counted), each class keeps
    its share, rounded by largest remainder.

    Raises
    ------
    ValueError
        When there are fewer held-out or training examples than classes: a stratified
        split cannot put each class on both sides.
    """
    if strata is None:
        return np.sort(rng.permutation(m)[:n_val])
    groups, counts = np.unique(strata, return_counts=True)
    if n_val < groups.shape[0] or m - n_val < groups.shape[0]:
        raise ValueError(
            f"The validation set is too small. Expected room for each of the "
            f"{groups.shape[0]} classes on both sides of the early stopping split. Received "
            f"{n_val} held out and {m - n_val} to train on: change 'validation_fraction'"
        )
    share = counts * n_val / m
    take = np.floor(share).astype(np.int64)
    largest = np.argsort(-(share - take), kind="stable")
    take[largest[: n_val - int(take.sum())]] += 1
    rows = [
        rng.permutation(np.flatnonzero(strata == g))[:k] for g, k in zip(groups, take, strict=True)
    ]
    return np.sort(np.concatenate(rows))

"""A generated sequence task: the exclusive or of two marked bits.

Each sequence is a stream of T random bits, two of them marked at random steps; its
label is the exclusive or of the two marked bits. A recurrent network solves it by
reading the stream in order: it remembers the first marked bit and combines it with
the second, wherever they fall. A dense network on the flattened sequence sees T·n_x
unrelated columns: the label depends on no single column, nor on any pair of them
alone, and its training set shows each pair of marked steps a few times only.
"""

from __future__ import annotations

from typing import Any

import numpy as np  # edge: data generation happens on the host

from ..initializers import check_random_state, uniform

__all__ = ["MARKED_XOR", "make_marked_xor"]


def make_marked_xor(
    n_samples: int = 1000, T: int = 20, *, tokens: bool = False, random_state: Any = None
):
    """Sequences of T random bits, two of them marked; the label is their exclusive or.

    Step t of sequence i holds its bit b⟨t⟩ and whether it is marked, m⟨t⟩; exactly two
    steps of each sequence are marked, at places drawn uniformly, and
    y = b⟨i⟩ XOR b⟨j⟩ for the marked steps i < j. The classes are balanced in
    expectation.

    Parameters
    ----------
    n_samples : int
    T : int
        Steps per sequence, at least 2.
    tokens : bool
        Give token ids instead of feature vectors.
    random_state : None, int, RandomState or Generator

    Returns
    -------
    X : array of shape (n_samples, T, 2), or of shape (n_samples, T) with ``tokens``
        Feature vectors [2·b⟨t⟩ − 1, m⟨t⟩] (float64), or token ids b⟨t⟩ + 2·m⟨t⟩ in
        {0, 1, 2, 3} (int64).
    y : array of shape (n_samples,)
        0 or 1 (int64).
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer) or n_samples < 1:
        raise ValueError(
            f"Invalid n_samples. Expected a positive integer. Received: n_samples={n_samples!r}"
        )
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 2:
        raise ValueError(f"Invalid T. Expected an integer of at least 2. Received: T={T!r}")
    rng = check_random_state(random_state)
    bits = (uniform(rng, (n_samples, T)) < 0.5).astype(np.int64)
    order = np.argsort(uniform(rng, (n_samples, T)), axis=1)  # a random permutation per row
    marked = np.zeros((n_samples, T), dtype=np.int64)
    rows = np.arange(n_samples)[:, None]
    marked[rows, order[:, :2]] = 1
    y = np.bitwise_xor.reduce(np.where(marked == 1, bits, 0), axis=1)  # b⟨i⟩ XOR b⟨j⟩
    if tokens:
        return bits + 2 * marked, y
    return np.stack([2.0 * bits - 1.0, marked.astype(np.float64)], axis=2), y


#: The hyperparameters with which a SequenceClassifier (its LSTM) learns
#: :func:`make_marked_xor`'s sequences of 10 steps from 1,000 examples: 16 units,
#: Adam at 0.01 on batches of 50, 30 epochs.
MARKED_XOR = {
    "n_a": 16,
    "learning_rate": 0.01,
    "batch_size": 50,
    "num_iterations": 30,
    "tol": None,
}

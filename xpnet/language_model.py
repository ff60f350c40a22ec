"""A character-level language model: a :class:`~xpnet.layers.SimpleRNN` and a softmax
at every step, as the course's "Dinosaurus Island" builds it.

At step t the model reads character x⟨t⟩ (one-hot, a zero vector at t = 1) and
predicts the next, y⟨t⟩ = x⟨t+1⟩, the last being the newline that ends a name:

    a⟨t⟩ = tanh(Waa·a⟨t−1⟩ + Wax·x⟨t⟩ + b),   ŷ⟨t⟩ = softmax(Wya·a⟨t⟩ + by),
    J = −Σ_t log ŷ⟨t⟩[y⟨t⟩]   (summed over the steps, averaged over the m sequences).

The engine's layers are ``SimpleRNN(1)`` (parameters ``Wax1, Waa1, ba1``) and
``TimeDense(2)`` (``W2, b2``); :func:`from_course` and :func:`to_course` map them to and
from the course's names ``Wax, Waa, b, Wya, by``. Sequences are the course's layout:
x of shape (n_x, m, T_x). Sampling draws from host NumPy generators seeded as the
course seeds them, so that one seed gives the same characters on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np  # edge: host one-hot codes and the sampling draws
from array_api_compat import device

from .activations import softmax
from .backend import Backend, to_numpy
from .layers.dense import linear_forward
from .layers.recurrent import rnn_step_forward
from .layers.sequence import SimpleRNN, TimeDense
from .losses import get_output

__all__ = [
    "COURSE_NAMES",
    "LAYERS",
    "from_course",
    "gradients",
    "initialize",
    "loss",
    "one_hot",
    "sample_indices",
    "to_course",
]

Array = Any

LAYERS = (SimpleRNN(1), TimeDense(2))
#: The engine's name of each of the course's parameters.
COURSE_NAMES = {"Wax": "Wax1", "Waa": "Waa1", "b": "ba1", "Wya": "W2", "by": "b2"}


def from_course(parameters: dict[str, Array]) -> dict[str, Array]:
    """The course's ``{"Wax", "Waa", "Wya", "b", "by"}`` under the engine's names."""
    return {engine: parameters[name] for name, engine in COURSE_NAMES.items()}


def to_course(parameters: dict[str, Array], *, prefix: str = "") -> dict[str, Array]:
    """The engine's parameters (or, with ``prefix="d"``, gradients) under the course's names."""
    return {prefix + name: parameters[prefix + engine] for name, engine in COURSE_NAMES.items()}


def initialize(n_a: int, n_x: int, n_y: int, rng: np.random.RandomState) -> dict[str, np.ndarray]:
    """The course's start, on the host: Wax, Waa, Wya ~ 0.01·N(0, 1) drawn in that order
    from ``rng`` (the course's ``np.random.seed(1)``), and zero biases; engine names."""
    Wax = rng.randn(n_a, n_x) * 0.01  # input to hidden
    Waa = rng.randn(n_a, n_a) * 0.01  # hidden to hidden
    Wya = rng.randn(n_y, n_a) * 0.01  # hidden to output
    course = {
        "Wax": Wax,
        "Waa": Waa,
        "Wya": Wya,
        "b": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }
    return from_course(course)


def one_hot(sequences: Sequence[Sequence[int | None]], n: int, backend: Backend) -> Array:
    """x of shape (n, m, T): column i, step t is e_k for k = sequences[i][t], 0 for None.

    The m sequences must have one length T.
    """
    T = len(sequences[0])
    x = np.zeros((n, len(sequences), T))
    for i, sequence in enumerate(sequences):
        for t, k in enumerate(sequence):
            if k is not None:
                x[k, i, t] = 1.0
    return backend.put(x)


def gradients(
    x: Array, Y: Array, a0: Array, parameters: dict[str, Array], /, *, xp: Any
) -> tuple[Array, dict[str, Array], Array]:
    """J, its gradients ``{"dWax1", "dWaa1", "dba1", "dW2", "db2"}`` and the last a⟨T_x⟩.

    x and Y (one-hot labels) have shape (n_x, m, T_x) and (n_y, m, T_x); a0 (n_a, m).
    J is the course's loss, summed over the steps and averaged over the m sequences.
    """
    rnn, head = LAYERS
    a, rnn_cache = rnn.forward(x, parameters, a0=a0, xp=xp)
    Z, head_cache = head.forward(a, parameters, xp=xp)
    output = get_output("softmax")
    J = xp.sum(output.losses(Z, Y, xp)) / x.shape[1]  # J = −1/m · Σ_t log ŷ⟨t⟩[y⟨t⟩]
    dZ = output.activation(Z, xp=xp) - Y  # dZ⟨t⟩ = ŷ⟨t⟩ − y⟨t⟩
    da, grads = head.backward(dZ, head_cache, need_dA_prev=True, xp=xp)
    _, _, rnn_grads = rnn.backward_through_time(da, rnn_cache, need_dx=False, xp=xp)
    return J, grads | rnn_grads, a[:, :, -1]


def loss(x: Array, Y: Array, a0: Array, parameters: dict[str, Array], /, *, xp: Any) -> Array:
    """J alone, the forward pass of :func:`gradients`."""
    rnn, head = LAYERS
    Z, _ = head.forward(rnn.forward(x, parameters, a0=a0, xp=xp)[0], parameters, xp=xp)
    return xp.sum(get_output("softmax").losses(Z, Y, xp)) / x.shape[1]


def sample_indices(
    parameters: dict[str, Array],
    stop: int,
    seed: int,
    /,
    *,
    max_length: int = 50,
    prefix: Sequence[int] = (),
    xp: Any,
) -> list[int]:
    """Characters drawn one at a time from the model, until ``stop`` (the newline).

    The course's sampling: from x⟨1⟩ = 0 and a⟨0⟩ = 0, draw character t + 1 from
    ŷ⟨t⟩ with ``np.random.RandomState(seed + 2t).choice`` (the course's
    ``np.random.seed(counter + seed)``, its seed rising with its counter), feed it back
    one-hot, and stop at ``stop`` or after ``max_length`` characters, then append ``stop``.
    The characters of ``prefix`` are taken in place of the first draws.
    """
    Wax, Waa, b, Wya, by = (parameters[COURSE_NAMES[n]] for n in ("Wax", "Waa", "b", "Wya", "by"))
    n_x, n_a = Wax.shape[1], Waa.shape[0]
    identity = xp.asarray(np.eye(n_x), dtype=Wax.dtype, device=device(Wax))
    x = xp.asarray(np.zeros((n_x, 1)), dtype=Wax.dtype, device=device(Wax))
    a_prev = xp.asarray(np.zeros((n_a, 1)), dtype=Wax.dtype, device=device(Wax))
    indices: list[int] = []
    idx = -1
    while idx != stop and len(indices) != max_length:
        a_prev = rnn_step_forward(x, a_prev, Wax, Waa, b, xp=xp).a_next
        y = softmax(linear_forward(a_prev, Wya, by, xp=xp)[0], xp=xp)  # ŷ = softmax(Wya·a + by)
        p = to_numpy(y).astype(np.float64).reshape(-1)
        if len(indices) < len(prefix):
            idx = prefix[len(indices)]
        else:
            rng = np.random.RandomState(seed + 2 * len(indices))  # counter + seed, both rising
            idx = int(rng.choice(range(p.shape[0]), p=p / p.sum()))
        indices.append(idx)
        x = identity[:, idx : idx + 1]
    if len(indices) == max_length:
        indices.append(stop)
    return indices

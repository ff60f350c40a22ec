"""Course 5, week 1, "Character-level language model – Dinosaurus Island".

:func:`clip`, :func:`sample`, :func:`optimize` and the training loop :func:`model`,
under the course's names and returning what the course returns. They are thin
wrappers over :mod:`xpnet.language_model` (a :class:`~xpnet.layers.SimpleRNN` and a
softmax at every step) and :func:`xpnet.clipping.clip_by_value`.

``parameters`` holds the course's ``Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a),
b (n_a, 1), by (n_y, 1)``; a name is a list of character indices. :func:`optimize`
updates ``parameters`` in place, as the course's does (each array is replaced by a
new one, which immutable arrays allow).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np  # edge: the course's host-side shuffle

from .._checks import check_keys, check_namespace, check_shape
from ..backend import Backend, get_backend
from ..clipping import clip_by_value
from ..language_model import from_course, gradients, initialize, one_hot, sample_indices, to_course
from .rnn import check_rnn_parameters

__all__ = ["clip", "model", "optimize", "sample"]

Array = Any
Params = dict[str, Array]

_GRADIENTS = ("dWaa", "dWax", "dWya", "db", "dby")


def clip(gradients: Params, maxValue: float) -> Params:
    """The gradients ``dWaa, dWax, dWya, db, dby`` clipped to [−maxValue, maxValue].

    Returns new arrays; the dict given is left unchanged.
    """
    check_keys("gradients", gradients, _GRADIENTS)
    return clip_by_value({name: gradients[name] for name in _GRADIENTS}, maxValue)


def sample(parameters: Params, char_to_ix: dict[str, int], seed: int) -> list[int]:
    """A name drawn from the model, as a list of indices ending with the newline's.

    At step k the course draws with ``np.random.seed(seed + 2k)`` then
    ``np.random.choice``; the same draws are made here from a ``RandomState`` of that
    seed, without touching NumPy's global generator. At most 50 characters are drawn.
    """
    check_rnn_parameters(parameters, None, b="b")
    check_keys("char_to_ix", char_to_ix, ["\n"])
    xp = check_namespace(parameters)
    return sample_indices(from_course(parameters), char_to_ix["\n"], seed, xp=xp)


def optimize(
    X: Sequence[int | None],
    Y: Sequence[int],
    a_prev: Array,
    parameters: Params,
    learning_rate: float = 0.01,
) -> tuple[float, Params, Array]:
    """One step: forward through time, back through time, clip to [−5, 5], update.

    Parameters
    ----------
    X : list of int
        The input characters' indices, ``None`` first (the zero vector).
    Y : list of int
        The labels: X shifted one to the left, then the newline's index.
    a_prev : array of shape (n_a, 1)
        The hidden state the name starts from.

    Returns
    -------
    loss : float
        The cross-entropy summed over the steps.
    gradients : dict
        ``dWaa, dWax, dWya, db, dby``, clipped.
    a_last : array of shape (n_a, 1)
        The hidden state after the last character.
    """
    n_a, n_y = check_rnn_parameters(parameters, None, b="b")
    if len(X) != len(Y) or len(X) == 0:
        raise ValueError(
            f"Invalid X and Y. Expected two non-empty lists of one length. "
            f"Received lengths {len(X)} and {len(Y)}"
        )
    check_shape("a_prev", a_prev, (("n_a", n_a), ("1", 1)))
    xp = check_namespace(a_prev, parameters)
    backend = Backend.of(parameters["Waa"])
    n_x = parameters["Wax"].shape[1]
    x, Y_hot = one_hot([list(X)], n_x, backend), one_hot([list(Y)], n_y, backend)
    loss, grads, a_last = gradients(x, Y_hot, a_prev, from_course(parameters), xp=xp)
    grads = clip(to_course(grads, prefix="d"), 5)
    for name in ("Wax", "Waa", "Wya", "b", "by"):
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]  # θ −= α·dθ
    return float(loss), grads, a_last


def _get_sample(indices: list[int], ix_to_char: dict[int, str]) -> str:
    text = "".join(ix_to_char[ix] for ix in indices)
    return text[0].upper() + text[1:]  # capitalise the first character


def model(
    data_x: Sequence[str],
    ix_to_char: dict[int, str],
    char_to_ix: dict[str, int],
    num_iterations: int = 35000,
    n_a: int = 50,
    dino_names: int = 7,
    vocab_size: int = 27,
    verbose: bool = False,
) -> tuple[Params, str]:
    """The course's training loop: one name per iteration, SGD at 0.01, clipping at 5.

    The names are shuffled once (the course's ``np.random.seed(0)`` then
    ``np.random.shuffle``) and taken in turn; the hidden state carries from one name to
    the next. Every 1,000 iterations it prints the smoothed loss (0.999·loss +
    0.001·current, from −log(1/vocab_size)·dino_names) and samples ``dino_names`` names
    with seeds 0, 1, ... The parameters start from ``np.random.seed(1)`` and live on
    the backend in force.

    Returns
    -------
    parameters : dict
        The course's ``Wax, Waa, Wya, b, by``.
    last_dino_name : str
        The last name sampled, ending with a newline.
    """
    backend = get_backend()
    xp = backend.xp
    host = initialize(n_a, vocab_size, vocab_size, np.random.RandomState(1))
    parameters = to_course({name: backend.put(P) for name, P in host.items()})
    loss = -np.log(1.0 / vocab_size) * dino_names  # the course's get_initial_loss
    examples = [x.strip() for x in data_x]
    np.random.RandomState(0).shuffle(examples)
    a_prev = backend.put(np.zeros((n_a, 1)))
    last_dino_name = "abc"
    newline = char_to_ix["\n"]
    for j in range(num_iterations):
        idx = j % len(examples)
        single_example_ix = [char_to_ix[c] for c in examples[idx]]
        X: list[int | None] = [None, *single_example_ix]
        Y = [*single_example_ix, newline]
        if verbose and j == 0:
            print(" X = ", X, "\n", "Y =       ", Y, "\n")
        curr_loss, _, a_prev = optimize(X, Y, a_prev, parameters, learning_rate=0.01)
        loss = loss * 0.999 + curr_loss * 0.001  # the course's smooth
        if j % 1000 == 0:
            print(f"Iteration: {j}, Loss: {loss:f}\n")
            for seed in range(dino_names):
                indices = sample_indices(from_course(parameters), newline, seed, xp=xp)
                last_dino_name = _get_sample(indices, ix_to_char)
                print(last_dino_name.replace("\n", ""))
            print("\n")
    return parameters, last_dino_name

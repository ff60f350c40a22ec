"""CharRNN: the course's character-level language model as an estimator.

``fit(lines)`` trains the "Dinosaurus Island" model on a list of strings, one name (or
line) at a time, with the course's recipe: a :class:`~xpnet.layers.SimpleRNN` of n_a
units and a softmax over the vocabulary at every step, plain gradient descent at 0.01
with every gradient clipped to [−5, 5], and the hidden state carried from one line to
the next. With its defaults (``random_state=0``: the lines shuffled with seed 0, the
weights drawn with seed 1) it repeats the course's run. Each line ends with a newline,
which the model learns to predict; the vocabulary is the characters of the lines and
the newline.

The model runs on the backend in force when it is fitted, loaded or unpickled; files
and pickles hold host arrays and the vocabulary, never code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np  # edge: host data, draws and files

from .._checks import COUNT, POSITIVE, Interval, Options, check_param, check_params
from ..backend import Backend, get_backend, to_numpy
from ..clipping import clip_by_value
from ..exceptions import not_fitted
from ..io import write
from ..language_model import gradients, initialize, loss, one_hot, sample_indices
from ..progress import progress_bar
from .files import check_shapes, check_vector, fitted_with, read_model
from .hyperparameters import get_params

__all__ = ["CharRNN"]

Array = Any
NEWLINE = "\n"
_PARAMETERS = ("Wax1", "Waa1", "ba1", "W2", "b2")

#: The hyperparameters that CharRNN checks → what each accepts.
_CONSTRAINTS: dict[str, list[Any]] = {
    "n_a": [COUNT],
    "num_iterations": [COUNT],
    "learning_rate": [POSITIVE],
    "clip_value": [POSITIVE],
    "random_state": [Interval(Integral, 0, 2**32 - 2, closed="both")],  # and + 1: NumPy's seeds
    "verbose": [Options(True, False)],
}


@dataclass(eq=False)
class CharRNN:
    """A character-level language model: fit on lines of text, sample new ones.

    Parameters
    ----------
    n_a : int, default=50
        Hidden units.
    learning_rate : float, default=0.01
    clip_value : float, default=5.0
        Every gradient is clipped to [−clip_value, clip_value] before each step.
    num_iterations : int, default=22001
        Steps of training, one line each, the lines taken in turn.
    random_state : int, default=0
        Shuffles the lines (seed ``random_state``) and draws the weights (seed
        ``random_state + 1``), as the course does with 0 and 1; at most 2**32 − 2.
    verbose : bool, default=False
        A progress bar during ``fit``.

    Attributes
    ----------
    vocabulary_ : list of str
        The characters, sorted; the newline first.
    parameters_ : dict
        ``Wax1 (n_a, n_x), Waa1 (n_a, n_a), ba1 (n_a, 1), W2 (n_x, n_a), b2 (n_x, 1)``.
    loss_curve_ : list of float
        The course's smoothed loss after each step.
    """

    n_a: int = 50
    learning_rate: float = 0.01
    clip_value: float = 5.0
    num_iterations: int = 22001
    random_state: int = 0
    verbose: bool = False

    get_params = get_params

    def _check_hyperparameters(self) -> None:
        check_params(self.get_params(), _CONSTRAINTS)

    def fit(self, lines: Iterable[str]) -> CharRNN:
        """Train on ``lines`` (a list of strings, none empty after stripping, no newline inside)."""
        lines = _check_lines(lines)
        self._check_hyperparameters()
        backend = get_backend()
        xp = backend.xp
        vocabulary = [NEWLINE, *sorted(set("".join(lines)))]  # the newline is index 0
        index = {ch: i for i, ch in enumerate(vocabulary)}
        n_x = len(vocabulary)
        host = initialize(self.n_a, n_x, n_x, np.random.RandomState(self.random_state + 1))
        parameters = {name: backend.put(P) for name, P in host.items()}
        examples = list(lines)
        np.random.RandomState(self.random_state).shuffle(examples)
        a_prev = backend.put(np.zeros((self.n_a, 1)))
        smoothed = -np.log(1.0 / n_x) * 7  # the course's initial loss, for 7 names
        curve: list[float] = []
        with progress_bar(self.num_iterations, enabled=self.verbose, desc="CharRNN") as bar:
            for j in range(self.num_iterations):
                ix = [index[c] for c in examples[j % len(examples)]]
                x = one_hot([[None, *ix]], n_x, backend)
                Y = one_hot([[*ix, 0]], n_x, backend)
                J, grads, a_prev = gradients(x, Y, a_prev, parameters, xp=xp)
                grads = clip_by_value(grads, self.clip_value, xp=xp)
                for name in _PARAMETERS:
                    parameters[name] = parameters[name] - self.learning_rate * grads["d" + name]
                smoothed = smoothed * 0.999 + float(J) * 0.001  # the course's smooth
                curve.append(smoothed)
                bar.update(1)
                if j % 1000 == 0:
                    bar.set_postfix(loss=f"{smoothed:.4f}")
        self.vocabulary_ = vocabulary
        self.parameters_ = parameters
        self.loss_curve_ = curve
        return self

    def _fitted(self) -> tuple[dict[str, Array], dict[str, int]]:
        if "parameters_" not in self.__dict__:
            raise not_fitted("This CharRNN is not fitted yet. Call fit(lines) before using it")
        return self.parameters_, {ch: i for i, ch in enumerate(self.vocabulary_)}

    def _indices(self, text: str, index: dict[str, int], what: str) -> list[int]:
        unknown = sorted({c for c in text if c not in index})
        if unknown:
            raise ValueError(
                f"Invalid {what}. Expected characters of the vocabulary "
                f"{''.join(self.vocabulary_[1:])!r}. Received: {text!r}, with {unknown}"
            )
        return [index[c] for c in text]

    def sample(
        self, n: int = 1, *, seed: int = 0, prefix: str = "", max_length: int = 50
    ) -> list[str]:
        """``n`` lines drawn from the model, the i-th from seed ``seed + i`` (the course's
        seeds), each starting with ``prefix``; the same on every backend.

        Returns
        -------
        list of str
            Without their ending newline; a line stops at ``max_length`` characters.
        """
        parameters, index = self._fitted()
        check_param("n", n, [Interval(Integral, 0, None, closed="left")])
        check_param("max_length", max_length, [COUNT])
        if not isinstance(prefix, str):
            raise TypeError(f"Invalid prefix. Expected a str. Received: prefix={prefix!r}")
        last = 2**32 - 1 - (n - 1) - 2 * (max_length - 1)  # draws seed + i + 2t: NumPy's seeds
        check_param("seed", seed, [Interval(Integral, 0, max(last, 0), closed="both")])
        start = self._indices(prefix, index, "prefix")
        xp = Backend.of(parameters["Waa1"]).xp
        out = []
        for i in range(n):
            drawn = sample_indices(
                parameters, 0, seed + i, max_length=max_length, prefix=start, xp=xp
            )
            out.append("".join(self.vocabulary_[k] for k in drawn if k != 0))
        return out

    def score(self, lines: Iterable[str]) -> float:
        """The mean cross-entropy per character (in nats), each line read from a zero
        state and its ending newline counted as one of its characters; exp of it is the
        perplexity. Lower is better."""
        lines = _check_lines(lines)
        parameters, index = self._fitted()
        backend = Backend.of(parameters["Waa1"])
        n_x = len(self.vocabulary_)
        by_length: dict[int, list[list[int]]] = {}
        for line in lines:
            ix = self._indices(line, index, "line")
            by_length.setdefault(len(ix), []).append(ix)
        total, count = 0.0, 0
        for length, group in by_length.items():
            x = one_hot([[None, *ix] for ix in group], n_x, backend)
            Y = one_hot([[*ix, 0] for ix in group], n_x, backend)
            a0 = backend.put(np.zeros((parameters["Waa1"].shape[0], len(group))))
            total += float(loss(x, Y, a0, parameters, xp=backend.xp)) * len(group)
            count += (length + 1) * len(group)
        return total / count

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The fitted model as a JSON-able header (with the vocabulary) and host arrays."""
        parameters, _ = self._fitted()
        n_a = int(parameters["Waa1"].shape[0])  # the fitted one, whatever set_params says
        header = {"model": "CharRNN", "hyperparameters": {**self.get_params(), "n_a": n_a}}
        arrays = {name: to_numpy(parameters[name]) for name in _PARAMETERS}
        arrays["loss_curve"] = np.asarray(self.loss_curve_)
        return {**header, "vocabulary": list(self.vocabulary_)}, arrays

    @classmethod
    def _from_state(
        cls, header: dict[str, Any], arrays: dict[str, np.ndarray], backend: Backend | None = None
    ) -> CharRNN:
        """The model :meth:`to_state` described, on ``backend`` (None: the backend in
        force); ValueError where the header or an array does not describe one."""
        model = fitted_with(cls, header)
        vocabulary = header.get("vocabulary")
        if not _is_vocabulary(vocabulary):
            raise ValueError(
                f"its header's vocabulary={vocabulary!r} is not the newline then distinct "
                "characters, sorted, as fit makes it"
            )
        n_a, n_x = model.n_a, len(vocabulary)
        shapes = {"Wax1": (n_a, n_x), "Waa1": (n_a, n_a), "ba1": (n_a, 1)}
        shapes |= {"W2": (n_x, n_a), "b2": (n_x, 1)}
        check_shapes({k: arrays[k] for k in _PARAMETERS if k in arrays}, shapes, "parameters")
        curve = check_vector(arrays, "loss_curve", "f")
        put = (backend or get_backend()).put
        model.vocabulary_ = list(vocabulary)
        model.parameters_ = {name: put(arrays[name]) for name in _PARAMETERS}
        model.loss_curve_ = [] if curve is None else curve.tolist()
        return model

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model file (an ``.npz``: a JSON header with the vocabulary, and arrays)."""
        return write(path, *self.to_state())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CharRNN:
        """A CharRNN from its file, on the backend in force (as :func:`xpnet.load` reads it)."""
        return read_model(path, {"CharRNN": cls})

    def __getstate__(self) -> dict[str, Any]:
        if "parameters_" not in self.__dict__:
            return dict(self.__dict__)
        header, arrays = self.to_state()
        return {"header": header, "arrays": arrays}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "header" in state:
            state = vars(self._from_state(state["header"], state["arrays"]))
        self.__dict__.update(state)


def _is_vocabulary(vocabulary: Any) -> TypeGuard[list[str]]:
    """The newline, then distinct characters in order: a vocabulary that ``fit`` makes."""
    return (
        isinstance(vocabulary, list)
        and vocabulary[:1] == [NEWLINE]
        and all(isinstance(c, str) and len(c) == 1 for c in vocabulary)
        and vocabulary[1:] == sorted(set(vocabulary[1:]) - {NEWLINE})
    )


def _check_lines(lines: Iterable[str]) -> list[str]:
    if isinstance(lines, str):
        raise TypeError(
            "Invalid lines. Expected a list of strings, one line each. Received: a str; "
            "pass text.split('\\n')"
        )
    lines = list(lines)
    bad = [line for line in lines if not isinstance(line, str)]
    if bad:
        raise TypeError(f"Invalid lines. Expected strings. Received: {bad[0]!r}")
    inner = [line for line in lines if NEWLINE in line.strip()]
    if inner:
        raise ValueError(
            f"Invalid lines. Expected no newline inside a line. Received: {inner[0]!r}"
        )
    stripped = [line.strip() for line in lines]
    if not stripped or not all(stripped):
        raise ValueError(
            "Invalid lines. Expected a non-empty list of non-empty strings. Received: "
            + ("an empty text" if not stripped else f"an empty line at {stripped.index('')}")
        )
    return stripped

"""A sequence classifier: a recurrent layer read at its last step, then a dense head.

:class:`SequenceClassifier` is the many-to-one network of the course's fifth part, an
:class:`~xpnet.layers.LSTM` or a :class:`~xpnet.layers.SimpleRNN` over the whole
sequence, whose last hidden state a⟨T_x⟩ feeds a sigmoid (two classes) or a softmax,
behind the estimators' contract: rows are samples, X has shape (n_samples, T, n_x), or
holds integer token ids of shape (n_samples, T) that the network reads one-hot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, cast

from .._checks import COUNT, Options
from ..backend import Backend, to_numpy
from ..initializers import draw_layer, draw_weights
from ..layers import LSTM, Dense, Dropout, SimpleRNN
from ..layers.recurrent import GATES
from ..network import Network
from ._classifier import BaseClassifier
from ._sequence_input import IN_MEMORY, SequenceInput, sequence_rows
from .fitted import Architecture, FittedState
from .fitting import check_bound
from .hyperparameters import HYPERPARAMETERS

__all__ = ["SequenceArchitecture", "SequenceClassifier"]

Array = Any

#: The recurrent cells a SequenceClassifier takes.
CELLS = ("lstm", "rnn")


@dataclass(frozen=True)
class SequenceArchitecture(Architecture):
    """n_x, n_a, n_y, the output head, the cell, and whether the input is token ids."""

    cell: str = "lstm"
    tokens: bool = False

    def shapes(self) -> dict[str, tuple[int, int]]:
        """The recurrent layer's parameters (layer 1) and the head's ``W2``, ``b2``."""
        n_x, n_a, n_y = self.dims
        shapes: dict[str, tuple[int, int]]
        if self.cell == "lstm":
            shapes = {}
            for g in GATES:
                shapes |= {f"W{g}1": (n_a, n_a + n_x), f"b{g}1": (n_a, 1)}
        else:
            shapes = {"Wax1": (n_a, n_x), "Waa1": (n_a, n_a), "ba1": (n_a, 1)}
        return shapes | {"W2": (n_y, n_a), "b2": (n_y, 1)}

    def to_header(self) -> dict[str, Any]:
        return {**super().to_header(), "cell": self.cell, "tokens": self.tokens}

    @classmethod
    def from_header(cls, saved: dict[str, Any]) -> SequenceArchitecture:
        dims = tuple(int(n) for n in saved["dims"])
        tokens = saved["tokens"]
        if not isinstance(tokens, bool):
            raise TypeError(f"tokens={tokens!r} is not a boolean")
        return cls(dims, saved["activation"], saved["output"], str(saved["cell"]), tokens)

    def describe(self) -> str:
        n_x, n_a, n_y = self.dims
        inputs = f"{n_x} tokens" if self.tokens else f"{n_x} features per step"
        return (
            f"an {self.cell.upper()} of {n_a} units over {inputs} → {n_y} {self.output} output(s)"
        )


@dataclass(eq=False, repr=False)
class SequenceClassifier(BaseClassifier):
    """[LSTM or RNN over t = 1 … T_x] → a⟨T_x⟩ → dropout → LINEAR → sigmoid (softmax for
    more classes).

    Sequences go in as rows, X of shape (n_samples, T, n_x); the network reads them in
    the course's layout, x of shape (n_x, m, T_x). With ``n_tokens`` set, X holds
    integer token ids of shape (n_samples, T), each read as a one-hot vector of
    n_tokens. The hidden state starts at zero for every sequence. A fitted model reads
    sequences of any length T (all of one call's of one length), with the n_x it was
    fitted on.

    Parameters
    ----------
    cell : {"lstm", "rnn"}
        The course's LSTM cell, or its basic RNN cell a⟨t⟩ = tanh(Waa·a⟨t−1⟩ + Wax·x⟨t⟩ + ba).
    n_a : int
        The hidden state's size.
    n_tokens : None, "auto" or int
        None: X holds feature vectors. An int: X holds token ids in [0, n_tokens).
        "auto": token ids, n_tokens the largest id of the first fit + 1.
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`; ``keep_prob`` drops units of
        a⟨T_x⟩, ``l2`` regularises every weight matrix (biases excepted), and
        ``initialization`` draws each weight matrix of the cell as a dense layer's of
        the same shape (W of shape (n_a, n_a + n_x) for each LSTM gate).

    Attributes
    ----------
    parameters_ : dict
        LSTM: ``{"Wf1", "bf1", "Wi1", "bi1", "Wc1", "bc1", "Wo1", "bo1"}``, each W of shape
        (n_a, n_a + n_x) acting on [a⟨t−1⟩; x⟨t⟩]; RNN: ``{"Wax1": (n_a, n_x),
        "Waa1": (n_a, n_a), "ba1": (n_a, 1)}``; then the head's ``W2`` (n_y, n_a), ``b2``.
    n_features_in_ : int
        n_x: features per step, or tokens.
    classes_, costs_, loss_curve_, n_iter_, ... :
        As in :class:`xpnet.DeepNet`.
    """

    cell: str = "lstm"
    n_a: int = 32
    n_tokens: int | str | None = None

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **HYPERPARAMETERS,
        "cell": [Options(*CELLS)],
        "n_a": [COUNT],
        "n_tokens": [COUNT, Options(None, "auto")],
    }

    def _input(
        self, X: Any, fitted: FittedState | None, dtype: str | None
    ) -> tuple[Array, Backend, bool, int]:
        if fitted is None:
            tokens = self.n_tokens is not None
            n_tokens = self.n_tokens if isinstance(self.n_tokens, int) else None
            return sequence_rows(X, tokens, n_tokens, None, dtype)
        arch = cast(SequenceArchitecture, fitted.architecture)
        n_tokens = arch.dims[0] if arch.tokens else None
        return sequence_rows(X, arch.tokens, n_tokens, fitted.backend, dtype)

    def _architecture(self, n_x: int, n_y: int, output: str | None = None) -> Architecture:
        return SequenceArchitecture(
            (n_x, self.n_a, n_y),
            "tanh",
            output or self._output_head(n_y),
            self.cell,
            self.n_tokens is not None,
        )

    def _network(
        self, architecture: Architecture, *, keep_prob: float = 1.0, l2: float = 0.0
    ) -> Network:
        arch = cast(SequenceArchitecture, architecture)
        recurrent = (SimpleRNN if arch.cell == "rnn" else LSTM)(1, return_sequences=False)
        layers: list[Any] = [SequenceInput(arch.dims[0], arch.tokens, recurrent)]
        if keep_prob < 1:
            layers.append(Dropout(keep_prob))
        return Network((*layers, Dense(2)), arch.output, l2)

    def _initial_parameters(
        self, architecture: Architecture, rng: Any, backend: Backend
    ) -> dict[str, Array]:
        """Each weight matrix drawn as a dense layer's of its shape, in the order of
        :meth:`SequenceArchitecture.shapes`; an RNN's Wax without a bias."""
        host = {}
        for name, shape in architecture.shapes().items():
            if name == "Wax1":  # the RNN's one bias, ba1, is drawn with Waa1
                host[name] = draw_weights(rng, shape, self.initialization, self.scale)
            elif name.startswith("W"):
                bias = "ba1" if name == "Waa1" else "b" + name[1:]
                host[name], host[bias] = draw_layer(rng, shape, self.initialization, self.scale)
        return {name: backend.put(host[name], backend.dtype) for name in architecture.shapes()}

    def _blocks(self, X: Any, *_: Any) -> Any:
        raise TypeError(IN_MEMORY)

    def _predict_lazy(self, X: Any, proba: bool) -> Any:
        return self._blocks(X)

    @staticmethod
    def _check_scale(X: Array, parameters: dict[str, Array], backend: Backend) -> None:
        """Refuse, before any arithmetic, parameters that are not finite and inputs whose
        products with the weights overflow: |Z| ≤ max(1, max|X|)·Σ‖W‖∞ + Σ max|b| bounds
        every gate's and the head's Z, the hidden states lying in [−1, 1]."""
        xp = backend.xp
        norms = [xp.max(xp.sum(xp.abs(P), axis=1)) for P in parameters.values()]
        scale, *found = to_numpy(xp.stack([xp.max(xp.abs(X)), *norms])).tolist()
        check_bound(found, max(1.0, scale) * sum(found), backend)

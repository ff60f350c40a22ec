"""The recurrent layers of the engine: :class:`SimpleRNN`, :class:`LSTM` and :class:`TimeDense`.

Each is layer l of a network, over sequences of shape (n_x, m, T_x) (time last, examples
as columns: ``sample_axis`` 1). A recurrent layer returns every hidden state, (n_a, m,
T_x), or only the last, (n_a, m): the first feeds a per-step head (:class:`TimeDense`,
then a softmax at every step), the second a :class:`~xpnet.layers.Dense` head. The
equations are those of :mod:`.recurrent`, unrolled through time.

The parameters' names cannot be taken for a dense layer's ``W{l}``/``b{l}``:
``Wax{l}, Waa{l}, ba{l}`` for :class:`SimpleRNN`, ``Wf{l}, bf{l}, Wi{l}, bi{l}, Wc{l},
bc{l}, Wo{l}, bo{l}`` for :class:`LSTM`. Their gradients are divided by m, as a dense
layer's are: the cost is the sum of the losses over time, averaged over the examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .dense import Dense
from .recurrent import (
    GATES,
    fuse_gates,
    lstm_backward_through_time,
    lstm_forward_through_time,
    rnn_backward_through_time,
    rnn_forward_through_time,
)

__all__ = ["LSTM", "SimpleRNN", "TimeDense"]

Array = Any


def _zeros(like: Array, n_a: int, m: int, xp: Any) -> Array:
    # taken from the weights ``like``: CuPy's creation functions ignore device=
    return xp.broadcast_to(like[:1, :1] * 0, (n_a, m))


@dataclass(frozen=True)
class SimpleRNN:
    """Layer l: a⟨t⟩ = tanh(Waa·a⟨t−1⟩ + Wax·x⟨t⟩ + ba) for t = 1 … T_x, from a⟨0⟩ = a0.

    ``return_sequences`` gives every a⟨t⟩, (n_a, m, T_x); otherwise a⟨T_x⟩, (n_a, m).
    """

    l: int  # noqa: E741 (the course's layer index)
    return_sequences: bool = True

    sample_axis: ClassVar[int] = 1  # x of shape (n_x, m, T_x): examples are columns

    @property
    def names(self) -> tuple[str, str, str]:
        """``("Wax{l}", "Waa{l}", "ba{l}")``."""
        return (f"Wax{self.l}", f"Waa{self.l}", f"ba{self.l}")

    def forward(
        self,
        A_prev: Array,
        parameters: dict[str, Array],
        *,
        mask: Any = None,
        a0: Array | None = None,
        xp: Any,
    ) -> tuple[Array, Any]:
        """The hidden states, from a0 of shape (n_a, m) (zeros when None)."""
        Wax, Waa, ba = (parameters[name] for name in self.names)
        a0 = _zeros(Waa, Waa.shape[0], A_prev.shape[1], xp) if a0 is None else a0
        a, steps = rnn_forward_through_time(A_prev, a0, Wax, Waa, ba, xp=xp)
        return (a if self.return_sequences else steps[-1].a_next), (steps, Wax, Waa)

    def backward(
        self, dA: Array, cache: Any, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        dx, _, grads = self.backward_through_time(dA, cache, need_dx=need_dA_prev, xp=xp)
        return dx, grads

    def backward_through_time(
        self, dA: Array, cache: Any, *, need_dx: bool = True, xp: Any
    ) -> tuple[Array | None, Array, dict[str, Array]]:
        """dx (or None), da0 = ∂J/∂a0 (times m) and ``{"dWax{l}", "dWaa{l}", "dba{l}"}``."""
        steps, Wax, Waa = cache
        m = dA.shape[1]
        sequence = dA if self.return_sequences else None
        last = None if self.return_sequences else dA
        dx, da0, total = rnn_backward_through_time(
            sequence, steps, Wax, Waa, da_last=last, need_dx=need_dx, xp=xp
        )
        keys = ("dWax", "dWaa", "dba")
        grads = {"d" + name: total[key] / m for name, key in zip(self.names, keys, strict=True)}
        return dx, da0, grads  # dW = 1/m · Σ_t dW⟨t⟩

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        n_a = parameters[self.names[1]].shape[0]
        _, m, T_x = input_shape
        return (n_a, m, T_x) if self.return_sequences else (n_a, m)


@dataclass(frozen=True)
class LSTM:
    """Layer l: the course's LSTM cell for t = 1 … T_x, from a⟨0⟩ = a0 and c⟨0⟩ = c0.

    ``return_sequences`` gives every a⟨t⟩, (n_a, m, T_x); otherwise a⟨T_x⟩, (n_a, m).
    """

    l: int  # noqa: E741 (the course's layer index)
    return_sequences: bool = True

    sample_axis: ClassVar[int] = 1  # x of shape (n_x, m, T_x): examples are columns

    @property
    def names(self) -> tuple[str, ...]:
        """``("Wf{l}", "bf{l}", "Wi{l}", "bi{l}", "Wc{l}", "bc{l}", "Wo{l}", "bo{l}")``."""
        return tuple(f"{p}{g}{self.l}" for g in GATES for p in ("W", "b"))

    weights_names: ClassVar[tuple[str, ...]] = tuple(f"{p}{g}" for g in GATES for p in ("W", "b"))

    def weights(self, parameters: dict[str, Array]) -> dict[str, Array]:
        """The gates' parameters under the course's names, ``{"Wf": ..., "bo": ...}``."""
        return {f"{p}{g}": parameters[f"{p}{g}{self.l}"] for g in GATES for p in ("W", "b")}

    def forward(
        self,
        A_prev: Array,
        parameters: dict[str, Array],
        *,
        mask: Any = None,
        a0: Array | None = None,
        c0: Array | None = None,
        xp: Any,
    ) -> tuple[Array, Any]:
        """The hidden states, from a0 and c0 of shape (n_a, m) (zeros when None)."""
        W, b = fuse_gates(self.weights(parameters), xp=xp)
        n_a, m = W.shape[0] // 4, A_prev.shape[1]
        a0 = _zeros(W, n_a, m, xp) if a0 is None else a0
        c0 = _zeros(W, n_a, m, xp) if c0 is None else c0
        a, _, steps = lstm_forward_through_time(A_prev, a0, c0, W, b, xp=xp)
        return (a if self.return_sequences else steps[-1].a_next), (steps, W)

    def backward(
        self, dA: Array, cache: Any, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        dx, _, _, grads = self.backward_through_time(dA, cache, need_dx=need_dA_prev, xp=xp)
        return dx, grads

    def backward_through_time(
        self, dA: Array, cache: Any, *, need_dx: bool = True, xp: Any
    ) -> tuple[Array | None, Array, Array, dict[str, Array]]:
        """dx (or None), da0, dc0 (times m) and ``{"dWf{l}", ..., "dbo{l}"}``."""
        steps, W = cache
        m = dA.shape[1]
        sequence = dA if self.return_sequences else None
        last = None if self.return_sequences else dA
        dx, da0, dc0, total = lstm_backward_through_time(
            sequence, steps, W, da_last=last, need_dx=need_dx, xp=xp
        )
        grads = {f"d{name}{self.l}": total["d" + name] / m for name in self.weights_names}
        return dx, da0, dc0, grads  # dW = 1/m · Σ_t dW⟨t⟩

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        n_a = parameters[self.names[0]].shape[0]
        _, m, T_x = input_shape
        return (n_a, m, T_x) if self.return_sequences else (n_a, m)


@dataclass(frozen=True)
class TimeDense:
    """Layer l at every step: Z⟨t⟩ = W[l]·a⟨t⟩ + b[l], then g (none: the logits).

    Its input (n_prev, m, T) is read as m·T columns of a :class:`~xpnet.layers.Dense`
    layer; the gradients are summed over time and averaged over the m sequences.
    """

    l: int  # noqa: E741 (the course's layer index)
    activation: str | None = None

    sample_axis: ClassVar[int] = 1  # a of shape (n_prev, m, T): examples are columns

    @property
    def names(self) -> tuple[str, str]:
        return (f"W{self.l}", f"b{self.l}")

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, Any]:
        n_prev, m, T = A_prev.shape
        columns = xp.reshape(A_prev, (n_prev, m * T))  # a⟨t⟩ of example i in column i·T + t
        A, cache = Dense(self.l, self.activation).forward(columns, parameters, xp=xp)
        return xp.reshape(A, (A.shape[0], m, T)), (cache, T)

    def backward(
        self, dA: Array, cache: Any, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        cache, T = cache
        n, m, _ = dA.shape
        dense = Dense(self.l, self.activation)
        dA_prev, grads = dense.backward(
            xp.reshape(dA, (n, m * T)), cache, need_dA_prev=need_dA_prev, xp=xp
        )
        if dA_prev is not None:
            dA_prev = xp.reshape(dA_prev, (dA_prev.shape[0], m, T))
        # Dense averages over the m·T columns: T times that is 1/m · Σ_t.
        return dA_prev, {name: d * T for name, d in grads.items()}

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        return (parameters[self.names[0]].shape[0], *input_shape[1:])

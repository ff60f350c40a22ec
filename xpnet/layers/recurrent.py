"""Recurrent layers: the course's RNN and LSTM cells, unrolled through time, forward and back.

The cells' equations are written once, in :func:`rnn_step_forward` and
:func:`lstm_step_forward`, each beside its backward pass; the sequence functions run
the cell over the T_x steps with :mod:`.time_loop` (a Python loop, unrolled into one
graph by ``torch.compile``; ``jax.lax.scan`` on JAX). The layers that wrap them in the
engine's protocol are in :mod:`.sequence`.

Time is the last axis and examples are columns, as in the course: a sequence x has
shape (n_x, m, T_x), its hidden states a shape (n_a, m, T_x). The sequence functions
return the course's sums over time and examples; the layers divide the parameters'
gradients by m, as :class:`~xpnet.layers.Dense` does.

The LSTM's gates are the course's: forget Γf, update Γu (its parameters Wi, bi), the
candidate c̃ and output Γo, each acting on [a⟨t−1⟩; x⟨t⟩].
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..activations import sigmoid, sigmoid_derivative, tanh, tanh_derivative
from .time_loop import backward_loop, forward_loop

__all__ = [
    "GATES",
    "LSTMStep",
    "RNNStep",
    "fuse_gates",
    "lstm_backward_through_time",
    "lstm_forward_through_time",
    "lstm_step_backward",
    "lstm_step_forward",
    "lstm_weight_gradients",
    "rnn_backward_through_time",
    "rnn_forward_through_time",
    "rnn_step_backward",
    "rnn_step_forward",
    "rnn_weight_gradients",
]

Array = Any

#: The LSTM's gates, in the course's order of its parameters (Wf, bf, Wi, bi, ...).
GATES = ("f", "i", "c", "o")


class RNNStep(NamedTuple):
    """One RNN step's values, in the course's cache order (less the parameters)."""

    a_next: Array
    a_prev: Array
    xt: Array


def rnn_step_forward(
    xt: Array, a_prev: Array, Wax: Array, Waa: Array, ba: Array, /, *, xp: Any
) -> RNNStep:
    """a⟨t⟩ = tanh(Waa·a⟨t−1⟩ + Wax·x⟨t⟩ + ba), with xt (n_x, m) and a_prev (n_a, m)."""
    a_next = tanh(Waa @ a_prev + Wax @ xt + ba, xp=xp)  # a⟨t⟩ = tanh(Waa·a⟨t−1⟩ + Wax·x⟨t⟩ + ba)
    return RNNStep(a_next, a_prev, xt)


def rnn_step_backward(
    da_next: Array, step: RNNStep, Wax: Array, Waa: Array, /, *, need_dxt: bool = True, xp: Any
) -> tuple[Array | None, Array, Array]:
    """dx⟨t⟩ (None unless ``need_dxt``), da⟨t−1⟩ and dz, the gradient of the step's
    pre-activation, from which the weights' gradients follow (:func:`rnn_weight_gradients`)."""
    dz = da_next * tanh_derivative(A=step.a_next)  # dz = da⟨t⟩ ∗ (1 − a⟨t⟩²)
    dxt = Wax.T @ dz if need_dxt else None  # dx⟨t⟩ = Waxᵀ·dz
    da_prev = Waa.T @ dz  # da⟨t−1⟩ = Waaᵀ·dz
    return dxt, da_prev, dz


def rnn_weight_gradients(dz: list[Array], steps: list[RNNStep], /, *, xp: Any) -> dict[str, Array]:
    """``{"dWax", "dWaa", "dba"}`` summed over the steps: dWax = Σ_t dz⟨t⟩·x⟨t⟩ᵀ,
    dWaa = Σ_t dz⟨t⟩·a⟨t−1⟩ᵀ, dba = Σ_t Σ_m dz⟨t⟩, each one product over the steps laid
    side by side."""
    D = xp.concat(dz, axis=1)  # (n_a, m·T)
    dWax = D @ xp.concat([s.xt for s in steps], axis=1).T  # dWax = Σ_t dz⟨t⟩·x⟨t⟩ᵀ
    dWaa = D @ xp.concat([s.a_prev for s in steps], axis=1).T  # dWaa = Σ_t dz⟨t⟩·a⟨t−1⟩ᵀ
    dba = xp.sum(D, axis=1, keepdims=True)  # dba = Σ_t Σ_m dz⟨t⟩
    return {"dWax": dWax, "dWaa": dWaa, "dba": dba}


class LSTMStep(NamedTuple):
    """One LSTM step's values, in the course's cache order (less the parameters),
    and [a⟨t−1⟩; x⟨t⟩], which the gradients of the weights multiply."""

    a_next: Array
    c_next: Array
    a_prev: Array
    c_prev: Array
    ft: Array
    it: Array
    cct: Array
    ot: Array
    xt: Array
    concat: Array


def fuse_gates(W: dict[str, Array], /, *, xp: Any) -> tuple[Array, Array]:
    """The four gates' weights stacked, [Wf; Wi; Wc; Wo] (4·n_a, n_a + n_x), and their
    biases [bf; bi; bc; bo] (4·n_a, 1): one product a step computes every gate."""
    return (
        xp.concat([W["W" + g] for g in GATES], axis=0),
        xp.concat([W["b" + g] for g in GATES], axis=0),
    )


def lstm_step_forward(
    xt: Array, a_prev: Array, c_prev: Array, W: Array, b: Array, /, *, xp: Any
) -> LSTMStep:
    """One LSTM step, with the gates' parameters stacked by :func:`fuse_gates`.

    Rows k·n_a to (k + 1)·n_a of W·[a⟨t−1⟩; x⟨t⟩] + b belong to gate k of ``GATES``.
    """
    n_a = a_prev.shape[0]
    concat = xp.concat([a_prev, xt], axis=0)  # [a⟨t−1⟩; x⟨t⟩]
    Z = W @ concat + b  # Z = [Wf; Wi; Wc; Wo]·[a⟨t−1⟩; x⟨t⟩] + [bf; bi; bc; bo]
    ft = sigmoid(Z[:n_a, ...], xp=xp)  # Γf = σ(Wf·[a⟨t−1⟩; x⟨t⟩] + bf)
    it = sigmoid(Z[n_a : 2 * n_a, ...], xp=xp)  # Γu = σ(Wi·[a⟨t−1⟩; x⟨t⟩] + bi)
    cct = tanh(Z[2 * n_a : 3 * n_a, ...], xp=xp)  # c̃⟨t⟩ = tanh(Wc·[a⟨t−1⟩; x⟨t⟩] + bc)
    c_next = c_prev * ft + cct * it  # c⟨t⟩ = Γf ∗ c⟨t−1⟩ + Γu ∗ c̃⟨t⟩
    ot = sigmoid(Z[3 * n_a :, ...], xp=xp)  # Γo = σ(Wo·[a⟨t−1⟩; x⟨t⟩] + bo)
    a_next = ot * tanh(c_next, xp=xp)  # a⟨t⟩ = Γo ∗ tanh(c⟨t⟩)
    return LSTMStep(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, concat)


def lstm_step_backward(
    da_next: Array, dc_next: Array, step: LSTMStep, W: Array, /, *, need_dxt: bool = True, xp: Any
) -> tuple[Array | None, Array, Array, Array]:
    """dx⟨t⟩ (None unless ``need_dxt``), da⟨t−1⟩, dc⟨t−1⟩ and dZ = [dΓf; dΓu; dc̃; dΓo].

    Each gate's derivative is written through its output (σ' = Γ(1 − Γ), tanh' = 1 − c̃²).
    The weights' gradients follow from dZ (:func:`lstm_weight_gradients`).
    """
    n_a = step.a_next.shape[0]
    tanh_c = tanh(step.c_next, xp=xp)
    dc = dc_next + da_next * step.ot * tanh_derivative(A=tanh_c)  # dc⟨t⟩ += da·Γo·(1 − tanh²c)
    dft = dc * step.c_prev * sigmoid_derivative(A=step.ft)  # dΓf = dc ∗ c⟨t−1⟩ ∗ Γf(1 − Γf)
    dit = dc * step.cct * sigmoid_derivative(A=step.it)  # dΓu = dc ∗ c̃ ∗ Γu(1 − Γu)
    dcct = dc * step.it * tanh_derivative(A=step.cct)  # dc̃ = dc ∗ Γu ∗ (1 − c̃²)
    dot = da_next * tanh_c * sigmoid_derivative(A=step.ot)  # dΓo = da ∗ tanh c ∗ Γo(1 − Γo)
    dZ = xp.concat([dft, dit, dcct, dot], axis=0)
    dconcat = W.T @ dZ  # d[a⟨t−1⟩; x⟨t⟩] = Σ_gates Wᵀ·dΓ
    dc_prev = dc * step.ft  # dc⟨t−1⟩ = dc ∗ Γf
    return (dconcat[n_a:, ...] if need_dxt else None), dconcat[:n_a, ...], dc_prev, dZ


def lstm_weight_gradients(
    dZ: list[Array], steps: list[LSTMStep], /, *, xp: Any
) -> dict[str, Array]:
    """``{"dWf", "dbf", ..., "dbo"}`` summed over the steps, each dW = Σ_t dΓ⟨t⟩·[a⟨t−1⟩; x⟨t⟩]ᵀ.

    The steps are laid side by side, so that the sum over time and examples is one product.
    """
    n_a = steps[0].a_next.shape[0]
    D = xp.concat(dZ, axis=1)  # (4·n_a, m·T)
    C = xp.concat([step.concat for step in steps], axis=1)  # (n_a + n_x, m·T)
    dW = D @ C.T  # dW = Σ_t dZ⟨t⟩·[a⟨t−1⟩; x⟨t⟩]ᵀ
    db = xp.sum(D, axis=1, keepdims=True)  # db = Σ_t Σ_m dZ⟨t⟩
    grads = {}
    for k, g in enumerate(GATES):
        grads["dW" + g] = dW[k * n_a : (k + 1) * n_a, ...]
        grads["db" + g] = db[k * n_a : (k + 1) * n_a, ...]
    return grads


def rnn_forward_through_time(
    x: Array, a0: Array, Wax: Array, Waa: Array, ba: Array, /, *, xp: Any
) -> tuple[Array, list[RNNStep]]:
    """The hidden states a of shape (n_a, m, T_x) for x (n_x, m, T_x) from a0, and the steps."""

    def cell(a_prev: Array, xt: Array) -> tuple[Array, RNNStep]:
        step = rnn_step_forward(xt, a_prev, Wax, Waa, ba, xp=xp)
        return step.a_next, step

    steps = forward_loop(cell, a0, x, xp=xp)
    return xp.stack([s.a_next for s in steps], axis=2), steps


def rnn_backward_through_time(
    da: Array | None,
    steps: list[RNNStep],
    Wax: Array,
    Waa: Array,
    /,
    *,
    da_last: Array | None = None,
    need_dx: bool = True,
    xp: Any,
) -> tuple[Array | None, Array, dict[str, Array]]:
    """Backpropagation through time, from the last of ``steps`` back to the first.

    ``da`` (n_a, m, T) is ∂J/∂a at every step (T ≤ len(steps): only the first T steps are
    taken back, as the course's ``rnn_backward`` reads T from da); or, with ``da=None``,
    ``da_last`` (n_a, m) is ∂J/∂a⟨T_x⟩ alone. Returns dx (n_x, m, T) or None, da0 and the
    sums over time of ``{"dWax", "dWaa", "dba"}``.
    """
    T = len(steps) if da is None else da.shape[2]
    da_prev = steps[0].a_prev * 0 if da_last is None else da_last

    def cell(da_prev: Array, item: tuple) -> tuple[Array, tuple]:
        step, da_t = item
        da_next = da_prev if da_t is None else da_t + da_prev  # from above and from t + 1
        dxt, da_prev, dz = rnn_step_backward(da_next, step, Wax, Waa, need_dxt=need_dx, xp=xp)
        return da_prev, (dxt, dz)

    inputs = [(steps[t], None if da is None else da[:, :, t]) for t in range(T)]
    da0, outputs = backward_loop(cell, da_prev, inputs, xp=xp)
    grads = rnn_weight_gradients([dz for _, dz in outputs], steps[:T], xp=xp)
    dx = xp.stack([dxt for dxt, _ in outputs], axis=2) if need_dx else None
    return dx, da0, grads


def lstm_forward_through_time(
    x: Array, a0: Array, c0: Array, W: Array, b: Array, /, *, xp: Any
) -> tuple[Array, Array, list[LSTMStep]]:
    """The hidden states a and the cell states c, each (n_a, m, T_x), and the steps;
    W and b stacked by :func:`fuse_gates`."""

    def cell(state: tuple[Array, Array], xt: Array) -> tuple[tuple[Array, Array], LSTMStep]:
        step = lstm_step_forward(xt, *state, W, b, xp=xp)
        return (step.a_next, step.c_next), step

    steps = forward_loop(cell, (a0, c0), x, xp=xp)
    a = xp.stack([s.a_next for s in steps], axis=2)
    return a, xp.stack([s.c_next for s in steps], axis=2), steps


def lstm_backward_through_time(
    da: Array | None,
    steps: list[LSTMStep],
    W: Array,
    /,
    *,
    da_last: Array | None = None,
    need_dx: bool = True,
    xp: Any,
) -> tuple[Array | None, Array, Array, dict[str, Array]]:
    """As :func:`rnn_backward_through_time`, for the LSTM (W stacked by :func:`fuse_gates`):
    dx, da0, dc0 and the sums over time of ``{"dWf", "dbf", ..., "dbo"}``. dc⟨T⟩ is zero."""
    T = len(steps) if da is None else da.shape[2]
    da_prev = steps[0].a_prev * 0 if da_last is None else da_last
    dc_prev = steps[0].c_prev * 0

    def cell(state: tuple[Array, Array], item: tuple) -> tuple[tuple[Array, Array], tuple]:
        step, da_t = item
        da_prev, dc_prev = state
        da_next = da_prev if da_t is None else da_t + da_prev  # from above and from t + 1
        dxt, da_prev, dc_prev, dZ = lstm_step_backward(
            da_next, dc_prev, step, W, need_dxt=need_dx, xp=xp
        )
        return (da_prev, dc_prev), (dxt, dZ)

    inputs = [(steps[t], None if da is None else da[:, :, t]) for t in range(T)]
    (da0, dc0), outputs = backward_loop(cell, (da_prev, dc_prev), inputs, xp=xp)
    grads = lstm_weight_gradients([dZ for _, dZ in outputs], steps[:T], xp=xp)
    dx = xp.stack([dxt for dxt, _ in outputs], axis=2) if need_dx else None
    return dx, da0, dc0, grads

"""Course 5, week 1, "Building your Recurrent Neural Network – Step by Step".

The RNN and LSTM cells, forward through a sequence and back through time, under the
course's names and returning what the course returns (caches in its order). Each is a
thin wrapper over the engine's equations (:mod:`xpnet.layers.recurrent`): the cells are
the ones :class:`~xpnet.layers.SimpleRNN` and :class:`~xpnet.layers.LSTM` unroll.

Time is the last axis and examples are columns: x has shape (n_x, m, T_x), a0 and
a_prev (n_a, m). ``parameters`` holds ``Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y,
n_a), ba (n_a, 1), by (n_y, 1)`` for the RNN, and ``Wf, Wi, Wc, Wo (n_a, n_a + n_x),
bf, bi, bc, bo (n_a, 1), Wy (n_y, n_a), by (n_y, 1)`` for the LSTM. The gradients are
the course's sums over the m examples (no 1/m).
"""

from __future__ import annotations

from typing import Any

from .._checks import check_keys, check_namespace, check_shape
from ..activations import softmax
from ..layers.dense import linear_forward
from ..layers.recurrent import (
    GATES,
    LSTMStep,
    RNNStep,
    fuse_gates,
    lstm_backward_through_time,
    lstm_step_backward,
    lstm_step_forward,
    lstm_weight_gradients,
    rnn_backward_through_time,
    rnn_step_backward,
    rnn_step_forward,
    rnn_weight_gradients,
)

__all__ = [
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
]

Array = Any
Params = dict[str, Array]

_LSTM = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by")


def check_rnn_parameters(parameters: Params, n_x: int | None, b: str = "ba") -> tuple[int, int]:
    """n_a and n_y of the RNN's ``Wax, Waa, Wya, ba, by`` (the bias named ``b``), checked;
    ``n_x`` None takes any input size."""
    check_keys("parameters", parameters, ("Wax", "Waa", "Wya", b, "by"))
    Waa = parameters["Waa"]
    check_shape("parameters['Waa']", Waa, (("n_a", None), ("n_a", getattr(Waa, "shape", (0,))[0])))
    n_a = Waa.shape[0]
    check_shape("parameters['Wax']", parameters["Wax"], (("n_a", n_a), ("n_x", n_x)))
    check_shape(f"parameters['{b}']", parameters[b], (("n_a", n_a), ("1", 1)))
    return n_a, _check_output(parameters, "Wya", n_a)


def _check_lstm(parameters: Params, n_x: int) -> tuple[int, int]:
    check_keys("parameters", parameters, _LSTM)
    Wf = parameters["Wf"]
    check_shape("parameters['Wf']", Wf, (("n_a", None), ("n_a + n_x", None)))
    n_a = Wf.shape[0]
    for g in GATES:
        W, b = f"W{g}", f"b{g}"
        check_shape(f"parameters['{W}']", parameters[W], (("n_a", n_a), ("n_a + n_x", n_a + n_x)))
        check_shape(f"parameters['{b}']", parameters[b], (("n_a", n_a), ("1", 1)))
    return n_a, _check_output(parameters, "Wy", n_a)


def _check_output(parameters: Params, W: str, n_a: int) -> int:
    """n_y of the prediction's ``W`` (n_y, n_a) and ``by`` (n_y, 1), checked."""
    check_shape(f"parameters['{W}']", parameters[W], (("n_y", None), ("n_a", n_a)))
    n_y = parameters[W].shape[0]
    check_shape("parameters['by']", parameters["by"], (("n_y", n_y), ("1", 1)))
    return n_y


def _check_inputs(name: str, x: Array, parameters: Params, check: Any, **states: Array) -> None:
    """x (n_x, m, T_x) or a step of it, xt (n_x, m); ``parameters`` (by ``check``) and
    each of ``states`` (n_a, m), checked."""
    check_shape(name, x, (("n_x", None), ("m", None), ("T_x", None))[: 3 if name == "x" else 2])
    n_a, _ = check(parameters, x.shape[0])
    for state, a in states.items():
        check_shape(state, a, (("n_a", n_a), ("m", x.shape[1])))


def _check_da(da: Array, caches: tuple) -> tuple[list, Params]:
    """da (n_a, m, T_x) against the caches of the forward pass: their steps and parameters."""
    steps, _ = caches
    a1, parameters = steps[0][0], steps[0][-1]
    check_shape("da", da, (("n_a", a1.shape[0]), ("m", a1.shape[1]), ("T_x", None)))
    if da.shape[2] > len(steps):
        raise ValueError(
            f"Invalid da. Expected at most T_x = {len(steps)} steps, one per cache. "
            f"Received: da of shape {tuple(da.shape)}"
        )
    return steps, parameters


def _prediction(a_next: Array, W: Array, b: Array, xp: Any) -> Array:
    return softmax(linear_forward(a_next, W, b, xp=xp)[0], xp=xp)  # ŷ⟨t⟩ = softmax(W·a⟨t⟩ + b)


def rnn_cell_forward(xt: Array, a_prev: Array, parameters: Params) -> tuple[Array, Array, tuple]:
    """One RNN step: a⟨t⟩ = tanh(Waa·a⟨t−1⟩ + Wax·x⟨t⟩ + ba), ŷ⟨t⟩ = softmax(Wya·a⟨t⟩ + by).

    Returns
    -------
    a_next : array of shape (n_a, m)
    yt_pred : array of shape (n_y, m)
    cache : tuple
        ``(a_next, a_prev, xt, parameters)``
    """
    _check_inputs("xt", xt, parameters, check_rnn_parameters, a_prev=a_prev)
    xp = check_namespace(xt, a_prev, parameters)
    p = parameters
    step = rnn_step_forward(xt, a_prev, p["Wax"], p["Waa"], p["ba"], xp=xp)
    yt_pred = _prediction(step.a_next, p["Wya"], p["by"], xp)
    return step.a_next, yt_pred, (*step, parameters)


def rnn_forward(x: Array, a0: Array, parameters: Params) -> tuple[Array, Array, tuple]:
    """The RNN over a sequence x of shape (n_x, m, T_x), from the hidden state a0 (n_a, m).

    Returns
    -------
    a : array of shape (n_a, m, T_x)
    y_pred : array of shape (n_y, m, T_x)
    caches : tuple
        ``(list of the T_x cells' caches, x)``
    """
    _check_inputs("x", x, parameters, check_rnn_parameters, a0=a0)
    xp = check_namespace(x, a0, parameters)
    a, y, caches, a_next = [], [], [], a0
    for t in range(x.shape[2]):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a.append(a_next)
        y.append(yt_pred)
        caches.append(cache)
    return xp.stack(a, axis=2), xp.stack(y, axis=2), (caches, x)


def rnn_cell_backward(da_next: Array, cache: tuple) -> dict[str, Array]:
    """Back through one RNN step from da_next = ∂J/∂a⟨t⟩ (n_a, m).

    Returns
    -------
    gradients : dict
        ``dxt`` (n_x, m), ``da_prev`` (n_a, m), ``dWax`` (n_a, n_x), ``dWaa`` (n_a, n_a),
        ``dba`` (n_a, 1)
    """
    a_next, a_prev, xt, parameters = cache
    check_shape("da_next", da_next, (("n_a", a_next.shape[0]), ("m", a_next.shape[1])))
    xp = check_namespace(da_next, cache)
    step = RNNStep(a_next, a_prev, xt)
    dxt, da_prev, dz = rnn_step_backward(
        da_next, step, parameters["Wax"], parameters["Waa"], xp=xp
    )
    return {"dxt": dxt, "da_prev": da_prev, **rnn_weight_gradients([dz], [step], xp=xp)}


def rnn_backward(da: Array, caches: tuple) -> dict[str, Array]:
    """Backpropagation through time from da = ∂J/∂a (n_a, m, T_x), as in the course.

    Returns
    -------
    gradients : dict
        ``dx`` (n_x, m, T_x), ``da0`` (n_a, m), ``dWax``, ``dWaa``, ``dba``
    """
    steps, parameters = _check_da(da, caches)
    xp = check_namespace(da, caches)
    cells = [RNNStep(*cache[:3]) for cache in steps]
    dx, da0, grads = rnn_backward_through_time(
        da, cells, parameters["Wax"], parameters["Waa"], xp=xp
    )
    return {"dx": dx, "da0": da0, **grads}


def lstm_cell_forward(
    xt: Array, a_prev: Array, c_prev: Array, parameters: Params
) -> tuple[Array, Array, Array, tuple]:
    """One LSTM step (the course's figure 4), and its prediction ŷ⟨t⟩ = softmax(Wy·a⟨t⟩ + by).

    Returns
    -------
    a_next, c_next : arrays of shape (n_a, m)
    yt_pred : array of shape (n_y, m)
    cache : tuple
        ``(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)``
    """
    _check_inputs("xt", xt, parameters, _check_lstm, a_prev=a_prev, c_prev=c_prev)
    xp = check_namespace(xt, a_prev, c_prev, parameters)
    step = lstm_step_forward(xt, a_prev, c_prev, *fuse_gates(parameters, xp=xp), xp=xp)
    yt_pred = _prediction(step.a_next, parameters["Wy"], parameters["by"], xp)
    return step.a_next, step.c_next, yt_pred, (*step[:9], parameters)


def lstm_forward(x: Array, a0: Array, parameters: Params) -> tuple[Array, Array, Array, tuple]:
    """The LSTM over x of shape (n_x, m, T_x), from a0 (n_a, m) and c⟨0⟩ = 0.

    Returns
    -------
    a : array of shape (n_a, m, T_x)
    y : array of shape (n_y, m, T_x)
    c : array of shape (n_a, m, T_x)
    caches : tuple
        ``(list of the T_x cells' caches, x)``
    """
    _check_inputs("x", x, parameters, _check_lstm, a0=a0)
    xp = check_namespace(x, a0, parameters)
    a, y, c, caches = [], [], [], []
    a_next, c_next = a0, a0 * 0
    for t in range(x.shape[2]):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a.append(a_next)
        y.append(yt)
        c.append(c_next)
        caches.append(cache)
    return xp.stack(a, axis=2), xp.stack(y, axis=2), xp.stack(c, axis=2), (caches, x)


def _lstm_step(cache: tuple, xp: Any) -> LSTMStep:
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, _ = cache
    concat = xp.concat([a_prev, xt], axis=0)
    return LSTMStep(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, concat)


def lstm_cell_backward(da_next: Array, dc_next: Array, cache: tuple) -> dict[str, Array]:
    """Back through one LSTM step from ∂J/∂a⟨t⟩ and ∂J/∂c⟨t⟩, each (n_a, m).

    Returns
    -------
    gradients : dict
        ``dxt`` (n_x, m), ``da_prev``, ``dc_prev`` (n_a, m), ``dWf``, ``dWi``, ``dWc``,
        ``dWo`` (n_a, n_a + n_x), ``dbf``, ``dbi``, ``dbc``, ``dbo`` (n_a, 1)
    """
    a_next = cache[0]
    check_shape("da_next", da_next, (("n_a", a_next.shape[0]), ("m", a_next.shape[1])))
    check_shape("dc_next", dc_next, (("n_a", a_next.shape[0]), ("m", a_next.shape[1])))
    xp = check_namespace(da_next, dc_next, cache)
    step = _lstm_step(cache, xp)
    W, _ = fuse_gates(cache[-1], xp=xp)
    dxt, da_prev, dc_prev, dZ = lstm_step_backward(da_next, dc_next, step, W, xp=xp)
    grads = lstm_weight_gradients([dZ], [step], xp=xp)
    return {"dxt": dxt, "da_prev": da_prev, "dc_prev": dc_prev, **grads}


def lstm_backward(da: Array, caches: tuple) -> dict[str, Array]:
    """Backpropagation through time for the LSTM from da = ∂J/∂a (n_a, m, T_x).

    Returns
    -------
    gradients : dict
        ``dx`` (n_x, m, T_x), ``da0`` (n_a, m), ``dWf``, ``dbf``, ``dWi``, ``dbi``,
        ``dWc``, ``dbc``, ``dWo``, ``dbo``
    """
    steps, parameters = _check_da(da, caches)
    xp = check_namespace(da, caches)
    cells = [_lstm_step(cache, xp) for cache in steps]
    W, _ = fuse_gates(parameters, xp=xp)
    dx, da0, _, grads = lstm_backward_through_time(da, cells, W, xp=xp)
    return {"dx": dx, "da0": da0, **grads}

"""Courses 1 and 2: the dense networks, their optimisers and schedules, under the course's
names, in the conventions of :mod:`xpnet.course`.
"""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Sequence
from typing import Any, cast

import numpy as np  # edge: host-side random draws
from array_api_compat import device

from .._checks import (
    BELOW_ONE,
    NON_NEGATIVE,
    POSITIVE,
    Interval,
    check_integer,
    check_keys,
    check_labels,
    check_namespace,
    check_param,
    check_parameters,
    check_shape,
)
from ..backend import Backend, default_float, get_backend
from ..batches import epoch_batches
from ..initializers import check_method, check_random_state, draw_parameters
from ..layers.dense import Cache, LinearCache
from ..network import Network, n_layers
from ..optimizers import Adam, GradientDescent, Momentum
from ..schedules import ExponentialDecay, InverseTimeDecay, ScheduledDecay

__all__ = [
    "L_model_backward",
    "L_model_forward",
    "backward_propagation",
    "compute_cost",
    "exponential_decay",
    "forward_propagation",
    "initialize_adam",
    "initialize_parameters",
    "initialize_velocity",
    "propagate",
    "random_mini_batches",
    "schedule_lr_decay",
    "update_lr",
    "update_parameters",
    "update_parameters_with_adam",
    "update_parameters_with_momentum",
]

Array = Any
Params = dict[str, Array]
EXAMPLES = (("n_x", None), ("m", None))  # X: examples are columns


def _check_X(X: Array) -> tuple[int, int]:
    check_shape("X", X, EXAMPLES, examples=True)
    return X.shape[0], X.shape[1]


def _as_float(A: Array, like: Array | None, xp: Any) -> Array:
    """A as floats where it holds integers or booleans (as images and labels are stored):
    in ``like``'s dtype, or the device's float, on every backend alike."""
    if xp.isdtype(A.dtype, "real floating"):
        return A
    return xp.astype(A, default_float(xp, device(A)) if like is None else like.dtype)


def _check_output(output: str, n_y: int, name: str, shape: tuple[int, ...]) -> None:
    """A softmax over K ≥ 2 rows: over one row it is 1 whatever the logits."""
    if output == "softmax" and n_y < 2:
        raise ValueError(
            "Invalid output. Expected 'sigmoid' for one output unit (a softmax needs "
            f"K ≥ 2 rows). Received: output='softmax' with {name} of shape {tuple(shape)}"
        )


# -- course 1: forward and backward ---------------------------------------------------


def propagate(
    w: Array, b: Array, X: Array, Y: Array, /, output: str = "sigmoid", *, xp: Any = None
) -> tuple[dict[str, Array], Array]:
    """Week 2: the gradients and the cost of logistic regression, forward then backward.

    Z = wᵀ·X + b, A = σ(Z); the engine's one-layer network, whose W1 is wᵀ.

    Parameters
    ----------
    w : array of shape (n_x, 1), or (n_x, K) with a softmax
    b : array of shape (1, 1), or (K, 1)
    X : array of shape (n_x, m)
    Y : array of shape (1, m), or (K, m)

    Returns
    -------
    grads : dict
        ``{"dw": 1/m · X·(A − Y)ᵀ, "db": 1/m · Σ (A − Y)}``, the shapes of w and b.
    cost : 0-d array
    """
    xp = check_namespace(w, b, X, Y, xp=xp)
    n_x, m = _check_X(X)
    check_shape("w", w, (("n_x", n_x), ("n_y", None)))
    n_y = w.shape[1]
    check_shape("b", b, (("n_y", n_y), ("1", 1)))
    _check_output(output, n_y, "w", w.shape)
    X = _as_float(X, w, xp)
    binary = output != "identity"
    Y = check_labels(Y, (n_y, m), X.dtype, names=("A = σ(wᵀ·X + b)", "Y"), xp=xp, binary=binary)
    network = Network.dense(1, output=output)
    grads, loss = network.gradients(X, Y, {"W1": w.T, "b1": b}, with_loss=True, xp=xp)
    return {"dw": grads["dW1"].T, "db": grads["db1"]}, cast(Array, loss) / m


def _forward(
    X: Array, parameters: Params, L: int, activation: str, output: str, xp: Any
) -> tuple[Array, list[Cache]]:
    """A[L] and the engine's caches, the last one holding Z[L] and A[L]."""
    n_x, _ = _check_X(X)
    check_parameters(parameters, n_x, L)
    X = _as_float(X, parameters["W1"], xp)
    network = Network.dense(L, activation, output)
    WL = parameters[f"W{L}"]
    _check_output(output, WL.shape[0], f"parameters['W{L}']", WL.shape)
    ZL, caches = network.forward(X, parameters, xp=xp)
    AL = network.head.activation(ZL, xp=xp)
    caches[-1] = caches[-1]._replace(A=AL)
    return AL, caches


def forward_propagation(
    X: Array,
    parameters: Params,
    /,
    activation: str = "tanh",
    output: str = "sigmoid",
    *,
    xp: Any = None,
) -> tuple[Array, dict[str, Array]]:
    """Week 3: Z1 = W1·X + b1, A1 = g(Z1), Z2 = W2·A1 + b2, A2 = σ(Z2).

    Parameters
    ----------
    X : array of shape (n_x, m)
    parameters : dict
        ``W1`` (n_h, n_x), ``b1`` (n_h, 1), ``W2`` (n_y, n_h), ``b2`` (n_y, 1).
    activation : {"tanh", "relu", "leaky_relu", "sigmoid"}
        g, the hidden layer's activation.
    output : {"sigmoid", "softmax"}

    Returns
    -------
    A2 : array of shape (n_y, m)
    cache : dict
        ``{"A1", "Z2", "A2"}`` for the backward pass and the cost (g'(Z1) comes from A1).
    """
    xp = check_namespace(X, parameters, xp=xp)
    A2, caches = _forward(X, parameters, 2, activation, output, xp)
    return A2, {"A1": caches[0].A, "Z2": caches[1].Z, "A2": A2}


def backward_propagation(
    parameters: Params,
    cache: dict[str, Array],
    X: Array,
    Y: Array,
    /,
    activation: str = "tanh",
    *,
    xp: Any = None,
) -> dict[str, Array]:
    """Week 3: dZ2 = A2 − Y, dW2, db2, dZ1 = W2ᵀ·dZ2 ∗ g'(Z1), dW1, db1.

    Y holds labels 0 or 1, or any numbers after an identity output (whose A2 is Z2).

    Returns
    -------
    grads : dict
        ``{"dW1", "db1", "dW2", "db2"}``, each the shape of its parameter.
    """
    xp = check_namespace(parameters, cache, X, Y, xp=xp)
    n_x, m = _check_X(X)
    check_parameters(parameters, n_x, 2)
    X = _as_float(X, parameters["W1"], xp)
    check_keys("cache", cache, ["A1", "A2"])
    A1, A2 = cache["A1"], cache["A2"]
    for l in (1, 2):  # noqa: E741 (the course's layer index)
        n_l = parameters[f"W{l}"].shape[0]
        check_shape(f"cache['A{l}']", cache[f"A{l}"], ((f"n_{l}", n_l), ("m", m)))
    binary = cache.get("Z2") is not A2
    Y = check_labels(Y, A2.shape, A2.dtype, names=("A2", "Y"), xp=xp, binary=binary)
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    caches = [Cache(LinearCache(X, W1, b1), None, A1), Cache(LinearCache(A1, W2, b2), None, A2)]
    return Network.dense(2, activation).output_backward(A2, Y, caches, parameters, xp=xp)


def L_model_forward(
    X: Array,
    parameters: Params,
    /,
    activation: str = "relu",
    output: str = "sigmoid",
    *,
    xp: Any = None,
) -> tuple[Array, list[Cache]]:
    """Week 4: [LINEAR → g] × (L − 1) → LINEAR → sigmoid or softmax.

    Returns
    -------
    AL : array of shape (n_L, m)
        The output layer's activation; ``caches[-1].Z`` holds its logits, for the cost.
    caches : list of Cache, one per layer
        Hidden layers keep A but not Z (None): backprop needs only A.
    """
    xp = check_namespace(X, parameters, xp=xp)
    L = max(n_layers(parameters), 1) if isinstance(parameters, dict) else 1
    return _forward(X, parameters, L, activation, output, xp)


def L_model_backward(
    AL: Array, Y: Array, caches: list[Cache], /, activation: str = "relu", *, xp: Any = None
) -> dict[str, Array]:
    """Week 4: all the gradients, from the output's dZ[L] = A[L] − Y back to layer 1.

    ``caches`` are L_model_forward's; Y holds labels 0 or 1, or any numbers after an
    identity output (whose A[L] is Z[L]).

    Returns
    -------
    grads : dict
        ``{"dW1": ..., "db1": ..., ...}``, each the shape of its parameter.
    """
    xp = check_namespace(AL, Y, caches, xp=xp)
    if not (
        isinstance(caches, list | tuple)
        and caches
        and all(isinstance(c, Cache) and isinstance(c.linear, LinearCache) for c in caches)
    ):
        raise ValueError(
            "Invalid caches. Expected a non-empty list of the caches of L_model_forward. "
            f"Received: caches={reprlib.repr(caches)}"
        )
    m, n_L = caches[0].linear.A_prev.shape[1], caches[-1].linear.W.shape[0]
    check_shape("AL", AL, (("n_L", n_L), ("m", m)))
    binary = caches[-1].A is not caches[-1].Z
    Y = check_labels(Y, AL.shape, AL.dtype, names=("AL", "Y"), xp=xp, binary=binary)
    return Network.dense(len(caches), activation).output_backward(AL, Y, caches, {}, xp=xp)


def compute_cost(ZL: Array, Y: Array, /, output: str = "sigmoid", *, xp: Any = None) -> Array:
    """Week 4: the cross-entropy J of the output layer, from its logits.

    Parameters
    ----------
    ZL : array of shape (1, m) or (K, m)
        The output layer's pre-activation (``caches[-1].Z``): the cost stays finite
        where A[L] saturates at 0 or 1.
    Y : array of the same shape
    output : {"sigmoid", "softmax"}

    Returns
    -------
    cost : 0-d array
    """
    network = Network.dense(1, output=output)
    xp = check_namespace(ZL, Y, xp=xp)
    ZL = _as_float(ZL, None, xp)
    Y = check_labels(Y, ZL.shape, ZL.dtype, names=("Z", "Y"), xp=xp, binary=output != "identity")
    _check_output(output, ZL.shape[0], "Z", ZL.shape)
    return network.cost(ZL, Y, {}, xp=xp)


def initialize_parameters(
    layer_dims: Sequence[int],
    method: str = "xavier",
    *,
    scale: float = 0.01,
    random_state: Any = None,
    backend: Backend | None = None,
) -> Params:
    """Week 4: ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL": ..., "bL": ...}``.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_L]``: the input size, then each layer's number of units.
    method : {"zeros", "random", "normal", "xavier", "he", "glorot", ...}
        As :data:`xpnet.initializers.METHODS` (``"xavier"``: W = randn / √n_prev, the
        course's week 4; ``"random"``: W = randn · scale).
    random_state : None, int, RandomState or Generator
        An int builds the course's ``RandomState(seed)`` and draws W1, W2, ... in order.
    backend : Backend, optional
        Where the parameters live, and their dtype; by default the backend in force.
    """
    try:  # a list, a tuple, a NumPy array of sizes; not a string
        sizes = [] if isinstance(layer_dims, str | bytes) else list(layer_dims)
    except TypeError:
        sizes = []
    if len(sizes) < 2:
        raise ValueError(
            "Invalid layer_dims. Expected at least two sizes [n_x, ..., n_L]. "
            f"Received: layer_dims={layer_dims!r}"
        )
    dims = [check_integer(f"layer_dims[{i}]", n) for i, n in enumerate(sizes)]
    check_method(method)
    backend = get_backend() if backend is None else backend
    rng = check_random_state(random_state) if method != "zeros" else None
    return draw_parameters(rng, dims, method, scale, backend)


# -- course 2: optimisation ------------------------------------------------------------


def _check_grads(
    parameters: Params, grads: Params, learning_rate: float, *states: tuple[str, Params]
) -> None:
    """Every gradient (and optimiser state) of its parameter's shape, on one backend;
    a learning rate α > 0."""
    check_param("learning_rate", learning_rate, [POSITIVE])
    check_keys("parameters", parameters, [])
    names = ["d" + name for name in parameters]
    for label, d in (("grads", grads), *states):
        check_keys(label, d, names)
        for name, P in parameters.items():
            shape = tuple((str(n), n) for n in getattr(P, "shape", ()))
            hint = f"; it has the shape of parameters['{name}']"
            check_shape(f"{label}['d{name}']", d["d" + name], shape, hint=hint)
    check_namespace(parameters, grads, *(d for _, d in states))


def update_parameters(parameters: Params, grads: Params, learning_rate: float) -> Params:
    """Gradient descent: W = W − α·dW and b = b − α·db for every layer."""
    _check_grads(parameters, grads, learning_rate)
    return GradientDescent().update(parameters, grads, {}, learning_rate)[0]


def random_mini_batches(
    X: Array, Y: Array, mini_batch_size: int = 64, seed: int = 0, /, *, xp: Any = None
) -> list[tuple[Array, Array]]:
    """(X_batch, Y_batch) pairs of the columns of X (n_x, m) and Y (n_y, m), shuffled as
    the course does with ``seed``, cut into ``mini_batch_size`` (the last one partial)."""
    xp = check_namespace(X, Y, xp=xp)
    size = check_integer("mini_batch_size", mini_batch_size)
    seed = check_integer("seed", seed, minimum=0)
    _, m = _check_X(X)
    check_shape("Y", Y, (("n_y", None), ("m", m)))
    permutation = np.random.RandomState(seed).permutation(m)  # the course's shuffle
    order = xp.asarray(permutation, device=device(X))
    X, Y = xp.take(X, order, axis=1), xp.take(Y, order, axis=1)
    _, cuts = epoch_batches(m, size, shuffle=False)
    return [(X[:, cut], Y[:, cut]) for cut in cuts]


def initialize_velocity(parameters: Params) -> Params:
    """Momentum's ``v``: zeros shaped like each gradient, ``{"dW1": ..., "db1": ...}``."""
    return Momentum().init(parameters)["v"]


def update_parameters_with_momentum(
    parameters: Params, grads: Params, v: Params, beta: float, learning_rate: float
) -> tuple[Params, Params]:
    """v = β·v + (1 − β)·dW, W = W − α·v; returns the new parameters and ``v``."""
    check_param("beta", beta, [BELOW_ONE])
    _check_grads(parameters, grads, learning_rate, ("v", v))
    new, state = Momentum(beta).update(parameters, grads, {"v": v}, learning_rate)
    return new, state["v"]


def initialize_adam(parameters: Params) -> tuple[Params, Params]:
    """Adam's ``v, s``: zeros shaped like each gradient."""
    state = Adam().init(parameters)
    return state["v"], state["s"]


def update_parameters_with_adam(
    parameters: Params,
    grads: Params,
    v: Params,
    s: Params,
    t: int,
    learning_rate: float = 0.01,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[Params, Params, Params]:
    """Adam's step at update ``t``, counted from 1 (1 − β1ᵗ is 0 at t = 0).

    Returns
    -------
    parameters, v, s
    """
    t = check_integer("t", t, minimum=1)
    for name, value in (("beta1", beta1), ("beta2", beta2)):
        check_param(name, value, [BELOW_ONE])
    check_param("epsilon", epsilon, [POSITIVE])
    _check_grads(parameters, grads, learning_rate, ("v", v), ("s", s))
    state: dict[str, Any] = {"v": v, "s": s, "t": t - 1}
    new, state = Adam(beta1, beta2, epsilon).update(parameters, grads, state, learning_rate)
    return new, state["v"], state["s"]


def _check_decay(learning_rate0: float, epoch_num: int, decay_rate: float, rates: Any) -> int:
    """epoch_num as an int ≥ 0, once α0 > 0 and decay_rate within ``rates``."""
    check_param("learning_rate0", learning_rate0, [POSITIVE])
    check_param("decay_rate", decay_rate, [rates])
    return check_integer("epoch_num", epoch_num, minimum=0)


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float = 1.0) -> float:
    """Inverse-time decay: α = α0 / (1 + decay_rate · epoch_num)."""
    epoch_num = _check_decay(learning_rate0, epoch_num, decay_rate, NON_NEGATIVE)
    return InverseTimeDecay(decay_rate)(learning_rate0, epoch_num)


def schedule_lr_decay(
    learning_rate0: float, epoch_num: int, decay_rate: float = 1.0, time_interval: int = 1000
) -> float:
    """Scheduled decay: α = α0 / (1 + decay_rate · ⌊epoch_num / time_interval⌋)."""
    epoch_num = _check_decay(learning_rate0, epoch_num, decay_rate, NON_NEGATIVE)
    time_interval = check_integer("time_interval", time_interval)
    return ScheduledDecay(decay_rate, time_interval)(learning_rate0, epoch_num)


def exponential_decay(learning_rate0: float, epoch_num: int, decay_rate: float = 0.95) -> float:
    """Exponential decay: α = decay_rate^epoch_num · α0 (the lectures' 0.95^epoch · α0)."""
    rates = Interval(numbers.Real, 0, 1, closed="right")
    epoch_num = _check_decay(learning_rate0, epoch_num, decay_rate, rates)
    return ExponentialDecay(decay_rate)(learning_rate0, epoch_num)

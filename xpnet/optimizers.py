"""Optimisers, as pure functions of their state: the course's second part.

Each optimiser has ``init(parameters) -> state`` and
``update(parameters, grads, state, learning_rate) -> (parameters, state)``. Nothing is
updated in place: new arrays are returned, so immutable arrays (JAX) work too, and a
state is a plain dict of arrays and numbers that a model file can hold.

The course's names for the states stay: ``v["dW1"]`` (momentum, Adam's first moment),
``s["dW1"]`` (RMSprop, Adam's second moment) and Adam's update counter ``t``, which
counts from 1 and never resets.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from array_api_compat import array_namespace

__all__ = [
    "OPTIMIZERS",
    "Adam",
    "GradientDescent",
    "Momentum",
    "RMSprop",
    "get_optimizer",
    "initialize_adam",
    "initialize_velocity",
    "update_parameters",
    "update_parameters_with_adam",
    "update_parameters_with_momentum",
]

Array = Any
Params = dict[str, Array]


def _zeros_like(parameters: Params) -> Params:
    # P * 0 keeps each parameter's device and dtype on every library; CuPy's zeros_like
    # would allocate on the current device instead.
    return {"d" + name: P * 0 for name, P in parameters.items()}


@dataclass(frozen=True)
class GradientDescent:
    """W = W − α·dW."""

    def init(self, parameters: Params) -> dict[str, Any]:
        return {}

    def update(
        self,
        parameters: Params,
        grads: Params,
        state: dict[str, Any],
        learning_rate: float,
        *,
        xp: Any = None,
    ) -> tuple[Params, dict[str, Any]]:
        new = {name: P - learning_rate * grads["d" + name] for name, P in parameters.items()}
        return new, state


@dataclass(frozen=True)
class Momentum:
    """v = β·v + (1 − β)·dW;  W = W − α·v."""

    beta: float = 0.9

    def init(self, parameters: Params) -> dict[str, Any]:
        return {"v": _zeros_like(parameters)}

    def update(
        self,
        parameters: Params,
        grads: Params,
        state: dict[str, Any],
        learning_rate: float,
        *,
        xp: Any = None,
    ) -> tuple[Params, dict[str, Any]]:
        beta, v, new = self.beta, {}, {}
        for name, P in parameters.items():
            d = "d" + name
            v[d] = beta * state["v"][d] + (1 - beta) * grads[d]  # v = β·v + (1 − β)·dW
            new[name] = P - learning_rate * v[d]  # W = W − α·v
        return new, {"v": v}


@dataclass(frozen=True)
class RMSprop:
    """s = β·s + (1 − β)·dW²;  W = W − α·dW / (√s + ε)."""

    beta: float = 0.9
    epsilon: float = 1e-8

    def init(self, parameters: Params) -> dict[str, Any]:
        return {"s": _zeros_like(parameters)}

    def update(
        self,
        parameters: Params,
        grads: Params,
        state: dict[str, Any],
        learning_rate: float,
        *,
        xp: Any = None,
    ) -> tuple[Params, dict[str, Any]]:
        xp = array_namespace(*parameters.values()) if xp is None else xp
        beta, eps, s, new = self.beta, self.epsilon, {}, {}
        for name, P in parameters.items():
            d, g = "d" + name, grads["d" + name]
            s[d] = beta * state["s"][d] + (1 - beta) * (g * g)  # s = β·s + (1 − β)·dW²
            new[name] = P - learning_rate * g / (xp.sqrt(s[d]) + eps)  # W = W − α·dW/(√s + ε)
        return new, {"s": s}


@dataclass(frozen=True)
class Adam:
    """Momentum and RMSprop together, bias-corrected (ε outside the square root).

    v = β1·v + (1 − β1)·dW,   v̂ = v / (1 − β1ᵗ)
    s = β2·s + (1 − β2)·dW²,  ŝ = s / (1 − β2ᵗ)
    W = W − α·v̂ / (√ŝ + ε)
    """

    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def init(self, parameters: Params) -> dict[str, Any]:
        return {"v": _zeros_like(parameters), "s": _zeros_like(parameters), "t": 0}

    def update(
        self,
        parameters: Params,
        grads: Params,
        state: dict[str, Any],
        learning_rate: float,
        *,
        xp: Any = None,
    ) -> tuple[Params, dict[str, Any]]:
        xp = array_namespace(*parameters.values()) if xp is None else xp
        beta1, beta2, eps = self.beta1, self.beta2, self.epsilon
        t = state["t"] + 1  # t counts updates from 1 and never resets
        v, s, new = {}, {}, {}
        for name, P in parameters.items():
            d, g = "d" + name, grads["d" + name]
            v[d] = beta1 * state["v"][d] + (1 - beta1) * g  # v = β1·v + (1 − β1)·dW
            v_corrected = v[d] / _one_minus_power(beta1, t, xp)  # v̂ = v / (1 − β1ᵗ)
            s[d] = beta2 * state["s"][d] + (1 - beta2) * (g * g)  # s = β2·s + (1 − β2)·dW²
            s_corrected = s[d] / _one_minus_power(beta2, t, xp)  # ŝ = s / (1 − β2ᵗ)
            new[name] = P - learning_rate * v_corrected / (xp.sqrt(s_corrected) + eps)
        return new, {"v": v, "s": s, "t": t}


def _one_minus_power(beta: float, t: Any, xp: Any) -> Any:
    """1 − βᵗ, for a count t, or a 0-d array t (a compiled step's input).

    For an array, −expm1(t·ln β): in float32, 1 − βᵗ would keep only a few digits of
    its value near β = 1 (0.999 itself is rounded), which a count never loses.
    """
    if isinstance(t, numbers.Number):  # a count, NumPy's integers included
        return 1 - beta**t
    return -xp.expm1(t * (math.log(beta) if beta > 0 else -math.inf))


#: Name → optimiser class.
OPTIMIZERS = {"gd": GradientDescent, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam}


def get_optimizer(
    name: str,
    *,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> Any:
    """The optimiser ``name`` with the course's hyperparameters (β; β1, β2, ε)."""
    if name == "gd":
        return GradientDescent()
    if name == "momentum":
        return Momentum(beta)
    if name == "rmsprop":
        return RMSprop(beta, epsilon)
    if name == "adam":
        return Adam(beta1, beta2, epsilon)
    raise ValueError(
        f"Invalid optimizer. Expected one of {sorted(OPTIMIZERS)}. Received: {name!r}"
    )


# -- the course's functions, under their names ----------------------------------------


def update_parameters(parameters: Params, grads: Params, learning_rate: float) -> Params:
    """One gradient-descent step: W = W − α·dW and b = b − α·db for every layer."""
    return GradientDescent().update(parameters, grads, {}, learning_rate)[0]


def initialize_velocity(parameters: Params) -> Params:
    """The course's ``v``: zeros shaped like each gradient, ``{"dW1": ..., "db1": ...}``."""
    return _zeros_like(parameters)


def update_parameters_with_momentum(
    parameters: Params, grads: Params, v: Params, beta: float, learning_rate: float
) -> tuple[Params, Params]:
    """The course's momentum step; returns the new parameters and ``v``."""
    new, state = Momentum(beta).update(parameters, grads, {"v": v}, learning_rate)
    return new, state["v"]


def initialize_adam(parameters: Params) -> tuple[Params, Params]:
    """The course's ``v, s``: zeros shaped like each gradient."""
    return _zeros_like(parameters), _zeros_like(parameters)


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
    """The course's Adam step at update ``t`` (counted from 1); returns parameters, v, s."""
    state = {"v": v, "s": s, "t": t - 1}
    new, state = Adam(beta1, beta2, epsilon).update(parameters, grads, state, learning_rate)
    return new, state["v"], state["s"]

"""Optimisers, as pure functions of their state: the course's second part.

Each optimiser has ``init(parameters) -> state`` and
``update(parameters, grads, state, learning_rate) -> (parameters, state)``. Nothing is
updated in place: new arrays are returned, so immutable arrays (JAX) work too, and a
state is a plain dict of arrays and numbers that a model file can hold.

The course's names for the states stay: ``v["dW1"]`` (momentum, Adam's first moment),
``s["dW1"]`` (RMSprop, Adam's second moment) and Adam's update counter ``t``, which
counts from 1 and never resets. The course's own functions (``initialize_adam``,
``update_parameters_with_adam``, ...) wrap these optimisers, in :mod:`xpnet.course`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from typing import Any

from array_api_compat import array_namespace

from ._checks import registered

__all__ = [
    "OPTIMIZERS",
    "Adam",
    "GradientDescent",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "get_optimizer",
    "state_keys",
]

Array = Any
Params = dict[str, Array]
State = dict[str, Any]
Step = tuple[Params, State]


def _zeros_like(parameters: Params) -> Params:
    # P * 0 keeps each parameter's device and dtype on every library; CuPy's zeros_like
    # would allocate on the current device instead.
    return {"d" + name: P * 0 for name, P in parameters.items()}


class Optimizer:
    """``init(parameters) -> state`` and ``update(parameters, grads, state, α) -> (parameters,
    state)``; each optimiser writes its equations once, in ``apply``."""

    def init(self, parameters: Params) -> State:
        raise NotImplementedError

    def apply(self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any) -> Step:
        raise NotImplementedError

    def update(
        self,
        parameters: Params,
        grads: Params,
        state: State,
        learning_rate: Any,
        *,
        xp: Any = None,
    ) -> Step:
        """One update with rate α = ``learning_rate`` (a number, or a 0-d array)."""
        xp = array_namespace(*parameters.values()) if xp is None else xp
        return self.apply(parameters, grads, state, learning_rate, xp)


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    """W = W − α·dW."""

    def init(self, parameters: Params) -> State:
        return {}

    def apply(self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any) -> Step:
        new = {name: P - alpha * grads["d" + name] for name, P in parameters.items()}
        return new, state


@dataclass(frozen=True)
class Momentum(Optimizer):
    """v = β·v + (1 − β)·dW;  W = W − α·v."""

    beta: float = 0.9

    def init(self, parameters: Params) -> State:
        return {"v": _zeros_like(parameters)}

    def apply(self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any) -> Step:
        beta, v, new = self.beta, {}, {}
        for name, P in parameters.items():
            d = "d" + name
            v[d] = beta * state["v"][d] + (1 - beta) * grads[d]  # v = β·v + (1 − β)·dW
            new[name] = P - alpha * v[d]  # W = W − α·v
        return new, {"v": v}


@dataclass(frozen=True)
class RMSprop(Optimizer):
    """s = β·s + (1 − β)·dW²;  W = W − α·dW / (√s + ε)."""

    beta: float = 0.9
    epsilon: float = 1e-8

    def init(self, parameters: Params) -> State:
        return {"s": _zeros_like(parameters)}

    def apply(self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any) -> Step:
        beta, eps, s, new = self.beta, self.epsilon, {}, {}
        for name, P in parameters.items():
            d, g = "d" + name, grads["d" + name]
            s[d] = beta * state["s"][d] + (1 - beta) * (g * g)  # s = β·s + (1 − β)·dW²
            new[name] = P - alpha * g / (xp.sqrt(s[d]) + eps)  # W = W − α·dW/(√s + ε)
        return new, {"s": s}


@dataclass(frozen=True)
class Adam(Optimizer):
    """Momentum and RMSprop together, bias-corrected (ε outside the square root).

    v = β1·v + (1 − β1)·dW,   v̂ = v / (1 − β1ᵗ)
    s = β2·s + (1 − β2)·dW²,  ŝ = s / (1 − β2ᵗ)
    W = W − α·v̂ / (√ŝ + ε)
    """

    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def init(self, parameters: Params) -> State:
        return {"v": _zeros_like(parameters), "s": _zeros_like(parameters), "t": 0}

    def apply(self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any) -> Step:
        beta1, beta2, eps = self.beta1, self.beta2, self.epsilon
        t = state["t"] + 1  # t counts updates from 1 and never resets
        v, s, new = {}, {}, {}
        for name, P in parameters.items():
            d, g = "d" + name, grads["d" + name]
            v[d] = beta1 * state["v"][d] + (1 - beta1) * g  # v = β1·v + (1 − β1)·dW
            v_corrected = v[d] / _one_minus_power(beta1, t, xp)  # v̂ = v / (1 − β1ᵗ)
            s[d] = beta2 * state["s"][d] + (1 - beta2) * (g * g)  # s = β2·s + (1 − β2)·dW²
            s_corrected = s[d] / _one_minus_power(beta2, t, xp)  # ŝ = s / (1 − β2ᵗ)
            new[name] = P - alpha * v_corrected / (xp.sqrt(s_corrected) + eps)
        return new, {"v": v, "s": s, "t": t}


def _one_minus_power(beta: float, t: Any, xp: Any) -> Any:
    """1 − βᵗ, for a count t, or a 0-d array t (a compiled step's input).

    For an array, −expm1(t·ln β): in float32, 1 − βᵗ would keep only a few digits of
    its value near β = 1 (0.999 itself is rounded), which a count never loses.
    """
    if isinstance(t, numbers.Real):  # a count, NumPy's integers included
        return 1 - beta ** float(t)
    return -xp.expm1(t * (math.log(beta) if beta > 0 else -math.inf))


#: Name → optimiser factory: the class, called with its hyperparameters.
OPTIMIZERS = {"gd": GradientDescent, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam}


def _factory(name: str) -> Any:
    return registered("optimizer", OPTIMIZERS, name)


def get_optimizer(
    name: str,
    *,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> Any:
    """The optimiser ``name``, given the course's hyperparameters it takes (β; β1, β2, ε).

    Each optimiser takes the hyperparameters its fields name and leaves the others.
    """
    factory = _factory(name)
    given = {"beta": beta, "beta1": beta1, "beta2": beta2, "epsilon": epsilon}
    return factory(**{f.name: given[f.name] for f in fields(factory)})


def state_keys(name: str) -> frozenset[str]:
    """The keys of the state of optimiser ``name``, as its ``init`` makes them.

    ``{"v", "s", "t"}`` for Adam, ``{"v"}`` for momentum, none for gradient descent:
    a saved state whose keys differ belongs to another optimiser.
    """
    return frozenset(_factory(name)().init({}))

"""Optimisers, as functions of their state: the course's second part.

Each optimiser has ``init(parameters) -> state`` and
``update(parameters, grads, state, learning_rate) -> (parameters, state)``. By default
nothing is updated in place: new arrays are returned and the arrays passed in are left
as they were, so immutable arrays (JAX) work too, and a state is a plain dict of arrays
and numbers that a model file can hold.

With ``in_place=True`` the caller declares that it alone holds the parameters and the
state (an :func:`owned` copy, say): each equation then writes into the arrays it
updates, where the library's arrays can be written (NumPy, CuPy, PyTorch), through one
helper, :func:`scaled_add`. Immutable arrays (JAX) take the pure form unchanged.

The course's names for the states stay: ``v["dW1"]`` (momentum, Adam's first moment),
``s["dW1"]`` (RMSprop, Adam's second moment) and Adam's update counter ``t``, which
counts from 1 and never resets. The course's own functions (``initialize_adam``,
``update_parameters_with_adam``, ...) wrap these optimisers, in :mod:`xpnet.course`.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, fields
from typing import Any

from array_api_compat import array_namespace, is_writeable_array

from ._checks import registered

__all__ = [
    "OPTIMIZERS",
    "Adam",
    "AdamW",
    "GradientDescent",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "get_optimizer",
    "owned",
    "scaled_add",
    "state_keys",
]

Array = Any
Params = dict[str, Array]
State = dict[str, Any]
Step = tuple[Params, State]


def scaled_add(x: Array, y: Array, /, *, scale: Any = None, in_place: bool = False) -> Array:
    """scale·x + y (x + y when ``scale`` is None), written into ``x`` itself when
    ``in_place`` and ``x`` can be written; else a new array, ``x`` left as it was.

    In place it is ``x *= scale; x += y``: the formula's own passes over memory and no
    new array of x's size. ``scale`` is a number or a 0-d array.
    """
    if not (in_place and is_writeable_array(x)):
        return (x if scale is None else scale * x) + y
    if scale is not None:
        x *= scale
    x += y
    return x


def owned(tree: dict[str, Any], /) -> dict[str, Any]:
    """A copy of a dict of arrays (or of dicts of arrays, an optimiser's state) that an
    in-place update may write into; numbers, and arrays that cannot be written, are
    shared as they are."""
    return {
        k: owned(a) if isinstance(a, dict) else _copy(a) if is_writeable_array(a) else a
        for k, a in tree.items()
    }


def _copy(a: Array) -> Array:
    return array_namespace(a).asarray(a, copy=True)


def _zeros_like(parameters: Params) -> Params:
    # P * 0 keeps each parameter's device and dtype on every library; CuPy's zeros_like
    # would allocate on the current device instead.
    return {"d" + name: P * 0 for name, P in parameters.items()}


class Optimizer:
    """``init(parameters) -> state`` and ``update(parameters, grads, state, α) -> (parameters,
    state)``; each optimiser writes its equations once, in ``apply``."""

    def init(self, parameters: Params) -> State:
        raise NotImplementedError

    def apply(
        self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any, mine: bool
    ) -> Step:
        raise NotImplementedError

    def update(
        self,
        parameters: Params,
        grads: Params,
        state: State,
        learning_rate: Any,
        *,
        in_place: bool = False,
        xp: Any = None,
    ) -> Step:
        """One update with rate α = ``learning_rate`` (a number, or a 0-d array).

        With ``in_place=True`` the arrays of ``parameters`` and ``state`` are written
        into where they can be: only for a caller that holds them alone.
        """
        xp = array_namespace(*parameters.values()) if xp is None else xp
        return self.apply(parameters, grads, state, learning_rate, xp, in_place)


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    """W = W − α·dW."""

    def init(self, parameters: Params) -> State:
        return {}

    def apply(
        self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any, mine: bool
    ) -> Step:
        add, new = functools.partial(scaled_add, in_place=mine), {}
        for name, P in parameters.items():
            new[name] = add(P, -alpha * grads["d" + name])  # W = W − α·dW
        return new, state


@dataclass(frozen=True)
class Momentum(Optimizer):
    """v = β·v + (1 − β)·dW;  W = W − α·v."""

    beta: float = 0.9

    def init(self, parameters: Params) -> State:
        return {"v": _zeros_like(parameters)}

    def apply(
        self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any, mine: bool
    ) -> Step:
        beta, v, new = self.beta, {}, {}
        add = functools.partial(scaled_add, in_place=mine)
        for name, P in parameters.items():
            d = "d" + name
            v[d] = add(state["v"][d], (1 - beta) * grads[d], scale=beta)  # v = β·v + (1 − β)·dW
            new[name] = add(P, -alpha * v[d])  # W = W − α·v
        return new, {"v": v}


@dataclass(frozen=True)
class RMSprop(Optimizer):
    """s = β·s + (1 − β)·dW²;  W = W − α·dW / (√s + ε)."""

    beta: float = 0.9
    epsilon: float = 1e-8

    def init(self, parameters: Params) -> State:
        return {"s": _zeros_like(parameters)}

    def apply(
        self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any, mine: bool
    ) -> Step:
        beta, eps, s, new = self.beta, self.epsilon, {}, {}
        add = functools.partial(scaled_add, in_place=mine)
        for name, P in parameters.items():
            d, g = "d" + name, grads["d" + name]
            s[d] = add(state["s"][d], (1 - beta) * (g * g), scale=beta)  # s = β·s + (1 − β)·dW²
            new[name] = add(P, -alpha * g / (xp.sqrt(s[d]) + eps))  # W = W − α·dW/(√s + ε)
        return new, {"s": s}


@dataclass(frozen=True)
class Adam(Optimizer):
    """Momentum and RMSprop together, bias-corrected (ε outside the square root).

    v = β1·v + (1 − β1)·dW,   v̂ = v / (1 − β1ᵗ)
    s = β2·s + (1 − β2)·dW²,  ŝ = s / (1 − β2ᵗ)
    W = W − α·v̂ / (√ŝ + ε)

    The bias corrections are applied to the numbers, not the arrays (as PyTorch does):
    α·v̂/(√ŝ + ε) = α·√(1 − β2ᵗ)/(1 − β1ᵗ) · v/(√s + ε·√(1 − β2ᵗ)).
    """

    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def init(self, parameters: Params) -> State:
        return {"v": _zeros_like(parameters), "s": _zeros_like(parameters), "t": 0}

    def decay(self, name: str, alpha: Any) -> Any:
        """The factor W is multiplied by before Adam's step: none for Adam."""
        return None

    def apply(
        self, parameters: Params, grads: Params, state: State, alpha: Any, xp: Any, mine: bool
    ) -> Step:
        beta1, beta2, eps = self.beta1, self.beta2, self.epsilon
        t = state["t"] + 1  # t counts updates from 1 and never resets
        root2 = _sqrt(_one_minus_power(beta2, t, xp), xp)  # √(1 − β2ᵗ)
        rate = alpha * root2 / _one_minus_power(beta1, t, xp)  # α·√(1 − β2ᵗ)/(1 − β1ᵗ)
        eps_hat = eps * root2  # ε·√(1 − β2ᵗ)
        v0, s0, v, s, new = state["v"], state["s"], {}, {}, {}
        add = functools.partial(scaled_add, in_place=mine)
        for name, P in parameters.items():
            d, g = "d" + name, grads["d" + name]
            v[d] = add(v0[d], (1 - beta1) * g, scale=beta1)  # v = β1·v + (1 − β1)·dW
            s[d] = add(s0[d], (1 - beta2) * (g * g), scale=beta2)  # s = β2·s + (1 − β2)·dW²
            # −α·v̂/(√ŝ + ε), ε added in place to the new array √s where it can be
            step = (-rate * v[d]) / add(xp.sqrt(s[d]), eps_hat)
            decay = self.decay(name, alpha)  # AdamW's 1 − α·λ; none for Adam
            new[name] = add(P, step, scale=decay)  # W = (1 − α·λ)·W − α·v̂/(√ŝ + ε)
        return new, {"v": v, "s": s, "t": t}


@dataclass(frozen=True)
class AdamW(Adam):
    """Adam with decoupled weight decay λ (Loshchilov and Hutter), on the weights W:

    W = W − α·(v̂/(√ŝ + ε) + λ·W), that is W = (1 − α·λ)·W − α·v̂/(√ŝ + ε).

    The decay is not part of the gradient, so Adam's √ŝ does not rescale it as it
    rescales an L2 term; biases are not decayed.
    """

    weight_decay: float = 0.01

    def decay(self, name: str, alpha: Any) -> Any:
        """1 − α·λ for a weight W, none for a bias."""
        return 1 - alpha * self.weight_decay if name.startswith("W") else None


def _one_minus_power(beta: float, t: Any, xp: Any) -> Any:
    """1 − βᵗ, for a count t, or a 0-d array t (a compiled step's input).

    For an array, −expm1(t·ln β): in float32, 1 − βᵗ would keep only a few digits of
    its value near β = 1 (0.999 itself is rounded), which a count never loses.
    """
    if isinstance(t, numbers.Real):  # a count, NumPy's integers included
        return 1 - beta ** float(t)
    return -xp.expm1(t * (math.log(beta) if beta > 0 else -math.inf))


def _sqrt(c: Any, xp: Any) -> Any:
    """√c for a number, or a 0-d array."""
    return math.sqrt(c) if isinstance(c, numbers.Real) else xp.sqrt(c)


#: Name → optimiser factory: the class, called with its hyperparameters.
OPTIMIZERS = {
    "gd": GradientDescent,
    "momentum": Momentum,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def _factory(name: str) -> Any:
    return registered("optimizer", OPTIMIZERS, name)


def get_optimizer(
    name: str,
    *,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    weight_decay: float = 0.01,
) -> Any:
    """The optimiser ``name``, given the hyperparameters it takes (β; β1, β2, ε; λ).

    Each optimiser takes the hyperparameters its fields name and leaves the others.
    """
    factory = _factory(name)
    given = {
        "beta": beta,
        "beta1": beta1,
        "beta2": beta2,
        "epsilon": epsilon,
        "weight_decay": weight_decay,
    }
    return factory(**{f.name: given[f.name] for f in fields(factory)})


def state_keys(name: str) -> frozenset[str]:
    """The keys of the state of optimiser ``name``, as its ``init`` makes them.

    ``{"v", "s", "t"}`` for Adam and AdamW, ``{"v"}`` for momentum, none for gradient
    descent: a saved state whose keys differ belongs to another optimiser.
    """
    return frozenset(_factory(name)().init({}))

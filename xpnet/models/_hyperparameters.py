"""What the estimators accept as hyperparameters, checked before any data is touched.

Each check raises a ValueError naming the hyperparameter, what was expected and what was
received; a failed check leaves a model as it was.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np  # edge: NumPy's booleans are booleans too

from ..activations import ACTIVATIONS
from ..backend import Backend, dtype_name
from ..initializers import check_method
from ..optimizers import OPTIMIZERS, state_keys
from ..schedules import SCHEDULES

__all__ = [
    "check_activation",
    "check_hidden_layer_sizes",
    "check_hyperparameters",
    "check_memory",
]


def check_hidden_layer_sizes(sizes: Any) -> tuple[int, ...]:
    """n_1, ..., n_(L−1): a sequence of positive integers, or one for one hidden layer."""
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if (
        isinstance(sizes, str | bytes)
        or not isinstance(sizes, Sequence)
        or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and int(n) >= 1
            for n in sizes
        )
    ):
        raise ValueError(
            "Invalid hidden_layer_sizes. Expected a sequence of positive integers, e.g. "
            f"(20, 7, 5), or one positive integer for one hidden layer. Received: {sizes!r}"
        )
    return tuple(int(n) for n in sizes)


def _positive(name: str, value: Any, *, integer: bool = False, allow_zero: bool = False) -> None:
    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        expected = "a non-negative" if allow_zero else "a positive"
        raise ValueError(
            f"Invalid {name}. Expected {expected} {'integer' if integer else 'number'}. "
            f"Received: {value!r}"
        )


def _fraction(name: str, value: Any, *, closed: bool) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and (0 < value <= 1 if closed else 0 < value < 1)
    if not ok:
        interval = "(0, 1]" if closed else "(0, 1)"
        raise ValueError(f"Invalid {name}. Expected a number in {interval}. Received: {value!r}")


def _one_of(name: str, value: Any, options: Any) -> None:
    try:
        known = value in options
    except TypeError:  # an unhashable value is none of the names
        known = False
    if not known:
        raise ValueError(
            f"Invalid {name}. Expected one of {list(options)}. Received: {name}={value!r}"
        )


def check_hyperparameters(model: Any) -> None:
    """Validate every hyperparameter of ``model``; raise a ValueError naming the first bad one."""
    _positive("learning_rate", model.learning_rate)
    for name in ("num_iterations", "cost_every", "time_interval"):
        _positive(name, getattr(model, name), integer=True)
    if model.n_iter_no_change != math.inf:  # inf: never stop for a lack of improvement
        _positive("n_iter_no_change", model.n_iter_no_change, integer=True)
    for name in ("l2", "scale"):
        _positive(name, getattr(model, name), allow_zero=True)
    _fraction("keep_prob", model.keep_prob, closed=True)
    _fraction("validation_fraction", model.validation_fraction, closed=False)
    for name in ("beta", "beta1", "beta2"):
        value = getattr(model, name)
        if not isinstance(value, numbers.Real) or not 0 <= float(value) < 1:
            raise ValueError(f"Invalid {name}. Expected a number in [0, 1). Received: {value!r}")
    _positive("epsilon", model.epsilon)
    if model.tol is not None:
        _positive("tol", model.tol, allow_zero=True)
    if model.decay_rate is not None:
        _positive("decay_rate", model.decay_rate)
        if model.lr_decay == "exponential" and model.decay_rate > 1:
            raise ValueError(
                "Invalid decay_rate for lr_decay='exponential'. Expected a number in (0, 1]: "
                f"the rate is multiplied by it each epoch. Received: {model.decay_rate!r}"
            )
    if model.batch_size not in (None, "auto"):
        _positive("batch_size", model.batch_size, integer=True)
    _one_of("optimizer", model.optimizer, OPTIMIZERS)
    _one_of("lr_decay", model.lr_decay, SCHEDULES)
    _one_of("dtype", model.dtype, (None, "float32", "float64"))
    _one_of("jit_compile", model.jit_compile, ("auto", True, False))
    check_method(model.initialization)
    verbose = model.verbose
    if not isinstance(verbose, numbers.Integral) or verbose < 0:
        raise ValueError(
            f"Invalid verbose. Expected True, False or a non-negative integer. Received: {verbose!r}"
        )
    for name in ("shuffle", "early_stopping", "warm_start"):
        if not isinstance(getattr(model, name), bool | np.bool_):
            raise ValueError(
                f"Invalid {name}. Expected True or False. Received: {getattr(model, name)!r}"
            )


def check_activation(activation: Any) -> None:
    """The hidden layers' activation is one of the registered ones."""
    _one_of("activation", activation, ACTIVATIONS)


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return None


def check_memory(
    shapes: dict[str, tuple[int, int]], optimizer: str, backend: Backend, model: str
) -> None:
    """Refuse a network whose parameters cannot fit in this machine's memory, before
    allocating them: the weights are drawn on the host in float64, then live on the
    device with their gradients and the optimiser's moments."""
    n = sum(math.prod(shape) for shape in shapes.values())
    largest = max(math.prod(shape) for shape in shapes.values())
    moments = len(state_keys(optimizer) - {"t"})
    itemsize = 4 if dtype_name(backend.dtype) == "float32" else 8
    needed = n * itemsize * (2 + moments) + largest * 8
    available = _physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"Invalid network size for {model}: {n:,} parameters need about "
            f"{needed / 2**30:,.1f} GiB with their gradients and optimiser state, more than "
            f"this machine's {available / 2**30:,.1f} GiB of memory. Expected smaller layers"
        )

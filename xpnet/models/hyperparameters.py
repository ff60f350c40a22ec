"""The estimators' hyperparameters: one table of what each accepts (:data:`HYPERPARAMETERS`,
as scikit-learn's ``_parameter_constraints``; a model adds its own), checked by
:func:`check_hyperparameters` before any data is touched, and scikit-learn's methods.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from .._checks import (
    BELOW_ONE,
    COUNT,
    NON_NEGATIVE,
    POSITIVE,
    Interval,
    Options,
    check_param,
    check_params,
)
from ..activations import ACTIVATIONS
from ..backend import Backend, dtype_name
from ..initializers import METHODS
from ..optimizers import OPTIMIZERS, state_keys
from ..schedules import SCHEDULES

__all__ = [
    "HIDDEN_LAYERS",
    "HYPERPARAMETERS",
    "changed_repr",
    "check_hyperparameters",
    "check_memory",
    "get_params",
    "hidden_sizes",
    "set_params",
    "sklearn_tags",
]

_BOOL = Options(True, False)


class _Sizes:
    """A sequence of positive ints: the hidden layers' sizes."""

    def __contains__(self, value: Any) -> bool:
        return (
            isinstance(value, Sequence)
            and not isinstance(value, str | bytes)
            and all(n in COUNT for n in value)
        )

    def __str__(self) -> str:
        return "a sequence of positive ints such as (20, 7, 5)"


#: Every hyperparameter that the estimators share → what it accepts.
HYPERPARAMETERS: dict[str, list[Any]] = {
    "learning_rate": [POSITIVE],
    "num_iterations": [COUNT],
    "optimizer": [Options(*OPTIMIZERS)],
    "batch_size": [COUNT, Options("auto", None)],
    "shuffle": [_BOOL],
    "l2": [NON_NEGATIVE],
    "keep_prob": [Interval(Real, 0, 1, closed="right")],
    "initialization": [Options(*METHODS)],
    "scale": [NON_NEGATIVE],
    "beta": [BELOW_ONE],
    "beta1": [BELOW_ONE],
    "beta2": [BELOW_ONE],
    "epsilon": [POSITIVE],
    "lr_decay": [Options(*SCHEDULES)],
    "decay_rate": [POSITIVE, Options(None)],
    "time_interval": [COUNT],
    "early_stopping": [_BOOL],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "tol": [NON_NEGATIVE, Options(None)],
    "n_iter_no_change": [COUNT, Options(math.inf)],
    "cost_every": [COUNT],
    "warm_start": [_BOOL],
    "dtype": [Options(None, "float32", "float64")],
    "progress": [Options(None, True, False)],
    "verbose": [_BOOL, Interval(Integral, 0, None, closed="left")],
    "jit_compile": [Options("auto", True, False)],
    "clip_value": [POSITIVE, Options(None)],
    "clip_norm": [POSITIVE, Options(None)],
}

#: A network of any number of hidden layers (DeepNet, DeepRegressor).
HIDDEN_LAYERS: dict[str, list[Any]] = {
    "hidden_layer_sizes": [COUNT, _Sizes()],
    "activation": [Options(*ACTIVATIONS)],
}


def check_hyperparameters(params: dict[str, Any], table: dict[str, list[Any]]) -> None:
    """Check ``params`` (an estimator's ``get_params()``) against ``table``, and the one
    rule that ties two of them: an exponential decay's rate is at most 1."""
    check_params(params, table)
    if params["lr_decay"] == "exponential" and params["decay_rate"] is not None:
        check_param("decay_rate", params["decay_rate"], [Interval(Real, 0, 1, closed="right")])


def hidden_sizes(sizes: int | Sequence[int]) -> tuple[int, ...]:
    """n_1, ..., n_(L−1) of checked ``hidden_layer_sizes`` (an int: one hidden layer)."""
    return tuple(int(n) for n in sizes) if isinstance(sizes, Sequence) else (int(sizes),)


def _param_names(model: Any) -> list[str]:
    return [p for p in inspect.signature(type(model).__init__).parameters if p != "self"]


def get_params(self: Any, deep: bool = True) -> dict[str, Any]:
    """The estimator's hyperparameters (its constructor's arguments), by name."""
    return {name: getattr(self, name) for name in _param_names(self)}


def set_params(self: Any, **params: Any) -> Any:
    """Set constructor arguments by name; returns ``self``. A fitted model keeps what it
    was fitted with until the next ``fit``."""
    valid = _param_names(self)
    for name, value in params.items():
        if name not in valid:
            raise ValueError(
                f"Invalid parameter for {type(self).__name__}. Expected one of {valid}. "
                f"Received: {name}={value!r}"
            )
        setattr(self, name, value)
    return self


def changed_repr(self: Any) -> str:
    """The estimator's class and the hyperparameters that differ from the defaults."""
    defaults = inspect.signature(type(self).__init__).parameters
    changed = [
        f"{name}={value!r}"
        for name, value in self.get_params().items()
        if value is not defaults[name].default and value != defaults[name].default
    ]
    return f"{type(self).__name__}({', '.join(changed)})"


def sklearn_tags(self: Any) -> Any:
    """What scikit-learn's checks are told of an estimator."""
    from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

    classifier = self._estimator_type == "classifier"
    return Tags(
        estimator_type=self._estimator_type,
        target_tags=TargetTags(required=True, multi_output=True),  # multilabel too
        classifier_tags=ClassifierTags(multi_label=True) if classifier else None,
        regressor_tags=None if classifier else RegressorTags(),
        input_tags=InputTags(),
        array_api_support=True,
    )


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

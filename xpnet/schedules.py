"""Learning-rate decay, as the course's second part teaches it.

A schedule maps the initial rate α0 and an epoch number to a rate. The training loop
applies it after each epoch, as the course does: epoch 0 trains at α0, and epoch e ≥ 1
at the schedule's rate for e − 1. Each schedule is a small object built from its
hyperparameters; the course's functions (``update_lr``, ``schedule_lr_decay``) wrap
them, in :mod:`xpnet.course`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from ._checks import registered

__all__ = [
    "SCHEDULES",
    "Constant",
    "ExponentialDecay",
    "InverseTimeDecay",
    "ScheduledDecay",
    "get_schedule",
    "learning_rate_at",
    "rate_in_epoch",
]


@dataclass(frozen=True)
class Constant:
    """α = α0."""

    def __call__(self, learning_rate0: float, epoch: int) -> float:
        return learning_rate0


@dataclass(frozen=True)
class InverseTimeDecay:
    """α = α0 / (1 + decay_rate · epoch)."""

    decay_rate: float = 1.0

    def __call__(self, learning_rate0: float, epoch: int) -> float:
        return 1 / (1 + self.decay_rate * epoch) * learning_rate0  # α = α0 / (1 + rate · epoch)


@dataclass(frozen=True)
class ScheduledDecay:
    """α = α0 / (1 + decay_rate · ⌊epoch / time_interval⌋): a step every time_interval."""

    decay_rate: float = 1.0
    time_interval: int = 1000

    def __call__(self, learning_rate0: float, epoch: int) -> float:
        steps = math.floor(epoch / self.time_interval)  # ⌊epoch / time_interval⌋
        return 1 / (1 + self.decay_rate * steps) * learning_rate0  # α = α0 / (1 + rate · steps)


@dataclass(frozen=True)
class ExponentialDecay:
    """α = decay_rate^epoch · α0 (the course's 0.95^epoch · α0)."""

    decay_rate: float = 0.95

    def __call__(self, learning_rate0: float, epoch: int) -> float:
        return self.decay_rate**epoch * learning_rate0  # α = rate^epoch · α0


#: Name → schedule factory: the class, called with its hyperparameters; ``None`` keeps
#: the rate constant.
SCHEDULES: dict[str | None, Any] = {
    None: Constant,
    "inverse_time": InverseTimeDecay,
    "scheduled": ScheduledDecay,
    "exponential": ExponentialDecay,
}


def get_schedule(name: str | None, **hyperparameters: Any) -> Any:
    """The schedule ``name``, given the hyperparameters it takes; a None value is its default.

    The others (``time_interval`` for an exponential decay, say) are left.
    """
    factory = registered("lr_decay", SCHEDULES, name)
    taken = {f.name for f in fields(factory)}
    return factory(**{k: v for k, v in hyperparameters.items() if k in taken and v is not None})


def learning_rate_at(
    epoch: int,
    learning_rate0: float,
    schedule: str | None = None,
    *,
    decay_rate: float | None = None,
    time_interval: int = 1000,
) -> float:
    """The rate used during ``epoch``: α0 in epoch 0, the schedule's rate for e − 1 after.

    ``decay_rate`` None takes each schedule's default: 1 for the inverse-time and
    scheduled decays, 0.95 for the exponential one.
    """
    rate = get_schedule(schedule, decay_rate=decay_rate, time_interval=time_interval)
    return rate_in_epoch(rate, learning_rate0, epoch)


def rate_in_epoch(schedule: Any, learning_rate0: float, epoch: int) -> float:
    """The rate used during ``epoch`` under a schedule object (:func:`get_schedule`):
    α0 in epoch 0, the schedule's rate for e − 1 after."""
    return learning_rate0 if epoch == 0 else schedule(learning_rate0, epoch - 1)

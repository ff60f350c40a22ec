"""Learning-rate decay, as the course's second part teaches it.

A schedule maps the initial rate α0 and an epoch number to a rate. The training loop
applies it after each epoch, as the course does: epoch 0 trains at α0, and epoch e ≥ 1
at the schedule's rate for e − 1.
"""

from __future__ import annotations

import math

__all__ = [
    "SCHEDULES",
    "exponential_decay",
    "inverse_time_decay",
    "learning_rate_at",
    "schedule_lr_decay",
    "update_lr",
]


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float = 1.0) -> float:
    """Inverse-time decay: α = α0 / (1 + decay_rate · epoch) (the course's ``update_lr``)."""
    return 1 / (1 + decay_rate * epoch_num) * learning_rate0


def schedule_lr_decay(
    learning_rate0: float, epoch_num: int, decay_rate: float = 1.0, time_interval: int = 1000
) -> float:
    """Scheduled decay: α = α0 / (1 + decay_rate · ⌊epoch / time_interval⌋)."""
    return 1 / (1 + decay_rate * math.floor(epoch_num / time_interval)) * learning_rate0


def exponential_decay(learning_rate0: float, epoch_num: int, decay_rate: float = 0.95) -> float:
    """Exponential decay: α = decay_rate^epoch · α0 (the course's 0.95^epoch · α0)."""
    return decay_rate**epoch_num * learning_rate0


inverse_time_decay = update_lr

#: Name → schedule; ``None`` keeps the rate constant.
SCHEDULES = {
    None: None,
    "inverse_time": update_lr,
    "scheduled": schedule_lr_decay,
    "exponential": exponential_decay,
}


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
    if schedule not in SCHEDULES:
        raise ValueError(
            f"Invalid lr_decay. Expected one of {list(SCHEDULES)}. Received: {schedule!r}"
        )
    decay = SCHEDULES[schedule]
    if decay is None or epoch == 0:
        return learning_rate0
    if schedule == "exponential":
        return decay(learning_rate0, epoch - 1, 0.95 if decay_rate is None else decay_rate)
    rate = 1.0 if decay_rate is None else decay_rate
    if schedule == "scheduled":
        return decay(learning_rate0, epoch - 1, rate, time_interval)
    return decay(learning_rate0, epoch - 1, rate)

"""Learning-rate decay: the course's formulas, applied after each epoch."""

import math

import pytest

from xpnet import course, schedules


def test_the_courses_formulas():
    assert course.update_lr(0.5, 2, 1) == 1 / (1 + 1 * 2) * 0.5
    assert course.schedule_lr_decay(0.5, 2500, 1, 1000) == 1 / (1 + 1 * 2) * 0.5
    assert course.schedule_lr_decay(0.5, 999, 1, 1000) == 0.5
    assert course.exponential_decay(0.5, 3, 0.95) == 0.95**3 * 0.5


@pytest.mark.parametrize("schedule", [None, "inverse_time", "scheduled", "exponential"])
def test_epoch_zero_trains_at_the_initial_rate(schedule):
    assert schedules.learning_rate_at(0, 0.1, schedule) == 0.1


def test_the_rate_of_epoch_e_is_the_decay_at_e_minus_one():
    """The course updates the rate after each epoch: epoch e uses the decay at e − 1."""
    at = schedules.learning_rate_at
    assert at(1, 0.1, "inverse_time") == 0.1  # 1/(1 + 0)·α0
    assert at(2, 0.1, "inverse_time") == course.update_lr(0.1, 1)
    assert at(1000, 0.1, "scheduled") == 0.1  # ⌊999/1000⌋ = 0
    assert at(1001, 0.1, "scheduled") == 0.05
    assert at(1001, 0.1, "scheduled", time_interval=500) == 1 / 3 * 0.1
    assert math.isclose(at(3, 0.1, "exponential"), 0.1 * 0.95**2)
    assert math.isclose(at(3, 0.1, "exponential", decay_rate=0.5), 0.1 * 0.25)
    assert at(7, 0.1, None) == 0.1


def test_unknown_schedule():
    with pytest.raises(ValueError, match=r"Invalid lr_decay\. Expected one of"):
        schedules.learning_rate_at(1, 0.1, "cosine")


def test_get_schedule_gives_each_the_hyperparameters_it_takes():
    given = {"decay_rate": 2.0, "time_interval": 10}
    assert schedules.get_schedule("inverse_time", **given) == schedules.InverseTimeDecay(2.0)
    assert schedules.get_schedule("scheduled", **given) == schedules.ScheduledDecay(2.0, 10)
    assert schedules.get_schedule("exponential", **given) == schedules.ExponentialDecay(2.0)
    assert schedules.get_schedule("exponential", decay_rate=None) == schedules.ExponentialDecay()
    assert schedules.get_schedule(None, **given)(0.1, 1000) == 0.1
    assert schedules.SCHEDULES["scheduled"] is schedules.ScheduledDecay

"""One validation path for every backend: data on a device gets the host's answer.

The ``backend`` fixture (tests/conftest.py) runs each property on every backend usable
here, skipping the others with a reason; ``--backend`` restricts it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

import xpnet

from .oracle import assert_finite_model, assert_sound_predictions, attempt, refused
from .strategies import (
    MODEL_NAMES,
    PROFILES,
    WEIGHT_KINDS,
    check_all,
    classes_of,
    estimator,
    matrices,
)

names = st.sampled_from(MODEL_NAMES)

#: X made hostile in ways an array library can hold.
DEVICE_X = {
    "finite": lambda X: X,
    "nan": lambda X: np.where(np.arange(X.size).reshape(X.shape) == 0, math.nan, X),
    "inf": lambda X: np.where(np.arange(X.size).reshape(X.shape) == 0, math.inf, X),
    "1e300": lambda X: X * 1e300,
    "complex": lambda X: X + 1j * X,
    "float16": lambda X: X.astype(np.float16),
    "int": lambda X: np.round(X).astype(np.int64),
    "bool": lambda X: X > 0,
    "1-D": lambda X: X[:, 0],
    "no rows": lambda X: X[:0],
}
#: Labels as an array library can hold them.
DEVICE_Y = {
    "int": lambda n: classes_of(n),
    "bool": lambda n: classes_of(n) == 1,
    "integral float": lambda n: classes_of(n).astype(np.float64),
    "continuous float": lambda n: classes_of(n) * 0.5,
    "NaN": lambda n: np.r_[math.nan, classes_of(n - 1).astype(np.float64)],
    "complex": lambda n: classes_of(n) + 1j,
    "one class": lambda n: np.zeros(n, dtype=np.int64),
}
#: Weights as an array library can hold them.
DEVICE_WEIGHTS = sorted(set(WEIGHT_KINDS) - {"scalar", "text"})


_NARROWER = {np.dtype(np.float64): np.float32, np.dtype(np.complex128): np.complex64}


def on_device(backend, a: np.ndarray):
    """``a`` on the backend in its own dtype (no cast to the backend's float), narrowed to
    32 bits where the device has no 64-bit type; a skip where the library holds no such
    dtype at all (float16 in array-api-strict)."""
    a = np.asarray(a)
    for dtype in (a.dtype, _NARROWER.get(a.dtype, a.dtype)):
        try:
            with np.errstate(over="ignore"):  # 1e300 in float32 is inf: the device's value
                candidate = a.astype(dtype)
            return backend.xp.asarray(candidate, device=backend.device)
        except Exception:  # a dtype this library or device does not hold
            continue
    pytest.skip(f"{backend} holds no {a.dtype} array")


def outcome_kind(outcome) -> str:
    return f"refused ({type(outcome.error).__name__})" if refused(outcome) else "accepted"


def fits_as_on_the_host(backend, name, X_dev, y_dev, what):
    """A fit on the device gives the host's answer on the values the device holds: the
    same kind of outcome, and a sound model where it succeeds."""
    X, y = xpnet.to_numpy(X_dev), xpnet.to_numpy(y_dev)
    host_answer = attempt(estimator(name, random_state=0).fit, X, y)
    model = estimator(name, random_state=0)
    answer = attempt(model.fit, X_dev, y_dev)
    assert outcome_kind(answer) == outcome_kind(host_answer), (
        f"{what} on {backend}: {answer!r}; on the host: {host_answer!r}"
    )
    if not refused(answer):
        assert_finite_model(model)
        assert_sound_predictions(model, X_dev)


@pytest.mark.parametrize("kind", sorted(DEVICE_X))
@pytest.mark.parametrize("profile", PROFILES)
def test_X_on_a_device_gets_the_hosts_answer(backend, profile, kind):
    """Complex, float16, NaN, 1-D X on a device: the host's answer, and never half precision."""

    def check(case):
        name, X0 = case
        X = DEVICE_X[kind](X0)
        y = classes_of(X0.shape[0])
        X_dev, y_dev = on_device(backend, X), on_device(backend, y)
        fits_as_on_the_host(backend, name, X_dev, y_dev, f"X {kind}")

    on_device(backend, DEVICE_X[kind](np.zeros((4, 2))))  # skips where it cannot be held
    check_all(profile, st.tuples(names, matrices()), check, 0.25)


@pytest.mark.parametrize("kind", sorted(DEVICE_Y))
@pytest.mark.parametrize("profile", PROFILES)
def test_y_on_a_device_gets_the_hosts_answer(backend, profile, kind):
    def check(case):
        name, X = case
        y = DEVICE_Y[kind](X.shape[0])
        X_dev, y_dev = on_device(backend, X), on_device(backend, y)
        fits_as_on_the_host(backend, name, X_dev, y_dev, f"y {kind}")

    on_device(backend, DEVICE_Y[kind](4))
    check_all(profile, st.tuples(names, matrices()), check, 0.25)


@pytest.mark.parametrize("kind", DEVICE_WEIGHTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_sample_weight_on_a_device_gets_the_hosts_answer(backend, profile, kind):
    """Negative, zero, NaN or complex weights on a device: the host's answer."""

    def check(case):
        name, X = case
        y = classes_of(X.shape[0])
        w = WEIGHT_KINDS[kind](X.shape[0])
        X_dev, y_dev, w_dev = on_device(backend, X), on_device(backend, y), on_device(backend, w)
        X, y, w = (xpnet.to_numpy(a) for a in (X_dev, y_dev, w_dev))  # what the device holds
        host_answer = attempt(estimator(name, random_state=0).fit, X, y, sample_weight=w)
        model = estimator(name, random_state=0)
        answer = attempt(model.fit, X_dev, y_dev, sample_weight=w_dev)
        assert outcome_kind(answer) == outcome_kind(host_answer), (
            f"sample_weight {kind} on {backend}: {answer!r}; on the host: {host_answer!r}"
        )
        if not refused(answer):
            assert_finite_model(model)
            assert_sound_predictions(model, X_dev)
            score = attempt(model.score, X_dev, y_dev, sample_weight=w_dev)
            assert refused(score) or 0 <= score <= 1, score

    on_device(backend, WEIGHT_KINDS[kind](4))
    check_all(profile, st.tuples(names, matrices()), check, 0.25)

"""The benchmark's clocks: seconds per iteration after a warm-up, rows timed in
interleaved rounds, and a device's matrix-product rate.

A row is what a builder of :mod:`xpnet.bench.implementations` returns,
``(state, step, sync, iterations)``: ``step(state)`` runs ``iterations`` iterations
and returns the next state, and ``sync(state)`` waits until the device has finished.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np  # edge: host-side random matrices for the rate

from ..backend import Backend

__all__ = ["Built", "interleaved", "matmul_rate", "median_seconds"]

#: ``(state, step, sync, iterations per call)``.
Built = tuple[Any, Callable[[Any], Any], Callable[[Any], None], int]


def median_seconds(
    step: Callable[[Any], Any],
    sync: Callable[[Any], None],
    state: Any,
    *,
    per_call: int = 1,
    min_seconds: float = 0.2,
    repeats: int = 5,
) -> tuple[float, int, Any]:
    """Median seconds per iteration over ``repeats`` timed batches, after a warm-up.

    Returns
    -------
    seconds : float
        The median, per iteration.
    batch : int
        Calls of ``step`` per timed batch, enough for a batch to last ``min_seconds``.
    state : Any
        The state after the last call.
    """
    state = step(state)  # warm-up: first-call costs, caches, compilation
    sync(state)
    start = time.perf_counter()
    state = step(state)
    sync(state)
    once = time.perf_counter() - start
    batch = max(1, int(min_seconds / max(once, 1e-9)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            state = step(state)
        sync(state)
        times.append((time.perf_counter() - start) / (batch * per_call))
    return statistics.median(times), batch, state


def interleaved(
    built: dict[str, Built],
    *,
    rounds: int = 3,
    min_seconds: float = 0.2,
    failed: dict[str, str] | None = None,
    summary: Callable[[list[float]], float] = min,
) -> dict[str, float]:
    """Each row's seconds per iteration over ``rounds`` rounds, every row timed once a
    round, so that all rows meet the same moments of a shared machine: the fastest
    round's, or ``summary`` of the rounds' (e.g. ``statistics.median``).

    A row whose warm-up raises is left out and its error's message is put in
    ``failed``; with ``failed`` None, the error is raised.
    """
    states, batch = {}, {}
    for name, (state, step, sync, per_call) in built.items():
        try:
            _, batch[name], states[name] = median_seconds(
                step, sync, state, per_call=per_call, min_seconds=min_seconds, repeats=1
            )
        except Exception as error:  # a row's failure is its result, not the run's
            if failed is None:
                raise
            failed[name] = f"{type(error).__name__}: {error}".splitlines()[0]
    seen: dict[str, list[float]] = {name: [] for name in states}
    for _ in range(rounds):
        for name in states:
            _, step, sync, per_call = built[name]
            start = time.perf_counter()
            for _ in range(batch[name]):
                states[name] = step(states[name])
            sync(states[name])
            seen[name].append((time.perf_counter() - start) / (batch[name] * per_call))
    return {name: summary(times) for name, times in seen.items()}


def matmul_rate(
    backend: str,
    device: str | None,
    dtype: str,
    n: int = 2048,
    repeats: int = 5,
    min_seconds: float = 0.2,
) -> float | None:
    """GFLOP/s of an ``n`` × ``n`` matrix product on ``backend`` and ``device`` in
    ``dtype`` (2·n³ FLOPs a product); None where the backend does not compute in ``dtype``."""
    try:
        where = Backend.load(backend, device, dtype)
    except ValueError:
        return None
    rng = np.random.default_rng(0)
    A, B = (where.put(rng.standard_normal((n, n)).astype(dtype)) for _ in range(2))
    seconds, _, _ = median_seconds(
        lambda state: A @ B, where.synchronize, None, min_seconds=min_seconds, repeats=repeats
    )
    return 2 * n**3 / seconds / 1e9

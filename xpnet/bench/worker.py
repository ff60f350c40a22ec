"""One benchmark configuration, in a process of its own: ``python -m xpnet.bench.worker JSON``.

Prints one line of JSON with the result. A process per configuration keeps peak
memory figures honest and one library's threads out of another's timings.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any

import numpy as np  # edge: timing and host-side figures

__all__ = ["ceilings", "paired", "spawn", "time_configuration"]


def spawn(config: dict[str, Any]) -> dict[str, Any]:
    """Run one configuration in a new process; its result, or ``config`` with an ``error``."""
    # The benchmark chooses JAX's 64-bit mode for its own float64 processes only; Keras
    # runs on JAX, and keeps its configuration folder out of the user's home.
    x64 = "0" if config.get("dtype") == "float32" else "1"
    env = {
        **os.environ,
        "JAX_ENABLE_X64": os.environ.get("JAX_ENABLE_X64", x64),
        "KERAS_BACKEND": "jax",
        "KERAS_HOME": os.path.join(tempfile.gettempdir(), "xpnet-bench-keras"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "xpnet.bench.worker", json.dumps(config)],
        capture_output=True,
        text=True,
        env=env,
    )
    if out.returncode != 0:
        reason = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {**config, "error": reason}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_seconds(step, sync, state, *, per_call: int, min_seconds: float, repeats: int):
    """Median seconds per iteration, over ``repeats`` batches after a warm-up."""
    state = step(state)  # warm-up: first-call costs, caches, compilation
    sync(state)
    start = time.perf_counter()
    state = step(state)
    sync(state)
    once = time.perf_counter() - start
    batch = max(1, int(min_seconds / max(once, 1e-9)))  # iterations per timed batch
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            state = step(state)
        sync(state)
        times.append((time.perf_counter() - start) / (batch * per_call))
    return statistics.median(times), batch, state


def paired(config: dict[str, Any]) -> dict[str, Any]:
    """Seconds per iteration of several implementations timed in alternation, in one process.

    Interleaved batches see the same machine at the same moments, so their ratio is far
    steadier on a shared machine than the ratio of two separate processes.
    """
    from .implementations import build
    from .workloads import QUICK, WORKLOADS

    workload = next(w for w in (*WORKLOADS, *QUICK) if w.name == config["workload"])
    built = {name: build(name, workload, config["dtype"]) for name in config["implementations"]}
    states = {name: b[0] for name, b in built.items()}
    batch = {}
    for name, (state, step, sync, per_call) in built.items():  # warm-up and batch size
        _, batch[name], states[name] = _median_seconds(
            step,
            sync,
            state,
            per_call=per_call,
            min_seconds=config.get("min_seconds", 0.2),
            repeats=1,
        )
    best = dict.fromkeys(built, float("inf"))
    for _ in range(config.get("rounds", 7)):
        for name, (_, step, sync, per_call) in built.items():
            start = time.perf_counter()
            for _ in range(batch[name]):
                states[name] = step(states[name])
            sync(states[name])
            best[name] = min(best[name], (time.perf_counter() - start) / (batch[name] * per_call))
    return {**config, "seconds": best}


def _device_peak_mb(implementation: str) -> float | None:
    try:
        if "cupy" in implementation:
            import cupy

            return cupy.get_default_memory_pool().total_bytes() / 1e6
        if "torch" in implementation or "cuda" in implementation:
            import torch

            if torch.cuda.is_available():
                return torch.cuda.max_memory_allocated() / 1e6
    except ImportError:
        return None
    return None


def time_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """Time ``config["implementation"]`` on ``config["workload"]`` in ``config["dtype"]``."""
    from .implementations import build
    from .workloads import QUICK, WORKLOADS

    workload = next(w for w in (*WORKLOADS, *QUICK) if w.name == config["workload"])
    dtype, implementation = config["dtype"], config["implementation"]
    numpy_based = implementation in ("numpy (by hand)", "xpnet[numpy]")
    state, step, sync, per_call = build(implementation, workload, dtype)
    rss_before = _peak_rss_mb()
    seconds, batch, state = _median_seconds(
        step,
        sync,
        state,
        per_call=per_call,
        min_seconds=config.get("min_seconds", 0.2),
        repeats=config.get("repeats", 5),
    )
    step_peak = None
    if numpy_based:  # NumPy reports its allocations to tracemalloc: the peak of one step
        tracemalloc.start()
        state = step(state)
        step_peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    itemsize = np.dtype(dtype).itemsize
    return {
        **config,
        "seconds": seconds,
        "batch": batch,
        "gflops": workload.flops / seconds / 1e9,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_timing_mb": rss_before,
        "step_peak_mb": step_peak,
        "device_peak_mb": _device_peak_mb(implementation),
        "data_mb": workload.data_bytes(itemsize) / 1e6,
        "activations_mb": workload.activation_bytes(itemsize) / 1e6,
    }


def _copy_into(dst: Any, src: Any) -> None:
    """A copy into memory already there: a bandwidth, not a page-fault rate."""
    if hasattr(dst, "copy_"):  # torch
        dst.copy_(src)
    elif isinstance(dst, np.ndarray) or type(dst).__module__.startswith("cupy"):
        dst[...] = src
    else:  # immutable arrays (JAX): a fresh copy is the best there is
        dst.__array_namespace__().asarray(src, copy=True)


def ceilings(config: dict[str, Any]) -> dict[str, Any]:
    """Matrix-product GFLOP/s per float dtype and copy bandwidth, on one xpnet backend."""
    import xpnet

    backend, device = config["backend"], config.get("device")
    n, repeats = config.get("n", 2048), config.get("repeats", 5)
    out: dict[str, Any] = {"backend": backend, "device": device, "matmul_gflops": {}, "n": n}
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        try:
            where = xpnet.set_backend(backend, device, dtype)
        except ValueError:
            continue
        A, B = (where.put(rng.standard_normal((n, n)).astype(dtype)) for _ in range(2))
        sync = lambda state, where=where: where.synchronize(state)  # noqa: E731
        seconds, _, _ = _median_seconds(
            lambda s, A=A, B=B: A @ B, sync, None, per_call=1, min_seconds=0.2, repeats=repeats
        )
        out["matmul_gflops"][dtype] = 2 * n**3 / seconds / 1e9
        out["device_name"] = xpnet.backend.device_name(where.device)
    size = config.get("copy_mb", 512) * 2**20 // 4
    src = where.put(np.ones(size, dtype=np.float32))
    dst = where.put(np.zeros(size, dtype=np.float32))
    seconds, _, _ = _median_seconds(
        lambda s: _copy_into(dst, src), sync, None, per_call=1, min_seconds=0.2, repeats=repeats
    )
    out["copy_gbs"] = 2 * 4 * size / seconds / 1e9  # bytes read plus bytes written
    return out


def main() -> None:
    config = json.loads(sys.argv[1])
    kind = config.get("kind")
    from .blocks import dask_rows
    from .curves import time_to_accuracy
    from .fits import epoch_ratio, fit_ratio
    from .regression import time_to_r2

    run = {
        "ceilings": ceilings,
        "paired": paired,
        "tta": time_to_accuracy,
        "tta-regression": time_to_r2,
        "epoch": epoch_ratio,
        "fit": fit_ratio,
        "dask": dask_rows,
    }.get(kind, time_configuration)
    result = run(config)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

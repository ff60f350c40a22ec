"""One configuration of the harness, in a process of its own:
``python -m benchmarks.harness.worker JSON`` from the repository's root
(:func:`benchmarks.harness.spawn.spawn` starts it).

Prints one line of JSON with the result.
"""

from __future__ import annotations

import json
import resource
import sys
import tracemalloc
from typing import Any

import numpy as np  # edge: timing and host-side figures

from xpnet.backend import Backend, device_name
from xpnet.bench.implementations import build
from xpnet.bench.timing import interleaved, matmul_rate, median_seconds
from xpnet.bench.workloads import QUICK, WORKLOADS, Workload

from .blocks import dask_rows
from .curves import time_to_accuracy
from .fits import epoch_ratio, fit_ratio
from .regression import time_to_r2

__all__ = ["ceilings", "paired", "time_configuration"]


def _workload(name: str) -> Workload:
    return next(w for w in (*WORKLOADS, *QUICK) if w.name == name)


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def paired(config: dict[str, Any]) -> dict[str, Any]:
    """Seconds per iteration of several implementations timed in alternation, in one process.

    Interleaved batches see the same machine at the same moments, so their ratio is far
    steadier on a shared machine than the ratio of two separate processes.
    """
    workload = _workload(config["workload"])
    built = {name: build(name, workload, config["dtype"]) for name in config["implementations"]}
    seconds = interleaved(
        built, rounds=config.get("rounds", 7), min_seconds=config.get("min_seconds", 0.2)
    )
    return {**config, "seconds": seconds}


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
    workload = _workload(config["workload"])
    dtype, implementation = config["dtype"], config["implementation"]
    numpy_based = implementation in ("numpy (by hand)", "xpnet[numpy]")
    state, step, sync, per_call = build(implementation, workload, dtype)
    rss_before = _peak_rss_mb()
    seconds, batch, state = median_seconds(
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
    backend, device = config["backend"], config.get("device")
    n, repeats = config.get("n", 2048), config.get("repeats", 5)
    rates = {
        dtype: matmul_rate(backend, device, dtype, n, repeats) for dtype in ("float32", "float64")
    }
    where = Backend.load(backend, device, "float32")
    out: dict[str, Any] = {
        "backend": backend,
        "device": device,
        "matmul_gflops": {dtype: rate for dtype, rate in rates.items() if rate},
        "n": n,
        "device_name": device_name(where.device),
    }
    size = config.get("copy_mb", 512) * 2**20 // 4
    src = where.put(np.ones(size, dtype=np.float32))
    dst = where.put(np.zeros(size, dtype=np.float32))
    seconds, _, _ = median_seconds(
        lambda s: _copy_into(dst, src), where.synchronize, None, repeats=repeats
    )
    out["copy_gbs"] = 2 * 4 * size / seconds / 1e9  # bytes read plus bytes written
    return out


def main() -> None:
    config = json.loads(sys.argv[1])
    kind = config.get("kind")
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

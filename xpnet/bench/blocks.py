"""The Dask rows of ``xpnet bench``: training on blocks against one process's NumPy.

- **a step on a cluster**: a full-batch 784-32-1 step over X of 784 × 200,000 float32 in
  8 chunks held by a 2-worker ``LocalCluster``, against the same step in this process
  on NumPy (target: at most 1.3 times as long);
- **the scheduler's share**: the same step on 8 chunks of 10 rows, where the arithmetic
  is nothing and the time is the scheduler's (target: at most 50 ms);
- **out of core**: a step reading X from a Zarr store on disk, as MB/s against reading
  the store's files straight (the page cache may serve both: both are reported).
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np  # edge: the single-process reference and the data

__all__ = ["dask_rows", "run_dask"]


def _step_seconds(model: Any, X: Any, y: Any, classes: np.ndarray, repeats: int) -> float:
    model.partial_fit(X, y, classes=classes)  # warm-up: the first step checks finiteness
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.partial_fit(X, y, classes=classes)  # one full-batch step: one epoch
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def dask_rows(config: dict[str, Any]) -> dict[str, Any]:
    import dask.array as da
    from distributed import Client, LocalCluster

    import xpnet
    from xpnet.datasets import save_zarr

    rows, features = config.get("rows", 200_000), config.get("features", 784)
    chunks, repeats = config.get("chunks", 8), config.get("repeats", 5)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    y = (X[:, :10].sum(axis=1) > 0).astype(np.int64)
    classes = np.array([0, 1])
    settings: dict[str, Any] = {
        "batch_size": None,
        "tol": None,
        "random_state": 0,
        "dtype": "float32",
    }
    out: dict[str, Any] = {**config}
    with xpnet.use_backend("numpy", dtype="float32"):
        out["numpy_step_s"] = _step_seconds(
            xpnet.DeepNet((32,), **settings), X, y, classes, repeats
        )
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            Xd = client.persist(da.from_array(X, chunks=(-(-rows // chunks), features)))
            yd = client.persist(da.from_array(y, chunks=(Xd.chunks[0],)))
            model = xpnet.DeepNet((32,), **settings)
            out["cluster_step_s"] = _step_seconds(model, Xd, yd, classes, repeats)
            tiny = da.from_array(X[: 10 * chunks, :8], chunks=(10, 8))
            tiny_y = da.from_array(y[: 10 * chunks], chunks=10)
            out["overhead_step_s"] = _step_seconds(
                xpnet.DeepNet((4,), **settings), tiny, tiny_y, classes, repeats
            )
        with tempfile.TemporaryDirectory() as scratch:
            store = Path(scratch) / "X.zarr"
            save_zarr(store, X, y, chunk_rows=-(-rows // chunks))
            files = [f for f in (store / "X").rglob("*") if f.is_file()]
            size = sum(f.stat().st_size for f in files)
            start = time.perf_counter()
            for f in files:
                f.read_bytes()
            out["disk_read_mb_s"] = size / 1e6 / (time.perf_counter() - start)
            Xz, yz = (
                da.from_zarr(str(store), component="X"),
                da.from_zarr(str(store), component="y"),
            )
            zarr_step = _step_seconds(xpnet.DeepNet((32,), **settings), Xz, yz, classes, 3)
            out["zarr_step_s"] = zarr_step
            out["zarr_mb_s"] = size / 1e6 / zarr_step
    out["cluster_ratio"] = out["cluster_step_s"] / out["numpy_step_s"]
    return out


def run_dask(quick: bool) -> dict[str, Any] | None:
    """The Dask rows, in a process of their own; None where Dask is not installed."""
    from .worker import spawn

    if importlib.util.find_spec("distributed") is None or importlib.util.find_spec("zarr") is None:
        print("\nDask: not installed (pip install 'xpnet[dask]'); its rows are left out")
        return None
    size = {"rows": 4000, "features": 32, "repeats": 2} if quick else {}
    r = spawn({"kind": "dask", **size})
    print("\nDask (784-32-1 full-batch steps, float32):")
    if "error" in r:
        print(f"  failed: {r['error']}")
        return r
    print(
        f"  2-worker LocalCluster {1e3 * r['cluster_step_s']:.0f} ms a step, this process's "
        f"NumPy {1e3 * r['numpy_step_s']:.0f} ms: {r['cluster_ratio']:.2f}x; scheduler "
        f"{1e3 * r['overhead_step_s']:.0f} ms a step; from Zarr {r['zarr_mb_s']:.0f} MB/s "
        f"(the store's files read straight: {r['disk_read_mb_s']:.0f} MB/s)"
    )
    return r

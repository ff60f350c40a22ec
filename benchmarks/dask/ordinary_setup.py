"""Dask as users set it up: a cluster created the ordinary way, against one process.

    python -m benchmarks.dask.ordinary_setup [--rows 200000 --rounds 3] > ordinary-setup.txt

784-32-1 by full-batch gradient descent on rows × 784 float32, in 8 blocks:

- **held blocks**: ``da.from_array(X, chunks=(rows // 8, 784)).persist()`` on a
  ``LocalCluster(n_workers=2, threads_per_worker=1)`` created with no settings of
  xpnet's, against the same fit on the NumPy array in this process (target: a step at
  most 1.3 times as long). The blocks' placement and alignment as ``persist`` leaves
  them, and the workers' allocator thresholds, are reported before and after training;
- **from Zarr**: the same data in a store written by ``save_zarr`` (raw chunks), trained
  on the same cluster full batch and one block a step, and on Dask's thread pool one
  block a step, as MB/s against reading the store's files straight (target: at least
  half the rate).

Each round measures every side once, in turn, so that the machine's noise falls on
all; each side's best round is compared (noise only adds time). The rate of a float32
matrix product is measured at the start and at the end, to tell the machine's state.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np  # edge: the data and the reference fit

import xpnet
from xpnet.datasets import load_zarr, save_zarr


def matmul_gflops(n: int = 1024, repeat: int = 5) -> float:
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    best = min(_timed(lambda: a @ a) for _ in range(repeat))
    return 2 * n**3 / best / 1e9


def _timed(f: Any) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def step(X: Any, y: Any, batch_size: Any = None, epochs: int = 4) -> float:
    """The median time of an epoch of ``fit`` (a step at full batch), the first left out."""
    marks = [time.time()]
    model = xpnet.DeepNet(
        (32,), batch_size=batch_size, tol=None, random_state=0, num_iterations=epochs
    )
    model.fit(X, y, callback=lambda event: marks.append(time.time()))
    return float(np.median(np.diff(marks[1:])))


def blocks_on_workers(dask_worker: Any) -> list[tuple[str, bool, bool]]:
    """Each 2-D float block a worker holds: its key, aligned for its dtype, owns memory."""
    return [
        (str(key), bool(v.flags.aligned), bool(v.flags.owndata))
        for key, v in dask_worker.data.items()
        if isinstance(v, np.ndarray) and v.ndim == 2 and v.dtype == np.float32
    ]


def allocator(dask_worker: Any) -> dict[str, Any]:
    import os

    from xpnet import dask_workers

    applied = getattr(dask_workers, "allocator_settings", dict)()
    return {"environ": os.environ.get("MALLOC_TRIM_THRESHOLD_"), "mallopt": applied}


def _gradients(blocks: list[np.ndarray], W1: np.ndarray, w2: np.ndarray) -> None:
    """784-32-1's forward and backward passes over a worker's blocks, as a step runs them."""
    for X in blocks:
        A1 = np.maximum(W1 @ X.T, 0)
        A2 = 1 / (1 + np.exp(-(w2 @ A1)))
        dZ1 = (w2.T @ (A2 - 0.5)) * (A1 > 0)
        dZ1 @ X, (A2 - 0.5) @ A1.T


def worker_factors(rows: int, blocks: int, rounds: int) -> dict[str, list[float]]:
    """On a worker, side by side in turns: its share of a step's arithmetic with glibc's
    thresholds as Dask sets them (trim 64 KiB, so mmap fixed at 128 KiB) and as xpnet
    sets them, on blocks of its own memory and on views misaligned for float32 (as
    blocks sent from the client may be)."""
    import ctypes

    mallopt = ctypes.CDLL(None).mallopt
    rng = np.random.default_rng(1)
    aligned = [rng.standard_normal((rows, 784), dtype=np.float32) for _ in range(blocks)]
    shifted = []
    for X in aligned:
        view = np.ndarray(X.shape, X.dtype, buffer=bytearray(X.nbytes + 1), offset=1)
        view[...] = X
        shifted.append(view)
    W1 = rng.standard_normal((32, 784), dtype=np.float32) * 0.01
    w2 = rng.standard_normal((1, 32), dtype=np.float32) * 0.1
    times: dict[str, list[float]] = {}
    modes = {"dask's allocator": (65536, 131072), "xpnet's allocator": (67108864, 33554432)}
    for _ in range(rounds):
        for mode, (trim, mmap) in modes.items():
            mallopt(-1, trim), mallopt(-3, mmap)  # M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            for where, data in (("own memory", aligned), ("misaligned", shifted)):
                times.setdefault(f"{mode}, {where}", []).append(
                    _timed(lambda data=data: _gradients(data, W1, w2))
                )
    mallopt(-1, modes["dask's allocator"][0]), mallopt(-3, modes["dask's allocator"][1])
    return times


def placement(client: Any) -> dict[str, Any]:
    held = client.run(blocks_on_workers)
    return {
        "blocks per worker": sorted(len(v) for v in held.values()),
        "misaligned": sum(not a for v in held.values() for _, a, _ in v),
        "allocator": list(client.run(allocator).values()),
    }


def main() -> dict[str, Any]:
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster, wait
    from threadpoolctl import threadpool_limits

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows, chunk = args.rows, args.rows // 8
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, 784), dtype=np.float32)
    y = (X[:, :10].sum(axis=1) > 0).astype(np.int64)
    out: dict[str, Any] = {"rows": rows, "chunk_rows": chunk, "matmul_gflops": [matmul_gflops()]}
    sides: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        sides.setdefault(name, []).append(seconds)

    with (
        xpnet.use_backend("numpy", dtype="float32"),
        tempfile.TemporaryDirectory() as scratch,
        LocalCluster(n_workers=2, threads_per_worker=1) as cluster,
        Client(cluster) as client,
    ):
        store = Path(scratch) / "X.zarr"
        save_zarr(store, X, y, chunk_rows=chunk)
        Xz, yz, _, _ = load_zarr(store, test_size=1 / rows)
        files = [f for f in (store / "X").rglob("*") if f.is_file() and f.name != "zarr.json"]
        size = sum(f.stat().st_size for f in files) / 1e6
        Xd = da.from_array(X, chunks=(chunk, 784)).persist()
        yd = da.from_array(y, chunks=chunk).persist()
        wait([Xd, yd])
        out["as persisted"] = placement(client)
        factors = [  # both workers at once, as in a step
            client.submit(worker_factors, chunk, 4, args.rounds, workers=[w], pure=False)
            for w in client.nthreads()
        ]
        out["worker factors"] = {
            k: min(min(f[k]) for f in client.gather(factors)) for k in client.gather(factors)[0]
        }
        print("a worker's 4 blocks, best of each:", out["worker factors"])
        step(Xd, yd, epochs=2)  # xpnet prepares the workers and the blocks once
        out["as trained"] = placement(client)
        for r in range(args.rounds):
            record("cluster step", step(Xd, yd))
            record("numpy step", step(X, y))
            with threadpool_limits(1, user_api="blas"):  # what one core does alone
                record("numpy step, 1 BLAS thread", step(X, y))
            record("read", _timed(lambda: [f.read_bytes() for f in files]))
            record("zarr cluster full", step(Xz, yz))
            record("zarr cluster block a step", step(Xz, yz, "auto", epochs=3))
            with dask.config.set(scheduler="threads"):
                record("zarr threads block a step", step(Xz, yz, "auto", epochs=3))
            print(
                f"round {r}: " + ", ".join(f"{k} {1e3 * v[-1]:.0f} ms" for k, v in sides.items())
            )
        out["matmul_gflops"].append(matmul_gflops())
    best = {k: min(v) for k, v in sides.items()}
    out["rounds_s"], out["best_s"] = sides, best
    out["cluster_ratio"] = best["cluster step"] / best["numpy step"]
    out["read_mb_s"] = size / best["read"]
    for k in ("zarr cluster full", "zarr cluster block a step", "zarr threads block a step"):
        out[f"{k} MB/s"] = size / best[k]
        out[f"{k} ÷ read"] = best["read"] / best[k]
    return out


if __name__ == "__main__":
    result = main()
    print(json.dumps(result, indent=1, default=str))

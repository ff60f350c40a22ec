"""The harness's Dask section: training on blocks against one process's NumPy.

Measured side by side in one process, in interleaved rounds (784-32-1, float32):

- **a step on a cluster**: a full-batch step over X of 200,000 × 784 in 8 chunks held
  by a 2-worker ``LocalCluster`` (persisted, balanced), against the same step in this
  process on NumPy (target: at most 1.3 times as long);
- **the scheduler's share**: a step's time less its longest worker task, on 8, 64 and
  512 chunks of 10 rows, where the arithmetic is next to nothing (targets: ≤ 50 ms
  with 8 chunks, ≤ 100 ms with 512);
- **out of core**: a step reading X from a Zarr store written by ``save_zarr``, as MB/s
  against reading the store's files straight (the page cache serves both; target:
  at least half the rate), and the step's time on Dask's thread pool, on a
  1-worker and on a 2-worker ``LocalCluster``;
- **mini-batches on blocks**: the seconds to a test accuracy, fitting the same network
  with the same batch size on 8 chunks (pieces cut inside blocks) and in memory.
"""

from __future__ import annotations

import importlib.util
import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np  # edge: the single-process reference and the data

from .spawn import spawn
from .verdicts import reach

__all__ = ["dask_markdown", "dask_rows", "run_dask"]

SETTINGS = {"batch_size": None, "tol": None, "random_state": 0, "dtype": "float32"}


def _epochs(model: Any, X: Any, y: Any) -> list[float]:
    """The wall-clock end of each epoch of ``model.fit(X, y)`` (time.time, as Dask's)."""
    marks = [time.time()]
    model.fit(X, y, callback=lambda event: marks.append(time.time()))
    return marks


def _step(X: Any, y: Any, hidden: int = 32, epochs: int = 4) -> float:
    """The median time of a full-batch step (an epoch), the first one left out."""
    marks = _epochs(_model(hidden, epochs), X, y)
    return float(np.median(np.diff(marks[1:])))


def _model(hidden: int, epochs: int, **settings: Any) -> Any:
    import xpnet

    return xpnet.DeepNet((hidden,), **{**SETTINGS, "num_iterations": epochs, **settings})


def _placed(client: Any, X: np.ndarray, y: np.ndarray, rows: int) -> tuple[Any, Any]:
    """X and y in the workers' memory, in blocks of ``rows``, spread evenly over them."""
    import dask.array as da
    from distributed import wait

    Xd = client.persist(da.from_array(X, chunks=(rows, X.shape[1])))
    yd = client.persist(da.from_array(y, chunks=(Xd.chunks[0],)))
    wait([Xd, yd])
    client.rebalance([Xd, yd])
    # A block that crossed the network is a view into the message that carried it, at
    # any address (a float32 block even off 4 bytes), and a step on it runs slower. A copy where each block lies gives it memory of its own, as a block
    # computed on the workers (read from a store) has.
    copied = client.persist([Xd.map_blocks(np.copy), yd.map_blocks(np.copy)])
    wait(copied)
    return copied[0], copied[1]


def _share(client: Any, X: Any, y: Any, hidden: int, epochs: int = 6) -> tuple[float, float]:
    """A step's time, and its scheduler's share: the step less its longest worker task."""
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        marks = _epochs(_model(hidden, epochs), X, y)
    tasks = [
        (ss["start"], ss["stop"] - ss["start"])
        for e in stream.data
        if "_held_part" in str(e["key"])
        for ss in e["startstops"]
        if ss["action"] == "compute"
    ]
    steps, shares = [], []
    for begin, end in itertools.pairwise(marks[1:]):  # the first step left out
        longest = max((d for s, d in tasks if begin <= s < end), default=0.0)
        steps.append(end - begin)
        shares.append(end - begin - longest)
    return float(np.median(steps)), float(np.median(shares))


def _time_to_accuracy(config: dict[str, Any], X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Training seconds (scoring left out) until the test accuracy reaches the target,
    the epochs in memory and on blocks interleaved, so that both meet the same noise."""
    import dask.array as da

    n, batch, chunks = config["tta_rows"], config["tta_batch"], config["chunks"]
    train, test = slice(0, n), slice(n, n + n // 4)
    data = {
        "memory": (X[train], y[train]),
        "blocks": (da.from_array(X[train], chunks=(-(-n // chunks), -1)), y[train]),
    }
    models = {
        name: _model(32, 1, batch_size=batch, optimizer="adam", learning_rate=0.001)
        for name in data
    }
    curves: dict[str, list[list[float]]] = {name: [] for name in data}
    for _ in range(config["tta_epochs"]):
        for name, model in models.items():
            start = time.perf_counter()
            model.partial_fit(*data[name], classes=np.array([0, 1]))
            seconds = time.perf_counter() - start + (curves[name][-1][0] if curves[name] else 0)
            curves[name].append([seconds, float(model.score(X[test], y[test]))])
    out: dict[str, Any] = {"tta_batch": batch, "tta_rows": n, "tta_target": config["tta_target"]}
    for name, curve in curves.items():
        out[f"tta_{name}_curve"] = curve
        out[f"tta_{name}_s"] = reach(curve, config["tta_target"])
    return out


def dask_rows(config: dict[str, Any]) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    import xpnet
    from xpnet.dask_workers import training_workers
    from xpnet.datasets import load_zarr, save_zarr

    rows, features = config.get("rows", 200_000), config.get("features", 784)
    chunks, rounds = config.get("chunks", 8), config.get("rounds", 3)
    config = {
        "tta_rows": 40_000,
        "tta_batch": 1000,
        "tta_epochs": 6,
        "tta_target": 0.95,
        **config,
        "chunks": chunks,
    }
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    y = (X[:, :10].sum(axis=1) > 0).astype(np.int64)
    out: dict[str, Any] = {**config}
    cluster = {"threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with (
        xpnet.use_backend("numpy", dtype="float32"),
        training_workers(),  # workers that keep their temporaries' memory between steps
        tempfile.TemporaryDirectory() as scratch,
    ):
        store = Path(scratch) / "X.zarr"
        save_zarr(store, X, y, chunk_rows=-(-rows // chunks))
        Xz, yz, _, _ = load_zarr(store, test_size=1 / rows)
        files = [f for f in (store / "X").rglob("*") if f.is_file() and f.name != "zarr.json"]
        size = sum(f.stat().st_size for f in files)
        ratios, reads, zarr_steps = [], [], []
        for _ in range(rounds):  # interleaved: the same noise for both sides of a ratio
            start = time.perf_counter()
            for f in files:
                f.read_bytes()
            reads.append(size / 1e6 / (time.perf_counter() - start))
            zarr_steps.append(_step(Xz, yz))
            ratios.append(size / 1e6 / zarr_steps[-1] / reads[-1])
        out["disk_read_mb_s"], out["zarr_step_s"] = max(reads), min(zarr_steps)
        out["zarr_ratios"] = ratios
        out["zarr_mb_s"] = size / 1e6 / min(zarr_steps)
        out["zarr_ratio"] = out["zarr_mb_s"] / max(reads)  # the best round of each
        out["epoch_threads_s"] = out["zarr_step_s"]
        with LocalCluster(n_workers=1, **cluster) as one, Client(one):
            out["epoch_1_worker_s"] = _step(Xz, yz)
        with LocalCluster(n_workers=2, **cluster) as two, Client(two) as client:
            out["epoch_2_workers_s"] = _step(Xz, yz)
            Xd, yd = _placed(client, X, y, -(-rows // chunks))
            steps = []
            for _ in range(rounds):
                steps.append((_share(client, Xd, yd, 32, epochs=4), _step(X, y, 32)))
            cluster_step, cluster_share = min(c for c, _ in steps)
            out["numpy_step_s"] = min(n for _, n in steps)
            out["numpy_steps_s"] = [n for _, n in steps]  # each round's, to show the noise
            out["cluster_steps_s"] = [c[0] for c, _ in steps]
            # The best round of each side: the machine's noise only ever adds time.
            out["cluster_ratio"] = min(c[0] for c, _ in steps) / out["numpy_step_s"]
            out["cluster_step_s"], out["cluster_share_s"] = cluster_step, cluster_share
            del Xd, yd
            for n in (8, 64, 512):
                tiny = _placed(client, X[: 10 * n, :8], y[: 10 * n], 10)
                out[f"step_{n}_chunks_s"], out[f"share_{n}_chunks_s"] = _share(client, *tiny, 4)
        out["overhead_step_s"] = out["share_8_chunks_s"]
        out |= _time_to_accuracy(config, X, y)
    return out


def run_dask(quick: bool) -> dict[str, Any] | None:
    """The Dask rows, in a process of their own; None where Dask is not installed."""
    if importlib.util.find_spec("distributed") is None or importlib.util.find_spec("zarr") is None:
        print("\nDask: not installed (pip install 'xpnet[dask]'); its rows are left out")
        return None
    size = {"rows": 4000, "features": 32, "rounds": 1, "tta_rows": 2000, "tta_batch": 100}
    r = spawn({"kind": "dask", **(size if quick else {})})
    print("\nDask (784-32-1 steps, float32):")
    if "error" in r:
        print(f"  failed: {r['error']}")
        return r
    for line in dask_markdown(r)[5:]:
        print("  " + line.strip("|").replace(" | ", ": "))
    return r


def dask_markdown(r: dict[str, Any]) -> list[str]:
    """The Dask rows as a Markdown table."""

    def ms(key: str) -> str:
        return f"{1e3 * r[key]:.0f} ms"

    def s(key: str) -> str:
        return "not reached" if r.get(key) is None else f"{r[key]:.2f} s"

    where = f"{r['rows']:,}×{r['features']}" if "rows" in r else "200,000×784"
    shares = ", ".join(
        f"{n} chunks {ms(f'share_{n}_chunks_s')} (step {ms(f'step_{n}_chunks_s')})"
        for n in (8, 64, 512)
    )
    return [
        "",
        "## Dask",
        "",
        "| measurement | value |",
        "|---|---|",
        f"| full-batch step on {where}, 2-worker LocalCluster | {ms('cluster_step_s')} |",
        f"| the same step, one NumPy process | {ms('numpy_step_s')} |",
        f"| ratio (the best round of each) | {r['cluster_ratio']:.2f} |",
        "| each round: cluster, NumPy | "
        + ", ".join(
            f"{1e3 * c:.0f}, {1e3 * n:.0f} ms"
            for c, n in zip(r.get("cluster_steps_s", []), r.get("numpy_steps_s", []), strict=True)
        )
        + " |",
        f"| scheduler's share of that step | {ms('cluster_share_s')} |",
        f"| scheduler's share, tiny chunks | {shares} |",
        f"| a step from Zarr (raw chunks) | {r['zarr_mb_s']:.0f} MB/s |",
        f"| the store's files read straight | {r['disk_read_mb_s']:.0f} MB/s |",
        f"| Zarr step ÷ straight read (the best round of each) | {r['zarr_ratio']:.2f} |",
        "| an epoch from Zarr: threads, 1 worker, 2 workers | "
        f"{ms('epoch_threads_s')}, {ms('epoch_1_worker_s')}, {ms('epoch_2_workers_s')} |",
        f"| to {100 * r['tta_target']:.0f}% test, batches of {r['tta_batch']}, "
        f"{r['tta_rows']:,} rows: in memory, on 8 blocks | "
        f"{s('tta_memory_s')}, {s('tta_blocks_s')} |",
    ]

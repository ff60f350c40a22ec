"""The benchmark's targets and their verdicts, read from one run's report.

Every target is listed on every run. Its verdict is ``"met"``, ``"NOT met"`` or, where
the run holds none of the rows it reads (another ``--sections``, a row left out by
``--only``, a peer not installed), ``"not measured"``. The targets of the training
section live in :mod:`benchmarks.harness.training_targets`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .training_targets import training_targets
from .verdicts import Item, verdict

__all__ = ["rows", "targets"]


def rows(report: dict[str, Any], implementation: str) -> list[dict[str, Any]]:
    """The step section's rows of one implementation that ran without error."""
    return [
        r
        for r in report.get("results") or []
        if r["implementation"] == implementation and "error" not in r
    ]


def _find(report: dict[str, Any], implementation: str, workload: str, dtype: str) -> dict | None:
    return next(
        (
            r
            for r in rows(report, implementation)
            if (r["workload"], r["dtype"]) == (workload, dtype)
        ),
        None,
    )


def _paired(report: dict[str, Any], key: str, bound: Callable[[dict], float]) -> list[Item]:
    return [
        (f"{p['workload']} {p['dtype']}", p["ratios"][key], bound(p))
        for p in report.get("paired") or []
        if key in p["ratios"]
    ]


def _numpy_bound(p: dict[str, Any]) -> float:
    return 1.05 if p["seconds"].get("numpy (by hand)", 0) > 0.010 else 1.20


def _step_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    steps: dict[str, Any] = {"section": "steps"}
    out = [
        verdict(
            "xpnet on NumPy ÷ hand-written NumPy ≤ 1.05 (> 10 ms), ≤ 1.20 (small), interleaved",
            _paired(report, "xpnet[numpy] ÷ numpy (by hand)", _numpy_bound),
            **steps,
        ),
        verdict(
            "xpnet on PyTorch ÷ PyTorch eager by hand ≤ 1.10, interleaved",
            _paired(report, "xpnet[torch] ÷ torch eager (by hand)", lambda p: 1.10),
            **steps,
        ),
        verdict(
            "xpnet on PyTorch ÷ PyTorch autograd ≤ 1.00, interleaved",
            _paired(report, "xpnet[torch] ÷ torch autograd", lambda p: 1.0),
            **steps,
        ),
    ]
    wide = ("two-layer 784", "deep 784")
    peak = [
        (r["workload"], r["peak_fraction"], 0.75)
        for r in rows(report, "xpnet[numpy]")
        if r["dtype"] == "float32" and r["workload"].startswith(wide) and r.get("peak_fraction")
    ]
    out.append(
        verdict(
            "784-wide networks on NumPy in float32 reach ≥ 75% of the matmul rate",
            peak,
            at_least=True,
            **steps,
        )
    )
    compiled = [
        (r["implementation"], r["peak_fraction"], 0.85)
        for name in ("xpnet[jax, compiled]", "xpnet[torch, compiled]")
        for r in rows(report, name)
        if r["dtype"] == "float32" and r["workload"].startswith("deep 784-256-128-10")
        if r.get("peak_fraction")
    ]
    out.append(
        verdict(
            "the 784-256-128-10 compiled step in float32 reaches ≥ 85% of the matmul rate "
            "(the better compiled row)",
            compiled,
            needs="xpnet[jax, compiled] or xpnet[torch, compiled], not --quick,",
            at_least=True,
            rule=any,
            **steps,
        )
    )
    copy = (report.get("ceilings") or [{}])[0].get("copy_gbs")
    memory = []
    for r in rows(report, "xpnet[numpy]"):
        if r["workload"] == "logistic 784×60000" and copy:
            read_twice = 2 * (r["data_mb"] * 1e6 * 784 / 785) / (copy * 1e9)
            memory.append((r["dtype"], r["seconds"] / read_twice, 1.1))
    out.append(
        verdict(
            "logistic 784×60000 ÷ (reading X twice at the copy bandwidth) ≤ 1.1", memory, **steps
        )
    )
    mlp = []
    for r in rows(report, "xpnet[numpy]"):
        sk = _find(report, "scikit-learn", r["workload"], r["dtype"])
        if sk and not r["workload"].startswith("logistic"):
            mlp.append((f"{r['workload']} {r['dtype']}", r["seconds"] / sk["seconds"], 1.0))
    out.append(verdict("xpnet on NumPy ÷ scikit-learn MLPClassifier < 1", mlp, **steps))
    extra = [
        (f"{r['workload']} {r['dtype']}", r["step_peak_mb"] / r["activations_mb"], 2.0)
        for r in rows(report, "xpnet[numpy]")
        if r["workload"].endswith("60000") and r.get("step_peak_mb") is not None
    ]
    out.append(
        verdict(
            "memory of one step beyond the data ÷ activations of a forward pass ≤ 2",
            extra,
            **steps,
        )
    )
    return out


def _dask_targets(blocks: dict[str, Any] | None) -> list[dict[str, Any]]:
    cluster: list[Item] = []
    scheduler: list[Item] = []
    many: list[Item] = []
    zarr: list[Item] = []
    if blocks and "cluster_ratio" in blocks:
        where = f"{blocks['rows']:,}×{blocks['features']}" if "rows" in blocks else "784×200,000"
        cluster = [(where, blocks["cluster_ratio"], 1.3)]
        scheduler = [("8 chunks", 1e3 * blocks["overhead_step_s"], 50.0)]
        if "share_512_chunks_s" in blocks:
            many = [("512 chunks", 1e3 * blocks["share_512_chunks_s"], 100.0)]
        if "zarr_ratio" in blocks:
            zarr = [(where, blocks["zarr_ratio"], 0.5)]
    return [
        verdict(
            "a full-batch step on a 2-worker LocalCluster ÷ one NumPy process ≤ 1.3",
            cluster,
            section="dask",
        ),
        verdict(
            "the scheduler's share of a step (8 tiny chunks) ≤ 50 ms", scheduler, section="dask"
        ),
        verdict(
            "the scheduler's share of a step with 512 chunks ≤ 2 × 50 ms", many, section="dask"
        ),
        verdict(
            "a step from a Zarr store ÷ reading its files straight ≥ 0.5",
            zarr,
            section="dask",
            at_least=True,
        ),
    ]


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the benchmark with its verdict, from the rows of this run."""
    return [
        *_step_targets(report),
        *training_targets(report.get("training") or {}),
        *_dask_targets(report.get("dask")),
    ]

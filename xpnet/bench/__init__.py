"""``xpnet bench``: training iterations and whole trainings, timed beside NumPy, PyTorch
and scikit-learn.

The run first measures the machine's ceilings on each device (matrix-product GFLOP/s
in float32 and float64, copy bandwidth), then runs its sections, each configuration in a
process of its own (:mod:`xpnet.bench.worker`):

- ``steps`` (:mod:`xpnet.bench.steps`): one full-batch iteration per workload × dtype ×
  implementation, its ratio to hand-written NumPy and its fraction of the ceiling;
- ``training`` (:mod:`xpnet.bench.training`): time to accuracy, an epoch, a whole fit;
- ``dask`` (:mod:`xpnet.bench.blocks`): a step on a 2-worker cluster, out of core.

The rows (:mod:`xpnet.bench.rows`) are xpnet on each installed backend, eager and
compiled (``jit_compile=True``), beside hand-written NumPy and PyTorch, the PyTorch
loop, scikit-learn and Keras 3 on JAX; a row this machine cannot run is listed with its
reason. Every target is judged (:mod:`xpnet.bench.targets`): met, NOT met, or not
measured where the run holds none of its rows. Results go to ``results.json`` and
``RESULTS.md`` (:mod:`xpnet.bench.markdown`) in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from .machine import machine
from .markdown import write_markdown
from .rows import available, gpu_rows, split_names
from .targets import targets
from .worker import spawn
from .workloads import QUICK, WORKLOADS

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: checks that the runner works, in seconds",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="folder for results.json and RESULTS.md (default: a new folder "
        "xpnet-bench-DATE-TIME here; the committed benchmarks/ only when named)",
    )
    parser.add_argument(
        "--sections",
        default="steps,training,dask",
        help="what to run: 'steps' (one iteration per workload), 'training' (time to "
        "accuracy, an epoch, a whole fit), 'dask' (a step on a 2-worker cluster, the "
        "scheduler's share, out of core; where Dask is installed) (default: %(default)s)",
    )
    parser.add_argument(
        "--gpu-only",
        action="store_true",
        help="only the rows that run on a GPU (CuPy, PyTorch CUDA), and their references",
    )
    parser.add_argument("--dtypes", default="float32,float64", help="(default: %(default)s)")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated implementations, e.g. 'xpnet[numpy],numpy (by hand)'; "
        "the new rows: 'xpnet[jax, compiled]', 'xpnet[torch, compiled]', 'keras (jax)'",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="timed batches per process; their median is kept (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="interleaved rounds of every implementation (at least 3 for the small workloads); "
        "the fastest round is kept, since a shared machine only ever slows a run down "
        "(default: %(default)s)",
    )


SECTIONS = ("steps", "training", "dask")


def _choose(args: argparse.Namespace) -> tuple[set[str], list[str], list, dict[str, str]]:
    """The sections, rows and devices of this run, and the rows left out with a reason."""
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if not sections <= set(SECTIONS):
        raise ValueError(
            "Invalid --sections. Expected some of 'steps', 'training', 'dask'. "
            f"Received: {args.sections!r}"
        )
    rows, devices, skipped = available()
    if args.gpu_only:
        rows = gpu_rows(rows)
        devices = [d for d in devices if d[0] != "numpy"] or devices
    if args.only:
        wanted = split_names(args.only)
        unknown = [n for n in wanted if n not in rows and n not in skipped]
        if unknown:
            raise ValueError(f"Invalid --only. Expected names from {rows}. Received: {unknown}")
        skipped = {n: why for n, why in skipped.items() if n in wanted}
        rows = [n for n in wanted if n in rows]
    return sections, rows, devices, skipped


def _ceilings(devices: list, quick: bool, repeats: int) -> list[dict[str, Any]]:
    print("Ceilings:")
    size = {"n": 256, "copy_mb": 32, "repeats": 3} if quick else {"repeats": repeats}
    ceilings = []
    for backend, device in devices:
        c = spawn({"kind": "ceilings", "backend": backend, "device": device, **size})
        ceilings.append(c)
        rates = ", ".join(f"{d} {g:.0f} GFLOP/s" for d, g in c.get("matmul_gflops", {}).items())
        name = c.get("device_name", device)
        print(f"  {backend} on {name}: matmul {rates}; copy {c.get('copy_gbs', 0):.1f} GB/s")
    return ceilings


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print the table and write ``results.json`` and ``RESULTS.md``."""
    from .blocks import run_dask
    from .steps import run_steps
    from .training import run_training

    sections, rows, devices, skipped = _choose(args)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    for name, why in skipped.items():
        print(f"Skipped {name}: {why}")
    ceilings = _ceilings(devices, args.quick, args.repeats)
    results: list[dict[str, Any]] = []
    paired: list[dict[str, Any]] = []
    if "steps" in sections:
        workloads = QUICK if args.quick else WORKLOADS
        results, paired = run_steps(workloads, dtypes, rows, ceilings, args)
    report = {
        "machine": machine(),
        "ceilings": ceilings,
        "sections": sorted(sections),
        "skipped": skipped,
        "results": results,
        "paired": paired,
        "training": run_training(rows, dtypes, args.quick) if "training" in sections else None,
        "dask": run_dask(args.quick) if "dask" in sections and not args.gpu_only else None,
        "quick": args.quick,
    }
    report["targets"] = targets(report)
    print("\nTargets:")
    for t in report["targets"]:
        print(f"  [{t['verdict']}] {t['target']}: {t['measured']}")
    out = Path(args.out or time.strftime("xpnet-bench-%Y%m%d-%H%M%S"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    write_markdown(report, out / "RESULTS.md")
    print(f"\nWritten: {out / 'results.json'}, {out / 'RESULTS.md'}")
    return 0

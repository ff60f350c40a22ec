"""The harness's command line: every section of the project's benchmark, the verdict
of each target, and the reports ``results.json`` and ``RESULTS.md``.

The run first measures the machine's ceilings on each device (matrix-product GFLOP/s
in float32 and float64, copy bandwidth), then runs its sections, each configuration in a
process of its own (:mod:`benchmarks.harness.worker`):

- ``steps`` (:mod:`benchmarks.harness.steps`): one full-batch iteration per workload ×
  dtype × row, its ratio to hand-written NumPy and its fraction of the ceiling;
- ``training`` (:mod:`benchmarks.harness.training`): time to accuracy, an epoch, a
  whole fit;
- ``dask`` (:mod:`benchmarks.harness.blocks`): a step on a 2-worker cluster, out of core.

The rows are those of ``xpnet bench`` (:mod:`xpnet.bench.rows`); a row this machine
cannot run is listed with its reason. Every target is judged
(:mod:`benchmarks.harness.targets`): met, NOT met, or not measured where the run holds
none of its rows. Results go to ``results.json`` and ``RESULTS.md``
(:mod:`benchmarks.harness.markdown`) in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from xpnet.bench.rows import available, devices, gpu_rows, split_names
from xpnet.bench.workloads import QUICK, WORKLOADS

from .blocks import run_dask
from .machine import machine
from .markdown import write_markdown
from .spawn import spawn
from .steps import run_steps
from .targets import targets
from .training import run_training

__all__ = ["build_parser", "main", "run"]


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m benchmarks.harness``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.harness",
        description="The project's benchmark: every section, the verdict of each target, "
        "and results.json and RESULTS.md.",
    )
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
        "'xpnet[jax, compiled]', 'xpnet[torch, compiled]', 'keras (jax)'",
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
    return parser


SECTIONS = ("steps", "training", "dask")


def _choose(args: argparse.Namespace) -> tuple[set[str], list[str], list, dict[str, str]]:
    """The sections, rows and devices of this run, and the rows left out with a reason."""
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if not sections <= set(SECTIONS):
        raise ValueError(
            "Invalid --sections. Expected some of 'steps', 'training', 'dask'. "
            f"Received: {args.sections!r}"
        )
    rows, skipped = available()
    where = devices(rows)
    if args.gpu_only:
        rows = gpu_rows(rows)
        where = [d for d in where if d[0] != "numpy"] or where
    if args.only:
        wanted = split_names(args.only)
        unknown = [n for n in wanted if n not in rows and n not in skipped]
        if unknown:
            raise ValueError(f"Invalid --only. Expected names from {rows}. Received: {unknown}")
        skipped = {n: why for n, why in skipped.items() if n in wanted}
        rows = [n for n in wanted if n in rows]
    return sections, rows, where, skipped


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
    """Run the benchmark; print the tables and write ``results.json`` and ``RESULTS.md``."""
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


def main(argv: list[str] | None = None) -> int:
    """Run the harness's command line; returns the exit status (2 for a usage error)."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ValueError as error:
        print(f"python -m benchmarks.harness: error: {error}", file=sys.stderr)
        return 2

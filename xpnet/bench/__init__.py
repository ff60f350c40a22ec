"""``xpnet bench``: a training iteration of xpnet timed beside the peers on this machine.

The run first measures the machine's matrix-product rate (GFLOP/s in each dtype, on
the CPU and on a GPU where there is one), then times one full-batch iteration (forward,
cost, backward, update) of each workload (:mod:`xpnet.bench.workloads`) for every row
(:mod:`xpnet.bench.rows`): xpnet on each installed backend, eager and compiled, beside
hand-written NumPy and PyTorch, the PyTorch loop, scikit-learn and Keras 3 on JAX,
where installed (:mod:`xpnet.bench.implementations`). The rows of one workload and
dtype are built together and timed in interleaved rounds in this process
(:mod:`xpnet.bench.timing`), so that each row's ratio to hand-written NumPy is taken
against the same moments of the machine. A row this machine cannot run is listed with
its reason.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .implementations import build
from .rows import REFERENCE, available, devices, gpu_rows, jax_missing, on_gpu, split_names
from .timing import Built, interleaved, matmul_rate
from .workloads import QUICK, WORKLOADS, Workload

__all__ = ["add_arguments", "run"]

HEADER = (
    f"  {'implementation':<24} {'dtype':<8} {'per iteration':>14}  {'vs numpy':>8}  "
    f"{'GFLOP/s':>8}  {'% peak':>6}"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small workloads and short clocks: checks that the bench runs, in seconds",
    )
    parser.add_argument("--dtypes", default="float32,float64", help="(default: %(default)s)")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated rows, e.g. 'xpnet[numpy],numpy (by hand)' or "
        "'xpnet[jax, compiled],keras (jax)' (default: every row this machine can run)",
    )
    parser.add_argument(
        "--gpu-only",
        action="store_true",
        help="only the rows that run on a GPU (CuPy, PyTorch CUDA), and hand-written NumPy",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds of every row; each row's fastest is kept, since a shared "
        "machine only ever slows a run down (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="also write the figures to DIR/results.json",
    )


def _rows(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """The rows of this run, and the rows left out with their reason."""
    rows, skipped = available()
    if args.gpu_only:
        rows = gpu_rows(rows)
    if args.only:
        wanted = split_names(args.only)
        unknown = [n for n in wanted if n not in rows and n not in skipped]
        if unknown:
            raise ValueError(f"Invalid --only. Expected names from {rows}. Received: {unknown}")
        skipped = {n: why for n, why in skipped.items() if n in wanted}
        rows = [n for n in wanted if n in rows]
    return rows, skipped


def _rates(rows: list[str], dtypes: list[str], quick: bool) -> dict[str, dict[str, float]]:
    """The matrix-product GFLOP/s of the CPU (``"cpu"``) and the GPU (``"gpu"``)."""
    print("Matrix-product rate:")
    size = {"n": 256, "repeats": 3} if quick else {}
    rates: dict[str, dict[str, float]] = {}
    for (backend, device), where in zip(devices(rows), ("cpu", "gpu"), strict=False):
        measured = {dtype: matmul_rate(backend, device, dtype, **size) for dtype in dtypes}
        rates[where] = {dtype: rate for dtype, rate in measured.items() if rate}
        shown = ", ".join(f"{dtype} {rate:.0f} GFLOP/s" for dtype, rate in rates[where].items())
        print(f"  {where} ({backend}): {shown}")
    return rates


def _group(
    w: Workload, dtype: str, rows: list[str], rates: dict[str, dict[str, float]], args: Any
) -> list[dict[str, Any]]:
    """The rows of one workload and dtype, built together and timed in interleaved rounds."""
    built: dict[str, Built] = {}
    failed: dict[str, str] = {}
    for name in rows:
        reason = jax_missing(name, dtype)
        if reason:
            failed[name] = reason
            continue
        try:
            built[name] = build(name, w, dtype)
        except Exception as error:  # a row's failure is its result, not the run's
            failed[name] = f"{type(error).__name__}: {error}".splitlines()[0]
    rounds = min(args.rounds, 2) if args.quick else args.rounds
    seconds = interleaved(
        built, rounds=rounds, min_seconds=0.02 if args.quick else 0.3, failed=failed
    )
    del built  # the data and the states of every row
    results = []
    for name in rows:
        row: dict[str, Any] = {"workload": w.name, "dtype": dtype, "implementation": name}
        if name in failed:
            results.append({**row, "error": failed[name]})
            continue
        gflops = w.flops / seconds[name] / 1e9
        rate = rates.get("gpu" if on_gpu(name) else "cpu", {}).get(dtype)
        reference = seconds.get(REFERENCE)
        results.append(
            {
                **row,
                "seconds": seconds[name],
                "gflops": gflops,
                "vs_numpy": seconds[name] / reference if reference else None,
                "peak_fraction": gflops / rate if rate else None,
            }
        )
    return results


def _format(r: dict[str, Any]) -> str:
    where = f"  {r['implementation']:<24} {r['dtype']:<8}"
    if "error" in r:
        return f"{where} not timed: {r['error']}"
    ratio = f"{r['vs_numpy']:.2f}" if r["vs_numpy"] else "-"
    peak = f"{100 * r['peak_fraction']:5.1f}%" if r["peak_fraction"] else "-"
    return f"{where} {1e3 * r['seconds']:11.3f} ms  {ratio:>8}  {r['gflops']:8.1f}  {peak:>6}"


def run(args: argparse.Namespace) -> int:
    """Time every row on every workload; print the tables, and write ``results.json``
    into ``args.out`` when it names a folder."""
    rows, skipped = _rows(args)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    for name, why in skipped.items():
        print(f"Skipped {name}: {why}")
    rates = _rates(rows, dtypes, args.quick)
    results = []
    for w in QUICK if args.quick else WORKLOADS:
        print(f"\n{w.name}  ({w.flops / 1e9:.3f} GFLOP of matrix products per iteration)")
        print(HEADER)
        for dtype in dtypes:
            group = _group(w, dtype, rows, rates, args)
            for r in group:
                print(_format(r))
            results += group
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        report = {"rates": rates, "skipped": skipped, "results": results}
        (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")
        print(f"\nWritten: {out / 'results.json'}")
    return 0

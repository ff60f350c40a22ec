"""``xpnet bench``: training iterations and whole trainings, timed beside NumPy, PyTorch
and scikit-learn.

The run first measures the machine's ceilings on each device (matrix-product GFLOP/s
in float32 and float64, copy bandwidth), then times each workload × dtype ×
implementation in a process of its own, and reports each row's time, its ratio to
hand-written NumPy in the same dtype, its matrix-product rate as a fraction of the
measured ceiling, and its peak memory. Results go to ``results.json`` and
``RESULTS.md`` in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .report import machine, targets, write_markdown
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
        help="comma-separated implementations, e.g. 'xpnet[numpy],numpy (by hand)'",
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


def _worker(config: dict[str, Any]) -> dict[str, Any]:
    # The benchmark chooses JAX's 64-bit mode for its own processes, to time float64 too.
    env = {**os.environ, "JAX_ENABLE_X64": os.environ.get("JAX_ENABLE_X64", "1")}
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


def _implementations() -> tuple[list[str], list[tuple[str, str | None]]]:
    """The rows this machine can run, and the devices whose ceilings to measure."""
    from xpnet.backend import available_backends

    rows, devices = [], [("numpy", None)]
    backends = [
        b for b in available_backends() if b != "array_api_strict"
    ]  # a correctness backend
    for name in backends:
        rows.append(f"xpnet[{name}]")
    rows.append("numpy (by hand)")
    try:
        import torch

        rows += ["torch eager (by hand)", "torch autograd"]
        if torch.cuda.is_available():
            devices.append(("torch", "cuda"))
    except ImportError:
        pass
    try:
        import sklearn  # noqa: F401

        rows.append("scikit-learn")
    except ImportError:
        pass
    if "cupy" in backends:
        devices.append(("cupy", None))
    return rows, devices


def _gpu_rows(rows: list[str]) -> list[str]:
    """The GPU rows (xpnet on CuPy or PyTorch CUDA, PyTorch by hand on CUDA) and NumPy's."""
    import importlib.util

    torch_gpu = False
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch_gpu = torch.cuda.is_available()
    gpu = [r for r in rows if r == "xpnet[cupy]" or (torch_gpu and "torch" in r)]
    if not gpu:
        raise ValueError(
            "Invalid --gpu-only: no GPU here. Expected CuPy or PyTorch with a CUDA device. "
            "Received none; run without --gpu-only"
        )
    return [*gpu, "numpy (by hand)"]


#: Ratios that the targets judge, timed in alternation in one process: (row, reference).
PAIRS = [
    ("xpnet[numpy]", "numpy (by hand)"),
    ("xpnet[torch]", "torch eager (by hand)"),
    ("xpnet[torch]", "torch autograd"),
]


def _pairs(w: Any, dtype: str, rows: list[str], quick: bool) -> dict[str, Any] | None:
    """xpnet against its references, interleaved in one process: the steadiest ratios."""
    names = list(dict.fromkeys(n for pair in PAIRS if set(pair) <= set(rows) for n in pair))
    if not names:
        return None
    groups = [
        [n for n in names if not n.startswith(("xpnet[torch]", "torch"))],
        [n for n in names if n.startswith(("xpnet[torch]", "torch"))],
    ]
    seconds: dict[str, float] = {}
    for group in (g for g in groups if len(g) > 1):
        r = _worker(
            {
                "kind": "paired",
                "workload": w.name,
                "dtype": dtype,
                "implementations": group,
                "rounds": 3 if quick else 7,
                "min_seconds": 0.05 if quick else 0.3,
            }
        )
        seconds |= r.get("seconds", {})
    ratios = {
        f"{a} ÷ {b}": seconds[a] / seconds[b] for a, b in PAIRS if a in seconds and b in seconds
    }
    return {"workload": w.name, "dtype": dtype, "seconds": seconds, "ratios": ratios}


def _format_row(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"  {r['implementation']:<24} {r['dtype']:<8} failed: {r['error']}"
    ratio = f"{r['vs_numpy']:.2f}" if r.get("vs_numpy") else "  - "
    peak = f"{100 * r['peak_fraction']:5.1f}%" if r.get("peak_fraction") else "    - "
    return (
        f"  {r['implementation']:<24} {r['dtype']:<8} {1e3 * r['seconds']:11.3f} ms  "
        f"{ratio:>6}  {r['gflops']:8.1f}  {peak}  {r['peak_rss_mb']:8.0f}"
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print the table and write ``results.json`` and ``RESULTS.md``."""
    workloads = QUICK if args.quick else WORKLOADS
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    rows, devices = _implementations()
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if not sections <= {"steps", "training", "dask"}:
        raise ValueError(
            "Invalid --sections. Expected some of 'steps', 'training', 'dask'. "
            f"Received: {args.sections!r}"
        )
    if args.gpu_only:
        rows = _gpu_rows(rows)
        devices = [d for d in devices if d[0] != "numpy"] or devices
    if args.only:
        wanted = [n.strip() for n in args.only.split(",")]
        unknown = [n for n in wanted if n not in rows]
        if unknown:
            raise ValueError(f"Invalid --only. Expected names from {rows}. Received: {unknown}")
        rows = wanted
    size = {"n": 256, "copy_mb": 32, "repeats": 3} if args.quick else {"repeats": args.repeats}
    print("Ceilings:")
    ceilings = []
    for backend, device in devices:
        c = _worker({"kind": "ceilings", "backend": backend, "device": device, **size})
        ceilings.append(c)
        rates = ", ".join(f"{d} {g:.0f} GFLOP/s" for d, g in c.get("matmul_gflops", {}).items())
        print(
            f"  {backend} on {c.get('device_name', device)}: matmul {rates}; copy {c.get('copy_gbs', 0):.1f} GB/s"
        )
    cpu = ceilings[0]
    results, paired = [], []
    for w in workloads if "steps" in sections else ():
        print(f"\n{w.name}  ({w.flops / 1e9:.3f} GFLOP of matrix products per iteration)")
        print(
            f"  {'implementation':<24} {'dtype':<8} {'per iteration':>14}  {'vs numpy':>6}  {'GFLOP/s':>8}  {'% peak':>6}  {'RSS MB':>8}"
        )
        for dtype in dtypes:
            best: dict[str, dict[str, Any]] = {}
            # Small workloads are quick to repeat and the noisiest: more rounds for them.
            rounds = 1 if args.quick else args.rounds if w.flops > 1e9 else max(args.rounds, 3)
            for _ in range(rounds):
                for implementation in rows:
                    config = {
                        "workload": w.name,
                        "dtype": dtype,
                        "implementation": implementation,
                        "min_seconds": 0.05 if args.quick else 0.3,
                        "repeats": size["repeats"],
                    }
                    r = _worker(config)
                    kept = best.get(implementation)
                    if (
                        kept is None
                        or "error" in kept
                        or ("error" not in r and r["seconds"] < kept["seconds"])
                    ):
                        best[implementation] = r
            group = [best[i] for i in rows]
            reference = next(
                (
                    r
                    for r in group
                    if r["implementation"] == "numpy (by hand)" and "error" not in r
                ),
                None,
            )
            for r in group:
                if "error" not in r:
                    on_gpu = (
                        any(k in r["implementation"] for k in ("cupy", "cuda"))
                        and len(ceilings) > 1
                    )
                    rate = (ceilings[-1] if on_gpu else cpu).get("matmul_gflops", {}).get(dtype)
                    r["peak_fraction"] = r["gflops"] / rate if rate else None
                    r["vs_numpy"] = r["seconds"] / reference["seconds"] if reference else None
                print(_format_row(r))
            results += group
            pairs = _pairs(w, dtype, rows, args.quick)
            if pairs:
                print(
                    "  interleaved in one process: "
                    + ", ".join(f"{k} {v:.2f}" for k, v in pairs["ratios"].items())
                )
                paired.append(pairs)
    training = _training(rows, dtypes, args.quick) if "training" in sections else None
    blocks = _blocks(args.quick) if "dask" in sections and not args.gpu_only else None
    report = {
        "machine": machine(),
        "ceilings": ceilings,
        "results": results,
        "paired": paired,
        "training": training,
        "dask": blocks,
        "quick": args.quick,
    }
    report["targets"] = targets(report)
    print("\nTargets:")
    for t in report["targets"]:
        print(f"  [{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['measured']}")
    out = Path(args.out or time.strftime("xpnet-bench-%Y%m%d-%H%M%S"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    write_markdown(report, out / "RESULTS.md")
    print(f"\nWritten: {out / 'results.json'}, {out / 'RESULTS.md'}")
    return 0


def _training(rows: list[str], dtypes: list[str], quick: bool) -> dict[str, Any]:
    """Time to accuracy, an epoch, a whole fit: each in a process of its own."""
    print("\nTraining (time to MLPClassifier's test accuracy; an epoch; the planar fit):")
    xpnet_rows = [r for r in rows if r.startswith("xpnet[") and r != "xpnet[jax]"]
    competitors = [r for r in ("scikit-learn", "torch autograd") if r in rows]
    tasks = {"digits": 3} if quick else {"digits": None, "mnist-shaped": None}
    curves = []
    for task, epochs in tasks.items():
        for dtype in dtypes:
            for implementation in [*competitors, *xpnet_rows]:
                config = {"kind": "tta", "task": task, "dtype": dtype}
                r = _worker({**config, "implementation": implementation, "epochs": epochs})
                curves.append(r)
            _print_tta([c for c in curves if c["task"] == task and c["dtype"] == dtype])
    ratios = []
    for dtype in dtypes:
        size = {"rounds": 1, "epochs": 2} if quick else {}
        task = "digits" if quick else "mnist-shaped"
        epoch = _worker({"kind": "epoch", "task": task, "dtype": dtype, **size})
        fit = _worker(
            {"kind": "fit", "dtype": dtype, "iterations": 200 if quick else 10000, **size}
        )
        for r in (epoch, fit):
            s = r.get("seconds", {})
            if "xpnet[numpy]" in s:
                r["ratio"] = s["xpnet[numpy]"] / s["numpy (by hand)"]
                print(
                    f"  {r['kind']:<6} {dtype}: xpnet[numpy] ÷ numpy (by hand) = {r['ratio']:.2f}"
                )
            else:
                print(f"  {r['kind']:<6} {dtype}: failed: {r.get('error')}")
            ratios.append(r)
    return {"curves": curves, "ratios": ratios}


def _print_tta(curves: list[dict[str, Any]]) -> None:
    from .report import reach

    reference = next((c for c in curves if c["implementation"] == "scikit-learn"), None)
    target = reference["curve"][-1][1] if reference and "curve" in reference else None
    for c in curves:
        if "error" in c:
            print(
                f"  {c['task']:<13} {c['dtype']:<8} {c['implementation']:<16} failed: {c['error']}"
            )
            continue
        seconds = reach(c["curve"], target) if target is not None else None
        when = f"{seconds:7.2f} s" if seconds is not None else "not reached"
        print(
            f"  {c['task']:<13} {c['dtype']:<8} {c['implementation']:<16} reaches "
            f"{100 * (target or 0):.2f}% in {when}; ends at {100 * c['curve'][-1][1]:.2f}% "
            f"after {len(c['curve'])} epochs ({c['curve'][-1][0]:.2f} s)"
        )


def _blocks(quick: bool) -> dict[str, Any] | None:
    """The Dask rows, in a process of their own; None where Dask is not installed."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None or importlib.util.find_spec("zarr") is None:
        print("\nDask: not installed (pip install 'xpnet[dask]'); its rows are left out")
        return None
    size = {"rows": 4000, "features": 32, "repeats": 2} if quick else {}
    r = _worker({"kind": "dask", **size})
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

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

Two more sections time one layer's forward and backward in float32
(:mod:`xpnet.bench.layers`): ``conv``, a convolution layer against PyTorch's
``nn.Conv2d``, and ``rnn``, an LSTM over a sequence against ``torch.nn.LSTM``; each
row's ratio to that peer is the median over interleaved rounds, and is judged against
the section's targets (:data:`xpnet.bench.layers.TARGETS`): met or not met.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from ..io import replacing
from .implementations import build
from .layers import PEERS, SECTIONS, TARGETS, build_layer, layer_rows
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
    parser.add_argument(
        "--sections",
        default="dense,conv,rnn",
        help="comma-separated: 'dense' (a full-batch training iteration of dense networks), "
        "'conv' (one convolution layer's forward and backward, float32, against PyTorch's "
        "Conv2d: (128, 28, 28, 1) into 16 filters of 3×3 and (64, 64, 64, 3) into 8 of "
        "5×5, stride 1, 'same'), 'rnn' (an LSTM's forward and backward over a sequence, "
        "float32, batch 64, T=50, n_x=27, n_a=128, against torch.nn.LSTM); conv and rnn "
        "print each row's median ratio to the peer and whether it meets the target "
        "(conv: xpnet[torch] ≤ 2×, xpnet[numpy] ≤ 3×; rnn: xpnet[torch] ≤ 2×, "
        "xpnet[jax, compiled] ≤ 1.5×) (default: %(default)s)",
    )
    parser.add_argument(
        "--dtypes",
        default="float32,float64",
        help="the dense section's dtypes; conv and rnn run in float32 (default: %(default)s)",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated rows, e.g. 'xpnet[numpy],numpy (by hand)' or "
        "'xpnet[jax, compiled],keras (jax)'; conv and rnn keep their peer "
        "(default: every row this machine can run)",
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
        peers = PEERS.values()
        unknown = [n for n in wanted if n not in rows and n not in skipped and n not in peers]
        if unknown:
            raise ValueError(f"Invalid --only. Expected names from {rows}. Received: {unknown}")
        skipped = {n: why for n, why in skipped.items() if n in wanted}
        rows = [n for n in wanted if n in rows]
    return rows, skipped


def _rates(rows: list[str], dtypes: list[str], quick: bool) -> dict[str, dict[str, float]]:
    """The matrix-product GFLOP/s of the CPU (``"cpu"``) and the GPU (``"gpu"``)."""
    print("Matrix-product rate:")
    size: dict[str, Any] = {"n": 256, "repeats": 3, "min_seconds": 0.01} if quick else {}
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
    sections = _sections(args)
    rows, skipped = _rows(args)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    if "dense" in sections:
        for name, why in skipped.items():
            print(f"Skipped {name}: {why}")
    rates = _rates(rows, dtypes if "dense" in sections else ["float32"], args.quick)
    results = []
    for w in (QUICK if args.quick else WORKLOADS) if "dense" in sections else []:
        print(f"\n{w.name}  ({w.flops / 1e9:.3f} GFLOP of matrix products per iteration)")
        print(HEADER)
        for dtype in dtypes:
            group = _group(w, dtype, rows, rates, args)
            for r in group:
                print(_format(r))
            results += group
    for section in sections:
        if section != "dense":
            results += _layer_section(section, args, rates, skipped)
    if args.out:
        path = Path(args.out) / "results.json"
        report = {"rates": rates, "skipped": skipped, "results": results}
        with replacing(path, f"the results {str(path)!r}") as tmp:
            tmp.write_text(json.dumps(report, indent=1) + "\n")
        print(f"\nWritten: {path}")
    return 0


def _sections(args: argparse.Namespace) -> list[str]:
    names = [n.strip() for n in getattr(args, "sections", "dense").split(",") if n.strip()]
    known = ["dense", *SECTIONS]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"Invalid --sections. Expected names from {known}. Received: {names}")
    return names


def _layer_section(
    section: str, args: Any, rates: dict[str, dict[str, float]], skipped: dict[str, str]
) -> list[dict[str, Any]]:
    """The rows of ``conv`` or ``rnn`` on each of its cases, with the targets' verdicts."""
    rows, missing = layer_rows(section)
    wanted = split_names(args.only) if args.only else None
    peer = PEERS[section]
    rows = [n for n in rows if wanted is None or n in wanted or n == peer]
    print(f"\n{section} section: forward and backward, float32, ratios to {peer}")
    for name, why in missing.items():
        if wanted is None or name in wanted or name == peer:
            print(f"  Skipped {name}: {why}")
    results = []
    for case in SECTIONS[section][1 if args.quick else 0]:
        print(f"\n{case.name}  ({case.flops / 1e9:.3f} GFLOP of matrix products per pass)")
        print(f"  {'implementation':<24} {'per pass':>12}  {'vs peer':>7}  {'GFLOP/s':>8}  target")
        built, failed = {}, {}
        for name in rows:
            try:
                built[name] = build_layer(section, name, case)
            except Exception as error:  # a row's failure is its result, not the run's
                failed[name] = f"{type(error).__name__}: {error}".splitlines()[0]
        seconds = interleaved(
            built,
            rounds=min(args.rounds, 2) if args.quick else max(args.rounds, 5),
            min_seconds=0.02 if args.quick else 0.3,
            failed=failed,
            summary=statistics.median,
        )
        del built
        for name in [*rows, *(n for n in missing if n != peer)]:
            r = _layer_row(section, case, name, seconds, failed, missing, rates)
            results.append(r)
            print(_format_layer(r))
    return results


def _layer_row(
    section: str,
    case: Any,
    name: str,
    seconds: dict[str, float],
    failed: dict[str, str],
    missing: dict[str, str],
    rates: dict[str, dict[str, float]],
) -> dict[str, Any]:
    peer, bound = PEERS[section], TARGETS[section].get(name)
    row: dict[str, Any] = {"section": section, "workload": case.name, "dtype": "float32"}
    row |= {"implementation": name, "target": bound}
    if name not in seconds:
        why = failed.get(name) or missing.get(name, "not timed")
        return {**row, "error": why, "verdict": "not measured" if bound else None}
    ratio = seconds[name] / seconds[peer] if peer in seconds else None
    rate = rates.get("gpu" if on_gpu(name) else "cpu", {}).get("float32")
    gflops = case.flops / seconds[name] / 1e9
    verdict = None
    if bound is not None:
        verdict = "not measured" if ratio is None else "met" if ratio <= bound else "not met"
    return {
        **row,
        "seconds": seconds[name],
        "gflops": gflops,
        "vs_peer": ratio,
        "peak_fraction": gflops / rate if rate else None,
        "verdict": verdict,
    }


def _format_layer(r: dict[str, Any]) -> str:
    where = f"  {r['implementation']:<24}"
    target = f"≤ {r['target']:g}×: {r['verdict']}" if r["target"] else ""
    if "error" in r:
        return f"{where} not timed: {r['error']}  {target}".rstrip()
    ratio = f"{r['vs_peer']:.2f}" if r["vs_peer"] else "-"
    return f"{where} {1e3 * r['seconds']:9.3f} ms  {ratio:>7}  {r['gflops']:8.1f}  {target}"

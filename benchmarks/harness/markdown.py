"""RESULTS.md: the machine, the ceilings, a table per workload, the training rows, the targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .blocks import dask_markdown
from .verdicts import MET, NOT_MEASURED, NOT_MET, reach

__all__ = ["write_markdown"]


def write_markdown(report: dict[str, Any], path: Path) -> None:
    """RESULTS.md: the machine, the ceilings, a table per workload, the targets."""
    m = report["machine"]
    lines = [
        "# xpnet benchmark results",
        "",
        f"Run on {m['date']}{' (quick sizes)' if report['quick'] else ''}: {m['cpu']}, {m['cores']} cores, "
        f"Python {m['python']}{'; GPU: ' + m['gpu'] if m.get('gpu') else ''}.",
        "",
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        "BLAS: " + ("; ".join(m["blas"]) or "unknown") + ".",
        "",
        *(f"Skipped {name}: {why}.\n" for name, why in (report.get("skipped") or {}).items()),
        "One row is one full-batch training iteration (forward, cost, backward, update), the",
        "median of timed batches after a warm-up, in a process of its own. `vs numpy` is the",
        "time relative to hand-written NumPy in the same dtype (1.00 is parity, lower is",
        "faster); `% peak` is the rate of the iteration's matrix products as a fraction of the",
        "measured matrix-product ceiling of that device and dtype. Peak RSS includes the",
        "libraries themselves; `step MB` is what one NumPy step allocates beyond the data.",
        "",
        "## Ceilings",
        "",
        "| device | float32 GFLOP/s | float64 GFLOP/s | copy GB/s |",
        "|---|---|---|---|",
    ]
    for c in report["ceilings"]:
        g = c.get("matmul_gflops", {})
        lines.append(
            f"| {c['backend']} on {c.get('device_name', c.get('device'))} | {g.get('float32', 0):.0f} | "
            f"{g.get('float64', 0):.0f} | {c.get('copy_gbs', 0):.1f} |"
        )
    for workload in dict.fromkeys(r["workload"] for r in report["results"]):
        lines += [
            "",
            f"## {workload}",
            "",
            "| implementation | dtype | ms / iteration | vs numpy | GFLOP/s | % peak | peak RSS MB | step MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in (r for r in report["results"] if r["workload"] == workload):
            if "error" in r:
                lines.append(
                    f"| {r['implementation']} | {r['dtype']} | failed: {r['error']} | | | | | |"
                )
                continue
            vs = f"{r['vs_numpy']:.2f}" if r.get("vs_numpy") else "–"
            pk = f"{100 * r['peak_fraction']:.1f}%" if r.get("peak_fraction") else "–"
            step = f"{r['step_peak_mb']:.0f}" if r.get("step_peak_mb") is not None else "–"
            lines.append(
                f"| {r['implementation']} | {r['dtype']} | {1e3 * r['seconds']:.3f} | {vs} | "
                f"{r['gflops']:.1f} | {pk} | {r['peak_rss_mb']:.0f} | {step} |"
            )
    if report.get("paired"):
        lines += [
            "",
            "## Ratios timed in alternation, in one process",
            "",
            "Separate processes on a shared machine differ by up to ±20% at small sizes;",
            "batches of two implementations interleaved in one process see the same machine,",
            "so these ratios are the ones the targets judge (the fastest of 7 rounds each).",
            "",
            "| workload | dtype | ratio | value |",
            "|---|---|---|---|",
        ]
        for p in report["paired"]:
            for key, value in p["ratios"].items():
                lines.append(f"| {p['workload']} | {p['dtype']} | {key} | {value:.3f} |")
    if report.get("training"):
        lines += _training_markdown(report["training"])
    blocks = report.get("dask")
    if blocks and "cluster_ratio" in blocks:
        lines += dask_markdown(blocks)
    lines += ["", "## Targets", "", "| target | verdict | measured |", "|---|---|---|"]
    shown = {MET: "met", NOT_MET: "**not met**", NOT_MEASURED: "not measured"}
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {shown[t['verdict']]} | {t['measured']} |")
    path.write_text("\n".join(lines) + "\n")


def _when(curve: list, target: float | None) -> str:
    seconds = reach(curve, target) if target is not None else None
    return f"{seconds:.2f}" if seconds is not None else "not reached"


def _training_markdown(training: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Time to accuracy",
        "",
        "Each implementation trains the same architecture on the same split with the same",
        "recipe (ReLU, Adam at 0.001, batches of 128, L2 1e-4) epoch by epoch; the test",
        "accuracy is taken after each epoch, off the clock. Seconds of training to",
        "MLPClassifier's final accuracy, to 70% and to 75%.",
        "",
        "| task | dtype | implementation | to MLPClassifier's | to 70% | to 75% | best | final | epochs | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    curves = training.get("curves", [])
    for task, dtype in dict.fromkeys((c["task"], c["dtype"]) for c in curves):
        group = [c for c in curves if (c["task"], c["dtype"]) == (task, dtype)]
        reference = next((c for c in group if c["implementation"] == "scikit-learn"), None)
        target = reference["curve"][-1][1] if reference and "curve" in reference else None
        for c in group:
            where = f"| {task} | {dtype} | {c['implementation']} |"
            if "curve" not in c:
                lines.append(f"{where} failed: {c.get('error')} | | | | | | |")
                continue
            curve = c["curve"]
            best = max(score for _, score in curve)
            lines.append(
                f"{where} {_when(curve, target)} ({100 * (target or 0):.2f}%) | "
                f"{_when(curve, 0.70)} | {_when(curve, 0.75)} | {100 * best:.2f}% | "
                f"{100 * curve[-1][1]:.2f}% | {len(curve)} | {curve[-1][0]:.2f} |"
            )
    lines += [
        "",
        "Epochs (seconds per epoch) and the planar fit (seconds per fit), timed in",
        "alternation with the other rows of the same process:",
        "",
        "| measurement | dtype | implementation | seconds |",
        "|---|---|---|---|",
    ]
    for r in training.get("ratios", []):
        what = f"an epoch, {r.get('task')}" if r["kind"] == "epoch" else "the planar fit"
        if "error" in r:
            lines.append(f"| {what} | {r['dtype']} | failed: {r['error']} | |")
        for name, seconds in r.get("seconds", {}).items():
            lines.append(f"| {what} | {r['dtype']} | {name} | {seconds:.4f} |")
    return lines

"""The step section: one full-batch iteration of each workload × dtype × implementation.

Each configuration runs in a process of its own, in interleaved rounds whose fastest is
kept; each row gets its ratio to hand-written NumPy in the same dtype and its
matrix-product rate as a fraction of its device's measured ceiling. The ratios that the
targets judge are timed again with their references interleaved in one process.
"""

from __future__ import annotations

from typing import Any

from .spawn import spawn

__all__ = ["PAIRS", "run_steps"]

#: Ratios that the targets judge, timed in alternation in one process: (row, reference).
PAIRS = [
    ("xpnet[numpy]", "numpy (by hand)"),
    ("xpnet[torch]", "torch eager (by hand)"),
    ("xpnet[torch]", "torch autograd"),
]
HEADER = (
    f"  {'implementation':<24} {'dtype':<8} {'per iteration':>14}  {'vs numpy':>6}  "
    f"{'GFLOP/s':>8}  {'% peak':>6}  {'RSS MB':>8}"
)


def _pairs(w: Any, dtype: str, rows: list[str], quick: bool) -> dict[str, Any] | None:
    """xpnet against its references, interleaved in one process: the steadiest ratios."""
    names = list(dict.fromkeys(n for pair in PAIRS if set(pair) <= set(rows) for n in pair))
    if not names:
        return None
    torch = ("xpnet[torch]", "torch")
    groups = [
        [n for n in names if not n.startswith(torch)],
        [n for n in names if n.startswith(torch)],
    ]
    seconds: dict[str, float] = {}
    for group in (g for g in groups if len(g) > 1):
        r = spawn(
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


def _fastest(w: Any, dtype: str, rows: list[str], rounds: int, size: dict) -> list[dict]:
    """Each row's fastest of ``rounds`` interleaved processes (a failure only if all fail)."""
    best: dict[str, dict[str, Any]] = {}
    for _ in range(rounds):
        for implementation in rows:
            r = spawn(
                {"workload": w.name, "dtype": dtype, "implementation": implementation, **size}
            )
            kept = best.get(implementation)
            if (
                kept is None
                or "error" in kept
                or ("error" not in r and r["seconds"] < kept["seconds"])
            ):
                best[implementation] = r
    return [best[i] for i in rows]


def _annotate(group: list[dict], ceilings: list[dict], dtype: str) -> None:
    """Each row's time ÷ hand-written NumPy's and its fraction of its device's ceiling."""
    reference = next(
        (r for r in group if r["implementation"] == "numpy (by hand)" and "error" not in r), None
    )
    for r in (r for r in group if "error" not in r):
        on_gpu = any(k in r["implementation"] for k in ("cupy", "cuda")) and len(ceilings) > 1
        rate = (ceilings[-1] if on_gpu else ceilings[0]).get("matmul_gflops", {}).get(dtype)
        r["peak_fraction"] = r["gflops"] / rate if rate else None
        r["vs_numpy"] = r["seconds"] / reference["seconds"] if reference else None


def run_steps(
    workloads: list[Any], dtypes: list[str], rows: list[str], ceilings: list[dict], args: Any
) -> tuple[list[dict], list[dict]]:
    """The step section's rows and its interleaved ratios, printed as they come."""
    results, paired = [], []
    size = {
        "min_seconds": 0.05 if args.quick else 0.3,
        "repeats": 3 if args.quick else args.repeats,
    }
    for w in workloads:
        print(f"\n{w.name}  ({w.flops / 1e9:.3f} GFLOP of matrix products per iteration)")
        print(HEADER)
        # Small workloads are quick to repeat and the noisiest: more rounds for them.
        rounds = 1 if args.quick else args.rounds if w.flops > 1e9 else max(args.rounds, 3)
        for dtype in dtypes:
            group = _fastest(w, dtype, rows, rounds, size)
            _annotate(group, ceilings, dtype)
            for r in group:
                print(_format_row(r))
            results += group
            pairs = _pairs(w, dtype, rows, args.quick)
            if pairs:
                ratios = ", ".join(f"{k} {v:.2f}" for k, v in pairs["ratios"].items())
                print(f"  interleaved in one process: {ratios}")
                paired.append(pairs)
    return results, paired

"""The training section: time to accuracy, an epoch, a whole fit, each in a process of its own.

- **time to accuracy** (:mod:`benchmarks.harness.curves`): every row's test-accuracy curve,
  epoch by epoch, on the digits and the MNIST-shaped task; and the regressor's test R²
  beside ``MLPRegressor``'s (:mod:`benchmarks.harness.regression`);
- **an epoch** (:mod:`benchmarks.harness.fits`): per-epoch seconds, timed in alternation within
  groups that the targets compare: xpnet[numpy] and hand-written NumPy,
  ``xpnet[jax, compiled]`` and Keras 3 on JAX, ``xpnet[torch, compiled]`` and the
  PyTorch loop;
- **a whole fit**: the course's planar fit on NumPy and compiled on JAX, against the
  course's loop by hand in NumPy.
"""

from __future__ import annotations

from typing import Any

from xpnet.bench.rows import KERAS

from .fits import NUMPY_PAIR
from .spawn import spawn
from .verdicts import reach

__all__ = ["EPOCH_GROUPS", "run_training"]

#: Rows timed in alternation, epoch by epoch, in one process.
EPOCH_GROUPS = (
    NUMPY_PAIR,
    ["xpnet[jax, compiled]", KERAS],
    ["xpnet[torch, compiled]", "torch autograd"],
)


def _print_tta(curves: list[dict[str, Any]]) -> None:
    reference = next((c for c in curves if c["implementation"] == "scikit-learn"), None)
    target = reference["curve"][-1][1] if reference and "curve" in reference else None
    for c in curves:
        where = f"  {c['task']:<13} {c['dtype']:<8} {c['implementation']:<22}"
        if "error" in c:
            print(f"{where} failed: {c['error']}")
            continue
        seconds = reach(c["curve"], target) if target is not None else None
        when = f"{seconds:7.2f} s" if seconds is not None else "not reached"
        best = max(score for _, score in c["curve"])
        print(
            f"{where} reaches {100 * (target or 0):.2f}% in {when}; best {100 * best:.2f}%, "
            f"ends at {100 * c['curve'][-1][1]:.2f}% after {len(c['curve'])} epochs "
            f"({c['curve'][-1][0]:.2f} s)"
        )


def _print_r2(curves: list[dict[str, Any]]) -> None:
    for c in curves:
        where = f"  regression    float64  {c['implementation']:<22}"
        if "error" in c:
            print(f"{where} failed: {c['error']}")
            continue
        seconds, r2 = c["curve"][-1]
        best = max(score for _, score in c["curve"])
        print(
            f"{where} test R² {r2:.4f} after {len(c['curve'])} epochs ({seconds:.2f} s); best {best:.4f}"
        )


def _print_timing(r: dict[str, Any]) -> None:
    what = f"  {r['kind']:<6} {r.get('task', 'planar')} {r['dtype']}:"
    if "error" in r:
        print(f"{what} failed: {r['error']}")
        return
    print(what + ", ".join(f" {name} {s:.4f} s" for name, s in r["seconds"].items()))


def run_training(rows: list[str], dtypes: list[str], quick: bool) -> dict[str, Any]:
    """Time to accuracy, an epoch, a whole fit, printed as they come."""
    print("\nTraining (time to MLPClassifier's test accuracy; an epoch; the planar fit):")
    # xpnet on JAX runs eagerly far slower than NumPy: its compiled row races.
    xpnet_rows = [r for r in rows if r.startswith("xpnet[") and r != "xpnet[jax]"]
    competitors = [r for r in ("scikit-learn", "torch autograd", KERAS) if r in rows]
    tasks = {"digits": 3} if quick else {"digits": None, "mnist-shaped": None}
    curves: list[dict[str, Any]] = []
    for task, epochs in tasks.items():
        for dtype in dtypes:
            config = {"kind": "tta", "task": task, "dtype": dtype, "epochs": epochs}
            row = [spawn({**config, "implementation": r}) for r in [*competitors, *xpnet_rows]]
            _print_tta(row)
            curves += row
    regression = []
    for name in ("scikit-learn", "xpnet[numpy]"):
        if name in rows:
            config = {"kind": "tta-regression", "dtype": "float64", "implementation": name}
            regression.append(spawn({**config, "epochs": 3 if quick else None}))
    _print_r2(regression)
    ratios = []
    size: dict[str, Any] = {"rounds": 1, "epochs": 2} if quick else {}
    task = "digits" if quick else "mnist-shaped"
    planar = [r for r in (*NUMPY_PAIR, "xpnet[jax, compiled]") if r in rows]
    for dtype in dtypes:
        for group in ([r for r in g if r in rows] for g in EPOCH_GROUPS):
            if group:
                epoch = {"kind": "epoch", "task": task, "dtype": dtype}
                ratios.append(spawn({**epoch, "implementations": group, **size}))
                _print_timing(ratios[-1])
        if planar:
            iterations = 200 if quick else 10000
            config = {"kind": "fit", "dtype": dtype, "iterations": iterations}
            ratios.append(spawn({**config, "implementations": planar, **size}))
            _print_timing(ratios[-1])
    return {"curves": curves, "ratios": ratios, "regression": regression}

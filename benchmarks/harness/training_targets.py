"""The targets of the training section: epochs, whole fits and time to accuracy.

Each reads the training section's report (``{"curves": [...], "ratios": [...]}``, see
:mod:`benchmarks.harness.training`) and is "not measured" where its rows are absent.
"""

from __future__ import annotations

from typing import Any

from xpnet.bench.rows import KERAS, parse

from . import regression
from .verdicts import Item, reach, verdict

__all__ = ["race", "training_targets"]

#: The race of the MNIST-shaped task: thresholds of test accuracy and the epochs allowed.
THRESHOLDS, EPOCHS = (0.70, 0.75), 30
PYTORCH = "torch autograd"


def _ratios(
    training: dict[str, Any], kind: str, row: str, reference: str, bound: float = 1.0
) -> list[Item]:
    """``row`` ÷ ``reference`` in each of the section's ``kind`` timings that holds both."""
    out: list[Item] = []
    for r in training.get("ratios", []):
        s = r.get("seconds", {})
        if r.get("kind") == kind and row in s and reference in s:
            where = f"{r.get('task', 'planar')} {r['dtype']}"
            if kind == "fit":
                where += f", {r.get('iterations', 10000):,} steps"
            out.append((where, s[row] / s[reference], bound))
    return out


def _curves(training: dict[str, Any], task: str, dtype: str) -> dict[str, list]:
    return {
        c["implementation"]: c["curve"]
        for c in training.get("curves", [])
        if "curve" in c and (c["task"], c["dtype"]) == (task, dtype)
    }


def _sklearn_race(training: dict[str, Any]) -> list[Item]:
    """xpnet[numpy]'s time to the accuracy MLPClassifier ends with, ÷ MLPClassifier's."""
    out = []
    curves = [c for c in training.get("curves", []) if "curve" in c]
    for task, dtype in dict.fromkeys((c["task"], c["dtype"]) for c in curves):
        group = _curves(training, task, dtype)
        if "scikit-learn" in group and "xpnet[numpy]" in group:
            target = group["scikit-learn"][-1][1]
            theirs = reach(group["scikit-learn"], target)
            ours = reach(group["xpnet[numpy]"], target)
            ratio = float("inf") if ours is None or not theirs else ours / theirs
            out.append((f"{task} {dtype}", ratio, 1.0))
    return out


def _time_ratio(ours: float | None, theirs: float | None) -> float:
    """Our time ÷ theirs; never reached is infinitely late (both never: level)."""
    if ours is None:
        return 1.0 if theirs is None else float("inf")
    return 0.0 if theirs is None else ours / max(theirs, 1e-12)


def _against(name: str, curve: list, reference: list) -> list[Item]:
    """One xpnet row against the PyTorch loop: times to each threshold, best accuracy."""
    items: list[Item] = []
    for threshold in THRESHOLDS:
        ours, theirs = reach(curve, threshold), reach(reference, threshold)
        when = " vs ".join(f"{t:.1f} s" if t is not None else "never" for t in (ours, theirs))
        items.append(
            (f"{name} to {100 * threshold:.0f}% ({when})", _time_ratio(ours, theirs), 1.0)
        )
    ours_best = max(score for _, score in curve[:EPOCHS])
    theirs_best = max(score for _, score in reference[:EPOCHS])
    best = f"{100 * ours_best:.1f}% vs {100 * theirs_best:.1f}%"
    items.append((f"{name} PyTorch's best ÷ its own ({best})", theirs_best / ours_best, 1.0))
    return items


def race(training: dict[str, Any], task: str = "mnist-shaped", dtype: str = "float32"):
    """xpnet's best row (on the CPU, or the backend's default device) against the PyTorch
    loop: the items of the row whose worst ratio is the least, or [] where either is absent."""
    group = _curves(training, task, dtype)
    reference = group.get(PYTORCH)
    ours = {
        name: curve
        for name, curve in group.items()
        if name.startswith("xpnet[") and parse(name).device is None
        if parse(name).backend != "cupy"
    }
    if not reference or not ours:
        return []
    candidates = [_against(name, curve, reference) for name, curve in ours.items()]
    return min(candidates, key=lambda items: max(v / b for _, v, b in items))


def training_targets(training: dict[str, Any]) -> list[dict[str, Any]]:
    """Each training target with its verdict."""
    section: dict[str, Any] = {"section": "training"}
    return [
        verdict(
            "an epoch of mini-batch Adam ÷ a hand-written NumPy epoch ≤ 1.10, interleaved",
            _ratios(training, "epoch", "xpnet[numpy]", "numpy (by hand)", 1.10),
            **section,
        ),
        verdict(
            "an epoch compiled on JAX ÷ Keras 3 on JAX's epoch ≤ 1.0, interleaved",
            _ratios(training, "epoch", "xpnet[jax, compiled]", KERAS),
            needs=f"xpnet[jax, compiled] and {KERAS}",
            **section,
        ),
        verdict(
            "the planar fit ÷ the course's loop by hand in NumPy ≤ 1.20, interleaved",
            _ratios(training, "fit", "xpnet[numpy]", "numpy (by hand)", 1.20),
            **section,
        ),
        verdict(
            "the planar fit compiled on JAX ÷ the course's loop by hand in NumPy ≤ 1.0, "
            "interleaved",
            _ratios(training, "fit", "xpnet[jax, compiled]", "numpy (by hand)"),
            needs="xpnet[jax, compiled] and numpy (by hand)",
            **section,
        ),
        verdict(
            "time to MLPClassifier's test accuracy: xpnet[numpy] ÷ MLPClassifier ≤ 1",
            _sklearn_race(training),
            **section,
        ),
        verdict(
            "time to MLPRegressor's test R²: xpnet[numpy]'s DeepRegressor ÷ MLPRegressor ≤ 1",
            regression.race(training.get("regression", [])),
            needs="scikit-learn and xpnet[numpy]",
            **section,
        ),
        verdict(
            "MNIST-shaped, float32: xpnet's best row reaches 70% and 75% test in no more time "
            f"than the PyTorch loop, and its best in {EPOCHS} epochs is at least PyTorch's",
            race(training),
            needs=f"the MNIST-shaped task (not --quick), {PYTORCH} and an xpnet row",
            **section,
        ),
    ]

"""A verdict: a target's measurements against their bounds, or "not measured"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["MET", "NOT_MEASURED", "NOT_MET", "Item", "reach", "verdict"]

MET, NOT_MET, NOT_MEASURED = "met", "NOT met", "not measured"

#: (where, value, bound): one measurement of a target.
Item = tuple[str, float, float]


def verdict(
    target: str,
    items: Iterable[Item],
    *,
    section: str,
    needs: str = "",
    at_least: bool = False,
    rule: Callable[[Iterable[bool]], bool] = all,
) -> dict[str, Any]:
    """A target's verdict: met when ``rule`` (all or any) of the values is within its bound.

    A bound is an upper bound, or with ``at_least`` a lower one. With no items, the
    target is not measured, and the verdict names the rows it ``needs`` and the section
    that measures them.
    """
    items = list(items)
    if not items:
        rows = f"{needs} in " if needs else ""
        return {
            "target": target,
            "verdict": NOT_MEASURED,
            "met": None,
            "measured": f"not measured in this run (needs {rows}section '{section}')",
        }
    within = [v >= b if at_least else v <= b for _, v, b in items]
    sign = "≥" if at_least else "≤"
    worst = min(items, key=lambda i: i[1] / i[2]) if at_least else max(items, key=_over)
    met = bool(rule(within))
    return {
        "target": target,
        "verdict": MET if met else NOT_MET,
        "met": met,
        "measured": "; ".join(f"{w}: {v:.3g} (bound {sign} {b:.3g})" for w, v, b in items),
        "worst": worst[0],
    }


def _over(item: Item) -> float:
    return item[1] / item[2] if item[2] else item[1]


def reach(curve: list[list[float]], target: float) -> float | None:
    """The training seconds at which an accuracy curve first reaches ``target``."""
    return next((seconds for seconds, score in curve if score >= target - 1e-12), None)

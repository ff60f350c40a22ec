"""Gradient clipping, for any model's gradients: by value, and by their global norm.

Both take the gradients as a dict ``{"dW1": ..., "db1": ...}`` and return a new dict,
leaving the one given unchanged; every array stays on its backend and device. Each is
one equation, traceable under ``jax.jit`` and ``torch.compile`` (the norm is never read
back to the host).
"""

from __future__ import annotations

from typing import Any

from array_api_compat import array_namespace

from .activations import clip

__all__ = ["clip_by_global_norm", "clip_by_value"]

Array = Any


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"Invalid {name}. Expected a positive number. Received: {name}={value!r}")
    return float(value)


def clip_by_value(
    grads: dict[str, Array], max_value: float, /, *, xp: Any = None
) -> dict[str, Array]:
    """Every gradient clipped to [−max_value, max_value], element by element (the
    course's ``np.clip(g, -maxValue, maxValue)``)."""
    max_value = _check_positive("max_value", max_value)
    xp = array_namespace(*grads.values()) if xp is None else xp
    return {name: clip(g, -max_value, max_value, xp=xp) for name, g in grads.items()}


def clip_by_global_norm(
    grads: dict[str, Array], max_norm: float, /, *, xp: Any = None
) -> dict[str, Array]:
    """All gradients scaled by max_norm / ‖g‖ when their global norm ‖g‖ exceeds max_norm.

    ‖g‖ = √(Σ over every gradient of its squared entries); below max_norm nothing changes,
    so the direction of the step is kept where clipping by value would turn it.
    """
    max_norm = _check_positive("max_norm", max_norm)
    xp = array_namespace(*grads.values()) if xp is None else xp
    norm = xp.sqrt(sum(xp.sum(g * g) for g in grads.values()))  # ‖g‖ = √Σ g²
    scale = max_norm / clip(norm, max_norm, None, xp=xp)  # min(1, max_norm / ‖g‖)
    return {name: g * scale for name, g in grads.items()}

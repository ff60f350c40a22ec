"""Gradient clipping, for any model's gradients: by value, and by their global norm.

Both take the gradients as a dict ``{"dW1": ..., "db1": ...}`` and return a new dict,
leaving the one given unchanged; every array stays on its backend and device. Each is
one equation, traceable under ``jax.jit`` and ``torch.compile`` (the norm is never read
back to the host). :func:`clip_gradients` applies either or both, as the training step
does (``TrainingConfig(clip_value=, clip_norm=)``, :mod:`xpnet.step`).
"""

from __future__ import annotations

import functools
from numbers import Real
from typing import Any

from array_api_compat import array_namespace

from .activations import clip

__all__ = [
    "NORM_EPSILON",
    "check_threshold",
    "clip_by_global_norm",
    "clip_by_value",
    "clip_gradients",
]

Array = Any

#: ε added to the global norm before dividing by it, as ``torch.nn.utils.clip_grad_norm_``.
NORM_EPSILON = 1e-6


def check_threshold(name: str, value: Any, *, optional: bool = False) -> float | None:
    """``value`` as a positive float (None where ``optional``), else a ValueError."""
    if optional and value is None:
        return None
    return _positive(name, value, "a positive number or None" if optional else None)


def _positive(name: str, value: Any, expected: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not float(value) > 0:
        expected = expected or "a positive number"
        raise ValueError(f"Invalid {name}. Expected {expected}. Received: {name}={value!r}")
    return float(value)


def clip_by_value(
    grads: dict[str, Array], max_value: float, /, *, xp: Any = None
) -> dict[str, Array]:
    """Every gradient clipped to [−max_value, max_value], element by element (the
    course's ``np.clip(g, -maxValue, maxValue)``)."""
    max_value = _positive("max_value", max_value)
    xp = array_namespace(*grads.values()) if xp is None else xp
    return {name: clip(g, -max_value, max_value, xp=xp) for name, g in grads.items()}


def clip_by_global_norm(
    grads: dict[str, Array], max_norm: float, /, *, eps: float = NORM_EPSILON, xp: Any = None
) -> dict[str, Array]:
    """All gradients scaled by min(1, max_norm / (‖g‖ + ε)), ‖g‖ their global norm.

    ‖g‖ = √(Σ over every gradient of its squared entries), the norm of all of them
    together; ε = 10⁻⁶ by default, which is ``torch.nn.utils.clip_grad_norm_``'s
    definition (``eps=0`` scales by exactly max_norm / ‖g‖). Below max_norm nothing
    changes, so the direction of the step is kept where clipping by value would turn it.
    Finite gradients whose Σ g² overflows (above about 10¹⁹ in float32) are scaled by
    their norm taken as ‖g / M‖ · M, M their largest |g|, rather than zeroed.
    """
    max_norm = _positive("max_norm", max_norm)
    xp = array_namespace(*grads.values()) if xp is None else xp
    norm = xp.sqrt(sum(xp.sum(g * g) for g in grads.values()))  # ‖g‖ = √Σ g²
    M = functools.reduce(xp.maximum, [xp.max(xp.abs(g)) for g in grads.values()])
    M = xp.where(M > 0, M, M * 0 + 1)  # all zero: 1, never 0 / 0
    rescaled = M * xp.sqrt(sum(xp.sum((g / M) ** 2) for g in grads.values()))
    norm = xp.where(xp.isinf(norm), rescaled, norm)  # Σ g² overflowed, not g
    scale = clip(max_norm / (norm + eps), None, 1.0, xp=xp)  # min(1, max_norm / (‖g‖ + ε))
    return {name: g * scale for name, g in grads.items()}


def clip_gradients(
    grads: dict[str, Array], clip_value: float | None, clip_norm: float | None, /, *, xp: Any
) -> dict[str, Array]:
    """``grads`` clipped by value to ±clip_value, then by global norm to clip_norm
    (None: not that one); the gradients themselves where both are None."""
    if clip_value is not None:
        grads = clip_by_value(grads, clip_value, xp=xp)
    if clip_norm is not None:
        grads = clip_by_global_norm(grads, clip_norm, xp=xp)
    return grads

"""The loop over time steps of a recurrent layer: one cell, run forward and back.

Inside ``jax.jit`` the loop is ``jax.lax.scan``: XLA compiles the cell once, where a
Python loop would hand it T_x copies to compile. Everywhere else, eager JAX included
(where a scan would compile its body at every call), it is a plain Python loop, which
``torch.compile`` unrolls into one graph. The cell is the same function in both, so no
equation is written twice. The steps go in and out as Python lists either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["backward_loop", "forward_loop"]

Array = Any
Cell = Callable[[Any, Any], tuple[Any, Any]]


def _jax(xp: Any, probe: Any) -> Any:
    """The jax module where an array of ``probe`` (arrays, tuples, lists) is being traced
    by JAX (inside ``jax.jit``), else None."""
    if not xp.__name__.startswith("jax"):
        return None
    import jax

    traced = any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(probe))
    return jax if traced else None


def forward_loop(cell: Cell, state: Any, x: Array, /, *, xp: Any) -> list[Any]:
    """The steps of ``cell(state, x⟨t⟩) → (state, step)`` for t = 1 … T_x, x of shape
    (n_x, m, T_x)."""
    T = x.shape[2]
    jax = _jax(xp, x)
    if jax is None:
        steps = []
        for t in range(T):
            state, step = cell(state, x[:, :, t])
            steps.append(step)
        return steps
    _, stacked = jax.lax.scan(cell, state, xp.moveaxis(x, 2, 0))
    return [jax.tree.map(lambda field, t=t: field[t], stacked) for t in range(T)]


def backward_loop(
    cell: Cell, state: Any, inputs: list[Any], /, *, xp: Any
) -> tuple[Any, list[Any]]:
    """``cell(state, inputs[t]) → (state, output)`` from the last t to the first: the last
    state, and the outputs in the order of ``inputs``."""
    jax = _jax(xp, (state, inputs))
    if jax is None:
        outputs: list[Any] = []
        for item in reversed(inputs):
            state, out = cell(state, item)
            outputs.insert(0, out)
        return state, outputs
    stacked = jax.tree.map(lambda *fields: xp.stack(fields), *inputs)
    state, out = jax.lax.scan(cell, state, stacked, reverse=True)
    return state, [jax.tree.map(lambda field, t=t: field[t], out) for t in range(len(inputs))]

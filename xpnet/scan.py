"""Whole epochs compiled: a JAX scan of :func:`xpnet.step.train_step` over a run of
equal-sized batches, several steps in one dispatch.

Asked for with ``TrainingConfig(scan=True)`` where the step compiles on JAX. In each
epoch the leading batches of one shape (all but a shorter last one) are stacked and
run by one ``jax.lax.scan`` of the same step function, the shorter last batch by the
compiled step. The masks are drawn on the host before the scan, batch by batch in the
epoch's order, so a scanned epoch draws what a stepped one does.

Granularity: the loss curve, the recorded costs, early stopping and the callback are
per epoch, as without the scan. Ctrl-C stops at the end of the scan that is running:
the state holds the last completed epoch, or the batches before the shorter last one.
"""

from __future__ import annotations

import functools
from typing import Any

from .step import train_step

__all__ = ["scanned_steps"]

Array = Any


def _epoch(network: Any, optimizer: Any, xp: Any, *args: Any) -> Any:
    import jax

    parameters, optimizer_state, Xs, Ys, weights, masks, rate = args

    def body(carry: tuple, batch: tuple) -> tuple:
        (p, s), (X, Y, w, D) = carry, batch
        p, s, loss = train_step(network, optimizer, p, s, X, Y, w, D, rate, with_loss=True, xp=xp)
        return (p, s), loss

    out: tuple[tuple, Array] = jax.lax.scan(
        body, (parameters, optimizer_state), (Xs, Ys, weights, masks)
    )
    (p, s), losses = out
    return p, s, losses


@functools.lru_cache(maxsize=32)
def scanned_steps(network: Any, optimizer: Any, xp: Any) -> Any:
    """``f(parameters, optimizer_state, Xs, Ys, weights, masks, rate) -> (parameters,
    optimizer_state, losses)``: :func:`train_step` over the batches stacked on a new
    first axis (Xs (k, ...), Ys (k, n_y, b), weights (k, 1, b) or None, each mask
    (k, ...)), compiled by ``jax.jit``; losses (k,) are each batch's m · J."""
    import jax

    return jax.jit(functools.partial(_epoch, network, optimizer, xp))


def run_scanned(
    fit: Any, state: Any, batches: list[tuple], rng: Any, rate: Any
) -> tuple[Array, int, list[tuple]]:
    """The leading batches of ``batches`` that share the first one's shape, in one scan:
    the sum of their m · J (None if fewer than two), their number, and the batches left
    for the caller to step through."""
    k = next((i for i, b in enumerate(batches) if b[0].shape != batches[0][0].shape), None)
    k = len(batches) if k is None else k
    if k < 2:
        return None, 0, batches
    network, xp = fit.config.network, fit.xp
    masks = [
        () if rng is None else network.draw_masks(rng, state.parameters, X.shape, xp=xp)
        for X, _, _ in batches[:k]
    ]
    Xs = xp.stack([X for X, _, _ in batches[:k]])
    Ys = xp.stack([Y for _, Y, _ in batches[:k]])
    weights = None if batches[0][2] is None else xp.stack([w for _, _, w in batches[:k]])
    stacked = tuple(xp.stack([m[i] for m in masks]) for i in range(len(masks[0])))
    scan = scanned_steps(network, fit.config.optimizer, xp)
    state.parameters, state.optimizer_state, losses = scan(
        state.parameters, state.optimizer_state, Xs, Ys, weights, stacked, rate
    )
    fit.last_batch = batches[k - 1]
    return xp.sum(losses), k, batches[k:]

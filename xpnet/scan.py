"""Several steps in one dispatch: a JAX scan of :func:`xpnet.step.train_step`.

Where the step compiles on JAX, ``TrainingConfig(scan=...)`` runs steps in one
``jax.lax.scan`` of the same step function, in two ways (True: both; False: neither;
``"auto"``, the default, reads ``XPNET_SCAN``, ``1``, ``0`` or ``auto``, and otherwise
scans the full batch only):

- **mini-batches**: in each epoch the leading batches of one shape (all but a shorter
  last one) are stacked and run by one scan, the shorter last batch by the compiled
  step (:func:`run_scanned`);
- **the full batch**: where every epoch is the same one batch (``batch_size`` None, or
  at least m, on arrays in memory), one scan runs many epochs, X and Y entering the
  program once and each epoch's rate and dropout masks stacked (:func:`run_epochs`).

The masks are drawn on the host before the scan, batch by batch in the epochs' order,
and each step's rate is the schedule's: a scan computes what the steps one by one do.

Granularity under a scan:

- mini-batches: the loss curve, the recorded costs, the stopping rule, validation and
  the callback are per epoch, as without the scan. Ctrl-C stops at the end of the scan
  under way: the state holds the last completed epoch, or the batches before the
  shorter last one.
- the full batch: every epoch's loss is in the loss curve and every ``cost_every``-th
  in the recorded costs, as without the scan; ``verbose`` prints each epoch's loss
  and the progress bar advances when its scan ends. A scan runs up to
  :data:`MAX_EPOCHS` epochs. A callback, a stopping rule on the training cost
  (``tol``) or validation data watch every epoch: those fits step one epoch a
  dispatch, so that a callback is called after every epoch, scanned or not. Ctrl-C
  stops at the end of the scan under way.
"""

from __future__ import annotations

import functools
import math
import os
from typing import Any

import numpy as np  # edge: host-side random draws for dropout
from array_api_compat import device

from ._checks import Options, check_param
from .compile_cache import enable_compile_cache
from .schedules import rate_in_epoch
from .step import train_step

__all__ = ["MAX_EPOCHS", "check_scan", "epochs_to_scan", "scanned_steps", "scans"]

Array = Any

#: The most full-batch epochs in one scan.
MAX_EPOCHS = 1000
#: The most bytes of stacked dropout masks one full-batch scan takes.
MAX_MASK_BYTES = 64 * 2**20


def check_scan(value: Any) -> bool | str:
    """``value`` as True, False or ``"auto"``, else the library's one refusal."""
    return check_param("scan", value, [Options("auto", True, False)])


def scans(setting: Any, library: str | None) -> tuple[bool, bool]:
    """Whether a fit whose step compiles with ``library`` (None: eager) scans
    (mini-batch epochs, full-batch epochs): only on JAX. True scans both, False
    neither, and ``"auto"`` reads ``XPNET_SCAN`` (``1``, ``0`` or ``auto``), else
    scans full-batch epochs only: on a CPU a scanned mini-batch epoch, its batches
    stacked first, costs what its compiled steps one by one cost."""
    setting = check_scan(setting)
    if setting == "auto":
        value = os.environ.get("XPNET_SCAN", "").strip().lower()
        if value not in ("", "auto", "1", "true", "0", "false"):
            raise ValueError(
                "Invalid XPNET_SCAN. Expected one of ['auto', '1', '0', 'true', 'false']. "
                f"Received: XPNET_SCAN={os.environ['XPNET_SCAN']!r}"
            )
        setting = "auto" if value in ("", "auto") else value in ("1", "true")
    if library != "jax" or setting is False:
        return False, False
    return setting is True, True


def _steps(
    network: Any, optimizer: Any, xp: Any, clip: tuple, same_batch: bool, *args: Any
) -> Any:
    import jax

    parameters, optimizer_state, X, Y, weights, masks, rates = args

    def body(carry: tuple, step: tuple) -> tuple:
        p, s = carry
        if same_batch:
            (D, rate), (Xb, Yb, wb) = step, (X, Y, weights)
        else:
            Xb, Yb, wb, D, rate = step
        p, s, loss = train_step(
            network, optimizer, p, s, Xb, Yb, wb, D, rate, with_loss=True, xp=xp, clip=clip
        )
        return (p, s), loss

    steps = (masks, rates) if same_batch else (X, Y, weights, masks, rates)
    out: tuple[tuple, Array] = jax.lax.scan(body, (parameters, optimizer_state), steps)
    (p, s), losses = out
    return p, s, losses


@functools.lru_cache(maxsize=32)
def scanned_steps(
    network: Any, optimizer: Any, xp: Any, clip: tuple = (None, None), same_batch: bool = False
) -> Any:
    """``f(parameters, optimizer_state, X, Y, weights, masks, rates) -> (parameters,
    optimizer_state, losses)``: k steps of :func:`train_step` in one ``jax.lax.scan``,
    compiled by ``jax.jit``, with ``clip`` (clip_value, clip_norm) as the step's.

    rates (k,) are the steps' α and each of ``masks`` (k, ...) their dropout masks.
    X (k, ...), Y (k, n_y, b) and weights (k, 1, b) or None hold the k batches stacked
    on a new first axis; with ``same_batch`` they are the one batch every step takes.
    losses (k,) are each step's m · J."""
    import jax

    enable_compile_cache("jax")  # a later process loads what this one compiles
    return jax.jit(functools.partial(_steps, network, optimizer, xp, clip, same_batch))


def _rates(fit: Any, values: list[float]) -> Array:
    """The steps' rates (k,) in the parameters' dtype, on their device."""
    return fit.xp.asarray(values, dtype=fit.like.dtype, device=device(fit.like))


def run_scanned(
    fit: Any, state: Any, batches: list[tuple], rng: Any, rate: float
) -> tuple[Array, int, list[tuple]]:
    """The leading batches of ``batches`` that share the first one's shape, in one scan
    at rate ``rate``: the sum of their m · J (None if fewer than two), their number,
    and the batches left for the caller to step through."""
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
    scan = scanned_steps(network, fit.config.optimizer, xp, fit.config.clip)
    state.parameters, state.optimizer_state, losses = scan(
        state.parameters, state.optimizer_state, Xs, Ys, weights, stacked, _rates(fit, [rate] * k)
    )
    fit.last_batch = batches[k - 1]
    return xp.sum(losses), k, batches[k:]


def epochs_to_scan(epoch: int, last: int) -> int:
    """How many full-batch epochs from ``epoch`` (``last`` excluded) one scan runs: up
    to :data:`MAX_EPOCHS`."""
    return min(last - epoch, MAX_EPOCHS)


def run_epochs(fit: Any, state: Any, epoch: int, k: int) -> tuple[Array, int]:
    """Full-batch epochs from ``epoch`` in one scan, k of them or fewer where dropout's
    stacked masks would pass :data:`MAX_MASK_BYTES`: their losses (m · J each, on the
    device) and their number. The state advances by the steps."""
    network, xp = fit.config.network, fit.xp
    X, Y, weights = fit.full_batch
    masks: tuple = ()
    if fit.dropout:  # each epoch's masks as its own step draws them
        draws: list[tuple] = []
        for e in range(epoch, epoch + k):
            rng = np.random.RandomState([state.seed % 2**32, e])
            draws.append(network.draw_masks(rng, state.parameters, X.shape, xp=xp))
            size = sum(math.prod(D.shape) * xp.finfo(D.dtype).bits // 8 for D in draws[0])
            if (len(draws) + 1) * size > MAX_MASK_BYTES:
                break
        k = len(draws)
        masks = tuple(xp.stack([d[i] for d in draws]) for i in range(len(draws[0])))
    rates = [
        rate_in_epoch(fit.schedule, fit.config.learning_rate, e) for e in range(epoch, epoch + k)
    ]
    fit.rate = rates[-1]
    scan = scanned_steps(network, fit.config.optimizer, xp, fit.config.clip, same_batch=True)
    state.parameters, state.optimizer_state, losses = scan(
        state.parameters, state.optimizer_state, X, Y, weights, masks, _rates(fit, rates)
    )
    fit.last_batch = fit.full_batch
    return losses, k

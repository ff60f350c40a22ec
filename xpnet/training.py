"""The one training loop: batches → step → optimiser → cost records, and what watches them.

:func:`train` runs epochs of a :class:`~xpnet.network.Network` on data in the course's
convention (X of shape (n_x, m), Y of shape (n_y, m)), from a :class:`TrainingState`
that it advances and returns: the parameters, the optimiser's state, the epoch count,
the recorded costs and validation scores, and the stopping rule's counters. The
estimators train through it, and so can a script written in the course's convention.

Every epoch's training loss is computed (the loss curve), but nothing leaves the device
inside the loop except the costs it records (one float per recorded epoch, plus one per
epoch while a stopping rule or ``verbose`` watches the loss, or when an epoch took
several steps) and the validation scores; the other epochs' losses are read in one go
when the run ends.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np  # edge: host-side random draws for dropout
from array_api_compat import device

from .backend import to_numpy
from .exceptions import TrainingInterrupted
from .network import Network
from .progress import progress_bar
from .schedules import learning_rate_at
from .sources import DataSource, InMemory
from .step import compiled_step, resolve
from .watch import check_finite, check_trained, watch

__all__ = [
    "DataSource",
    "Epoch",
    "InMemory",
    "TrainingConfig",
    "TrainingState",
    "run",
    "train",
]

Array = Any


@dataclass(frozen=True)
class TrainingConfig:
    """How to train: the network, the optimiser, the rate and its decay, the batches,
    how often to record the cost, and the stopping rule (scikit-learn's semantics).

    ``tol`` None switches the stopping rule off (the course trains a fixed number of
    epochs); otherwise training stops once the training cost (or, with validation
    data, the validation score) has failed to improve by ``tol`` for more than
    ``n_iter_no_change`` consecutive epochs.

    ``n_iter_no_change`` may be ``math.inf``: never stop on a lack of improvement.

    ``jit_compile`` compiles the step (:mod:`xpnet.step`): True, False, or ``"auto"``,
    which reads ``XPNET_COMPILE`` and otherwise compiles on JAX only.

    ``score`` names the validation score (:data:`xpnet.watch.SCORES`): ``"accuracy"``
    for a classifier, ``"r2"`` for a regressor.
    """

    network: Network
    optimizer: Any
    learning_rate: float
    lr_decay: str | None = None
    decay_rate: float | None = None
    time_interval: int = 1000
    batch_size: int | None = None
    shuffle: bool = True
    cost_every: int = 1
    tol: float | None = None
    n_iter_no_change: float = 10
    jit_compile: bool | str = "auto"
    score: str = "accuracy"


@dataclass
class TrainingState:
    """Everything that a resumed run needs to continue exactly as an uninterrupted one.

    ``epoch`` counts every epoch trained, over all runs (it seeds the shuffles and
    drives the rate's decay), and ``samples_seen`` the examples they visited;
    ``loss_curve`` holds each epoch's training loss, of the last run only.
    """

    parameters: dict[str, Array]
    optimizer_state: dict[str, Any]
    seed: int = 0
    epoch: int = 0
    samples_seen: int = 0
    loss_curve: list[float] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    cost_epochs: list[int] = field(default_factory=list)
    validation_scores: list[float] = field(default_factory=list)
    best_loss: float = math.inf
    best_score: float = -math.inf
    best_parameters: dict[str, Array] | None = None
    no_improvement: int = 0
    stopped: str | None = None


@dataclass(frozen=True)
class Epoch:
    """What a callback receives after each epoch; it stops training by returning True
    (True itself: ``lambda e: e.epoch % 100 or print(e.cost)`` does not stop it).

    ``cost`` is None in epochs whose cost was not computed (see ``cost_every``), and
    ``validation_score`` None without validation data.
    """

    model: Any
    epoch: int
    cost: float | None
    validation_score: float | None
    parameters: dict[str, Array]


def _rate(config: TrainingConfig, epoch: int) -> float:
    return learning_rate_at(
        epoch,
        config.learning_rate,
        config.lr_decay,
        decay_rate=config.decay_rate,
        time_interval=config.time_interval,
    )


def train(
    config: TrainingConfig,
    state: TrainingState,
    X: Array,
    Y: Array,
    /,
    *,
    weights: Array | None = None,
    xp: Any,
    **options: Any,
) -> TrainingState:
    """:func:`run` on arrays in the course's convention: X of shape (n_x, m), Y (n_y, m).

    ``weights`` of shape (1, m) count an example of weight 2 as two copies of it; the
    other keywords (``epochs``, ``validation``, ``callback``, ...) are :func:`run`'s.
    """
    return run(config, state, InMemory(X, Y, weights, xp), xp=xp, **options)


def run(
    config: TrainingConfig,
    state: TrainingState,
    source: DataSource,
    /,
    *,
    epochs: int,
    validation: tuple[Array, Array, Array | None] | None = None,
    callback: Callable[[Epoch], Any] | None = None,
    model: Any = None,
    progress: bool = False,
    verbose: bool = False,
    desc: str = "",
    xp: Any,
) -> TrainingState:
    """Run ``epochs`` epochs from ``state`` over a data source; return the state advanced.

    Parameters
    ----------
    config : TrainingConfig
    state : TrainingState
        Advanced in place, step by step: if training is interrupted (Ctrl-C), it holds
        the last completed step.
    source : DataSource
        Where the batches come from: :class:`InMemory`, the blocks of Dask arrays
        (:class:`xpnet.dask_arrays.BlockSource`), or a source of your own.
    epochs : int
    validation : (X_val, truth, weights), optional
        Columns of held-out data (n_x, m_val), what they should give (class indices
        (m_val,) for ``score="accuracy"``, targets (n_y, m_val) for ``"r2"``) and their
        weights (1, m_val) or None: the score is recorded each epoch, the stopping rule
        watches it, and the best parameters are restored.
    callback : callable, optional
        Called with an :class:`Epoch` after each epoch; returning True (itself, not any
        truthy value) stops training.
    model : object, optional
        Passed to the callback as ``Epoch.model``.
    progress : bool
        Show a progress bar over the epochs.
    verbose : bool
        Print each epoch's loss (and validation score) as scikit-learn does:
        ``Iteration 1, loss = 0.69314718``.
    xp : namespace
        The parameters' array namespace.

    Raises
    ------
    DivergenceError
        When an epoch's loss, or the loss of the last batch after training, is NaN or
        infinite: training diverged.
    """
    network, optimizer = config.network, config.optimizer
    total_weight = source.total_weight
    dropout = any(getattr(layer, "keep_prob", 1) < 1 for layer in network.layers)
    watch_cost = (config.tol is not None and validation is None) or verbose
    constant_rate = config.lr_decay is None
    rate = config.learning_rate
    library = resolve(config.jit_compile, xp, in_memory=source.in_memory)
    step = None if library is None else compiled_step(network, optimizer, library, xp)
    strict = config.jit_compile is True
    counters: list[str] = []
    like = next(iter(state.parameters.values()))
    if step is not None:  # Adam's t enters the compiled step as a 0-d array
        state.optimizer_state, counters = step.enter(state.optimizer_state, like)
    state.loss_curve = []
    pending: dict[int, Array] = {}  # epoch of this run → its loss, still on the device
    with (
        progress_bar(epochs, enabled=progress, desc=desc, unit="epoch") as bar,
        warnings.catch_warnings(),
    ):
        # A diverging run is reported once, as a DivergenceError error, not as warnings.
        warnings.filterwarnings(
            "ignore", r"(overflow|invalid value|divide by zero) encountered", RuntimeWarning
        )
        try:
            for epoch in range(state.epoch, state.epoch + epochs):
                record = epoch % config.cost_every == 0
                rate = config.learning_rate if constant_rate else _rate(config, epoch)
                rng = np.random.RandomState([state.seed % 2**32, epoch]) if dropout else None
                if step is not None:  # a 0-d array: a decaying rate does not recompile
                    alpha = xp.asarray(rate, dtype=like.dtype, device=device(like))
                total: Array = None
                steps = 0
                for batch in source.batches(config, state.seed, epoch):
                    if step is None:
                        grads, loss = source.gradients(
                            network, batch, state.parameters, rng=rng, with_loss=True
                        )
                        state.parameters, state.optimizer_state = optimizer.update(
                            state.parameters, grads, state.optimizer_state, rate, xp=xp
                        )
                    else:
                        X, Y, weights = batch
                        masks = (
                            network.draw_masks(rng, state.parameters, tuple(X.shape), xp=xp)
                            if dropout
                            else ()
                        )
                        state.parameters, state.optimizer_state, loss = step(
                            state.parameters,
                            state.optimizer_state,
                            X,
                            Y,
                            weights,
                            masks,
                            alpha,
                            with_loss=True,  # every epoch's loss: the loss curve
                            strict=strict,
                        )
                    steps += 1
                    if loss is not None:
                        total = loss if total is None else total + loss
                state.epoch = epoch + 1
                state.samples_seen += source.m
                cost = None
                if record or watch_cost or steps > 1:  # one sync for many steps: cheap
                    cost = check_finite(float(total) / total_weight, epoch, rate)
                    state.loss_curve.append(cost)
                else:  # read with the others when the run ends
                    pending[len(state.loss_curve)] = total
                    state.loss_curve.append(math.nan)
                if verbose and cost is not None:
                    print(f"Iteration {len(state.loss_curve)}, loss = {cost:.8f}", file=sys.stdout)
                if record and cost is not None:
                    state.costs.append(cost)
                    state.cost_epochs.append(epoch)
                    bar.set_postfix(cost=f"{cost:.6f}", refresh=False)
                score = None
                if validation is not None or cost is not None:
                    score = watch(config, state, cost, validation, xp)
                if score is not None:
                    bar.set_postfix(cost=f"{cost:.6f}" if cost else "-", score=f"{score:.4f}")
                    if verbose:
                        print(f"Validation score: {score:f}", file=sys.stdout)
                bar.update(1)
                if callback is not None:
                    event = Epoch(model, epoch, cost, score, state.parameters)
                    if callback(event) is True:
                        state.stopped = "callback"
                if state.stopped:
                    break
        except KeyboardInterrupt:
            warnings.warn(
                f"Training interrupted by the user after {state.epoch} epochs; the model "
                "keeps its last completed step",
                TrainingInterrupted,
                stacklevel=2,
            )
            state.stopped = "interrupted"
        finally:
            if step is not None and counters:
                state.optimizer_state = step.leave(state.optimizer_state, counters)
            _read_losses(state, pending, total_weight, xp)
        if state.stopped != "interrupted" and epochs:  # whatever was recorded, the last update too
            _check_curve(state, rate)
            last = batch if source.in_memory else None
            check_trained(network, last, state, rate, xp)
        if validation is None and state.loss_curve:  # scikit-learn's best_loss_
            state.best_loss = min(state.best_loss, min(state.loss_curve))
    if validation is not None and state.best_parameters is not None:
        state.parameters = state.best_parameters
    return state


def _read_losses(
    state: TrainingState, pending: dict[int, Array], total_weight: float, xp: Any
) -> None:
    """The losses left on the device, read into the loss curve in one host read."""
    if pending:
        values = xp.stack([xp.reshape(v, ()) for v in pending.values()])
        for i, value in zip(pending, to_numpy(values).tolist(), strict=True):
            state.loss_curve[i] = value / total_weight


def _check_curve(state: TrainingState, rate: float) -> None:
    """Training diverged if an epoch's loss is NaN or infinite: name the first one."""
    for i, value in enumerate(state.loss_curve):
        if not math.isfinite(value):
            check_finite(value, state.epoch - len(state.loss_curve) + i, rate)

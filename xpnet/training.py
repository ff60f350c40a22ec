"""The one training loop: epochs of steps, each step :func:`xpnet.step.train_step`.

:func:`train` runs epochs of a :class:`~xpnet.network.Network` on arrays in the
network's layout (X of shape (n_x, m) for dense layers, Y of shape (n_y, m)), and
:func:`run` on any :class:`~xpnet.sources.DataSource`, from a :class:`TrainingState`
that they advance and return: the parameters, the optimiser's state, the epoch count,
the recorded costs and validation scores, and the stopping rule's counters. The
estimators train through it, and so can a script written in the course's convention.

An epoch (:func:`_epoch`) draws each batch's dropout masks and runs the step on it;
after it, the loop records the cost, scores the validation data, applies the stopping
rule (:func:`xpnet.state.early_stopping`) and calls the callback. Compiled on JAX, each
step of an unweighted mini-batch epoch in memory gathers its own batch
(:func:`_gathered`), and a
full-batch fit runs many epochs in one scan (:func:`_epochs`, :mod:`xpnet.scan`) and
records each of them as a step would. Every epoch's training
loss is computed (the loss curve), but nothing leaves the device inside the loop except
the costs it records (one float per recorded epoch, plus one per epoch while a stopping
rule or ``verbose`` watches the loss, or when an epoch took several steps) and the
validation scores; the other epochs' losses are read in one go when the run ends.
"""

from __future__ import annotations

import contextlib
import functools
import math
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np  # edge: host-side random draws for dropout

from .backend import to_numpy
from .compiled import compiled_step, compiler_for
from .divergence import check_curve, check_finite, check_trained
from .exceptions import TrainingInterrupted
from .layers import Dropout
from .optimizers import owned
from .progress import progress_bar
from .scan import epochs_to_scan, run_epochs, run_scanned, scans
from .schedules import get_schedule, rate_in_epoch
from .scores import SCORES
from .sources import DataSource, InMemory
from .state import Epoch, TrainingConfig, TrainingState, early_stopping
from .step import train_step

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
    """:func:`run` on arrays: X in the network's layout (its examples on the network's
    ``sample_axis``: (n_x, m) for dense layers), Y of shape (n_y, m).

    ``weights`` of shape (1, m) count an example of weight 2 as two copies of it; the
    other keywords (``epochs``, ``validation``, ``callback``, ...) are :func:`run`'s.
    """
    return run(config, state, InMemory(X, Y, weights, xp), xp=xp, **options)


class _Fit:
    """What stays fixed over one run: the step (compiled or not), the schedule, whether
    dropout draws masks, and the losses not yet read from the device."""

    def __init__(self, config: TrainingConfig, state: TrainingState, source: Any, xp: Any):
        network, optimizer = config.network, config.optimizer
        self.config, self.source, self.xp = config, source, xp
        self.dropout = any(isinstance(layer, Dropout) for layer in network.layers)
        self.schedule = get_schedule(
            config.lr_decay, decay_rate=config.decay_rate, time_interval=config.time_interval
        )
        self.like = next(iter(state.parameters.values()))
        library = compiler_for(config.jit_compile, xp, in_memory=source.in_memory)
        clip = (config.clip,) if config.clip != (None, None) else ()  # one cache key unclipped
        self.compiled = (
            None if library is None else compiled_step(network, optimizer, library, xp, *clip)
        )
        self.counters: list[str] = []
        self.scan, full = scans(config.scan, library)
        # Every epoch the same one batch: a scan runs many epochs (xpnet.scan).
        one = full and isinstance(source, InMemory) and source.full_batch(config)
        self.full_batch = one or None
        self.scanned = False  # a full-batch scan has run: it compiles
        if self.compiled is None:  # eager: the update writes into arrays this run owns
            state.parameters = owned(state.parameters)
            state.optimizer_state = owned(state.optimizer_state)
            self.step: Callable[..., Any] = functools.partial(
                train_step, network, optimizer, with_loss=True, xp=xp,
                gradients=source.batch_gradients, in_place=True, clip=config.clip,
            )  # fmt: skip
        else:  # Adam's t enters the compiled step as a 0-d array
            state.optimizer_state, self.counters = self.compiled.enter(
                state.optimizer_state, self.like
            )
            strict = config.jit_compile is True
            self.step = functools.partial(self.compiled, with_loss=True, strict=strict)
        # A compiled JAX step gathers its own batch from the data, by the epoch's order:
        # unweighted (with sample weights, XLA may sum a batch's loss in another order).
        self.gathers = (
            self.compiled is not None and self.compiled.indexes and not self.scan
            and isinstance(source, InMemory) and source.weights is None
        )  # fmt: skip
        # The arrays of the state are held elsewhere too (the model's, a callback's, the
        # best ones): copied before a gathering step consumes them.
        self.shared = True
        self.pending: dict[int, Array] = {}  # epoch of this run → its loss, on the device
        self._last: Any = None
        self._cut: tuple | None = None  # (order, slice) of the last batch, not yet gathered
        self.rate = config.learning_rate
        self.rate_array: Array = None  # the compiled step's α, while it stays the same
        self.interrupted = False  # Ctrl-C pressed during a step, honoured after it

    @contextlib.contextmanager
    def steps_whole(self) -> Iterator[None]:
        """Ctrl-C waits for the step under way to finish: a step that writes into the
        parameters is never left half done. Only Python's own SIGINT handler, in the
        main thread, is replaced; any other is left as it is."""
        if (
            threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        ):
            yield
            return

        def defer(signum: int, frame: Any) -> None:
            self.interrupted = True

        signal.signal(signal.SIGINT, defer)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def rate_at(self, epoch: int) -> Any:
        """α of ``epoch`` (α0 first, then the schedule's), a 0-d array for a compiled
        step: a decaying rate does not recompile."""
        rate = rate_in_epoch(self.schedule, self.config.learning_rate, epoch)
        if self.compiled is None:
            self.rate = rate
            return rate
        if rate != self.rate or self.rate_array is None:  # one transfer per new rate
            self.rate_array = self.compiled.scalar(rate, self.like)
        self.rate = rate
        return self.rate_array

    @property
    def last_batch(self) -> Any:
        """The last batch stepped through (X, Y, weights), gathered when first asked."""
        if self._cut is not None:
            self._last, self._cut = self.source.batch(self.config, *self._cut), None
        return self._last

    @last_batch.setter
    def last_batch(self, batch: Any) -> None:
        self._last, self._cut = batch, None

    def sound(self, state: TrainingState) -> bool:
        """Whether the state after the last step, which gathered its own batch, is sound
        as :func:`~xpnet.divergence.check_trained` judges it, in one compiled program;
        False where it is not, or where that batch was not gathered by the step: then
        ``check_trained`` checks (and says what is wrong)."""
        if self._cut is None or self.compiled is None:
            return False
        source = self.source
        return self.compiled.sound(
            state.parameters, state.optimizer_state, (source.X, source.Y, source.weights),
            *self._cut, axis=source.axis(self.config), rows=source.rows,
        )  # fmt: skip

    def cut_last(self, order: Array | None, s: slice) -> None:
        """The last batch is slice ``s`` of ``order``: gathered only if asked for."""
        self._last, self._cut = None, (order, s)

    def leave(self, state: TrainingState) -> None:
        """The optimiser's counters back as ints, and the losses left on the device read
        into the loss curve in one host read."""
        if self.compiled is not None and self.counters:
            state.optimizer_state = self.compiled.leave(state.optimizer_state, self.counters)
        if self.pending:
            xp, total_weight = self.xp, self.source.total_weight
            values = xp.stack([xp.reshape(v, ()) for v in self.pending.values()])
            for i, value in zip(self.pending, to_numpy(values).tolist(), strict=True):
                state.loss_curve[i] = value / total_weight


def _step(
    fit: _Fit, state: TrainingState, batch: Any, rng: Any, rate: Any, masks: tuple | None = None
) -> Array:
    """One step on ``batch``: its dropout masks drawn (unless given), then
    :func:`train_step`; m · J."""
    X, Y, weights = batch
    network, xp = fit.config.network, fit.xp
    if masks is None:
        masks = () if rng is None else network.draw_masks(rng, state.parameters, X.shape, xp=xp)
    state.parameters, state.optimizer_state, loss = fit.step(
        state.parameters, state.optimizer_state, X, Y, weights, masks, rate
    )
    return loss


def _gathered(
    fit: _Fit, state: TrainingState, order: Any, slices: list[slice], rng: Any, rate: Any
) -> tuple[Array, int, Array | None]:
    """The epoch's steps, each gathering its batch (:meth:`CompiledStep.indexed
    <xpnet.compiled.CompiledStep.indexed>`) by the host ``order`` (None: the data's), and
    adding its m · J to the total: the total, the number of steps taken (fewer than the
    slices where the program did not compile: the caller steps through the rest) and
    the order on the data's device."""
    source, config, xp = fit.source, fit.config, fit.xp
    network, compiled = config.network, fit.compiled
    assert compiled is not None
    order = None if order is None else compiled.moved(order, source.X)  # moved once
    data = (source.X, source.Y, source.weights)
    axis = source.axis(config)
    total = compiled.scalar(0.0, fit.like)
    if fit.shared:  # the steps consume the state's arrays: this run's own copies
        state.parameters, state.optimizer_state = compiled.own(
            state.parameters, state.optimizer_state
        )
        fit.shared = False
    for steps, s in enumerate(slices):
        shape = source.batch_shape(config, s)
        masks = () if rng is None else network.draw_masks(rng, state.parameters, shape, xp=xp)
        out = compiled.indexed(
            state.parameters, state.optimizer_state, data, order, s, total, masks, rate,
            axis=axis, rows=source.rows,
        )  # fmt: skip
        if out is None:  # not compiled: this batch, with its masks, and the rest step
            fit.gathers = False
            batch = source.batch(config, order, s)
            total = total + _step(fit, state, batch, None, rate, masks)
            fit.last_batch = batch
            return total, steps + 1, order
        state.parameters, state.optimizer_state, total = out
        fit.cut_last(order, s)
        if fit.interrupted:  # Ctrl-C during the step, which is now complete
            raise KeyboardInterrupt
    return total, len(slices), order


def _epoch(fit: _Fit, state: TrainingState, epoch: int, watch_cost: bool) -> float | None:
    """One epoch over the source's batches; its cost (m · J over the total weight),
    read now if ``watch_cost``, recorded or the epoch took several steps, else None."""
    config, seed = fit.config, state.seed
    rate = fit.rate_at(epoch)
    rng = np.random.RandomState([seed % 2**32, epoch]) if fit.dropout else None
    total: Array = None
    steps = 0
    order, slices = fit.source.positions(config, seed, epoch) if fit.gathers else (None, [])
    if len(slices) > 1:  # each step gathers its batch from the data
        total, steps, order = _gathered(fit, state, order, slices, rng, rate)
        batches: Any = (fit.source.batch(config, order, s) for s in slices[steps:])
    else:
        batches = fit.source.batches(config, seed, epoch)
    if fit.scan:  # the leading batches of one shape in one dispatch (xpnet.scan)
        total, steps, batches = run_scanned(fit, state, list(batches), rng, fit.rate)
    for batch in batches:
        loss = _step(fit, state, batch, rng, rate)
        total = loss if total is None else total + loss
        steps += 1
        fit.last_batch = batch
        if fit.interrupted:  # Ctrl-C during the step, which is now complete
            raise KeyboardInterrupt
    state.epoch = epoch + 1
    state.samples_seen += fit.source.m
    if epoch % config.cost_every == 0 or watch_cost or steps > 1:  # one sync, many steps
        cost = check_finite(float(total) / fit.source.total_weight, epoch, fit.rate)
        state.loss_curve.append(cost)
        return cost
    fit.pending[len(state.loss_curve)] = total  # read with the others when the run ends
    state.loss_curve.append(math.nan)
    return None


def _epochs(
    fit: _Fit, state: TrainingState, epoch: int, k: int, watch_cost: bool, bar: Any, verbose: bool
) -> tuple[float | None, None, int] | None:
    """Up to k full-batch epochs from ``epoch`` in one scan (:func:`xpnet.scan.run_epochs`),
    each recorded as its own step records it, the losses read in one host read: the last
    one's cost (None where it is not recorded), its validation score (None) and its
    number. None where the first scan does not compile and ``jit_compile`` is not True:
    the fit then steps, as the compiled step decides for itself."""
    try:
        losses, k = run_epochs(fit, state, epoch, k)
    except Exception:  # nothing was written: the state is as it was
        if fit.scanned or fit.config.jit_compile is True:
            raise
        fit.full_batch = None
        return None
    fit.scanned = True
    cost = None
    for i, loss in enumerate(to_numpy(losses).tolist()):
        state.epoch, e = epoch + i + 1, epoch + i
        state.samples_seen += fit.source.m
        value = check_finite(loss / fit.source.total_weight, e, fit.rate)
        state.loss_curve.append(value)
        cost = value if e % fit.config.cost_every == 0 or watch_cost else None
        _after_epoch(fit, state, e, cost, None, bar, verbose)
    if fit.interrupted:  # Ctrl-C during the scan, which is now complete
        raise KeyboardInterrupt
    return cost, None, epoch + k - 1


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
        (:class:`xpnet.dask_blocks.BlockSource`), or a source of your own.
    epochs : int
    validation : (X_val, truth, weights), optional
        Held-out data in the network's layout, what it should give (class indices
        (m_val,) for ``score="accuracy"``, targets (n_y, m_val) for ``"r2"``) and its
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
    order = list(state.parameters)  # a compiled step returns its dicts' keys sorted
    fit = _Fit(config, state, source, xp)
    watch_cost = (config.tol is not None and validation is None) or verbose
    state.loss_curve = []
    with (
        progress_bar(epochs, enabled=progress, desc=desc, unit="epoch") as bar,
        warnings.catch_warnings(),
        fit.steps_whole(),
    ):
        # A diverging run is reported once, as a DivergenceError error, not as warnings.
        warnings.filterwarnings(
            "ignore", r"(overflow|invalid value|divide by zero) encountered", RuntimeWarning
        )
        try:
            epoch, end = state.epoch, state.epoch + epochs
            # Full-batch epochs scanned many a dispatch where nothing watches each one.
            scanned = fit.full_batch is not None and validation is None and config.tol is None
            scanned = scanned and callback is None  # a callback sees every epoch
            while epoch < end:
                scanned = scanned and fit.full_batch is not None
                k = epochs_to_scan(epoch, end) if scanned else 1
                scan = _epochs(fit, state, epoch, k, watch_cost, bar, verbose) if k > 1 else None
                if scan is not None:
                    cost, score, epoch = scan
                else:
                    cost = _epoch(fit, state, epoch, watch_cost)
                    score = _after_epoch(fit, state, epoch, cost, validation, bar, verbose)
                if callback is not None:
                    # a copy: the next step writes into the parameters
                    event = Epoch(model, epoch, cost, score, owned(state.parameters))
                    if callback(event) is True:
                        state.stopped = "callback"
                # the callback's copy, or the best parameters, may be the arrays themselves
                fit.shared = fit.shared or callback is not None or validation is not None
                if state.stopped:
                    break
                epoch += 1
        except KeyboardInterrupt:
            warnings.warn(
                f"Training interrupted by the user after {state.epoch} epochs; the model "
                "keeps its last completed step",
                TrainingInterrupted,
                stacklevel=2,
            )
            state.stopped = "interrupted"
        finally:
            fit.leave(state)
        if state.stopped != "interrupted" and epochs:  # whatever was recorded, the last update too
            check_curve(state, fit.rate)
            if not fit.sound(state):  # one program where the last step gathered its batch
                last = fit.last_batch if source.in_memory else None
                check_trained(config.network, last, state, fit.rate, xp)
        if validation is None and state.loss_curve:  # scikit-learn's best_loss_
            state.best_loss = min(state.best_loss, min(state.loss_curve))
    if validation is not None and state.best_parameters is not None:
        state.parameters = state.best_parameters
    state.parameters = {name: state.parameters[name] for name in order}  # the course's order
    return state


def _after_epoch(
    fit: _Fit,
    state: TrainingState,
    epoch: int,
    cost: float | None,
    validation: tuple[Array, Array, Array | None] | None,
    bar: Any,
    verbose: bool,
) -> float | None:
    """The epoch's cost recorded and printed, the validation data scored, and the
    stopping rule applied; the validation score, or None without validation data."""
    config = fit.config
    if verbose and cost is not None:
        print(f"Iteration {len(state.loss_curve)}, loss = {cost:.8f}", file=sys.stdout)
    if epoch % config.cost_every == 0 and cost is not None:
        state.costs.append(cost)
        state.cost_epochs.append(epoch)
        bar.set_postfix(cost=f"{cost:.6f}", refresh=False)
    score = None
    if validation is not None:
        X, truth, weights = validation
        score = SCORES[config.score](
            config.network, X, truth, state.parameters, weights, xp=fit.xp
        )
    if validation is not None or cost is not None:
        early_stopping(config, state, cost, score)
    if score is not None:
        bar.set_postfix(cost=f"{cost:.6f}" if cost else "-", score=f"{score:.4f}")
        if verbose:
            print(f"Validation score: {score:f}", file=sys.stdout)
    if verbose and state.stopped == "converged":  # scikit-learn's words
        what = "Validation score" if validation is not None else "Training loss"
        print(
            f"{what} did not improve more than tol={config.tol:f} for "
            f"{config.n_iter_no_change} consecutive epochs. Stopping.",
            file=sys.stdout,
        )
    bar.update(1)
    return score

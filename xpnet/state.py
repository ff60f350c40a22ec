"""What a training run is given and what it carries: the configuration, the state, and
the stopping rule that reads and advances the state.

These types sit below every module of the engine (:mod:`xpnet.sources`,
:mod:`xpnet.training`, :mod:`xpnet.dask_arrays`) and import none of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .clipping import check_threshold
from .network import Network
from .optimizers import owned

__all__ = ["Epoch", "TrainingConfig", "TrainingState", "early_stopping"]

Array = Any


@dataclass(frozen=True)
class TrainingConfig:
    """How to train: the network, the optimiser, the rate and its decay, the batches,
    how often to record the cost, and the stopping rule (scikit-learn's semantics).

    ``batch_size`` is an int, None (the full batch) or ``"auto"``, which the data
    source resolves: min(200, m) examples in memory, one block a step on Dask arrays.

    ``tol`` None switches the stopping rule off (the course trains a fixed number of
    epochs); otherwise training stops once the training cost (or, with validation
    data, the validation score) has failed to improve by ``tol`` for more than
    ``n_iter_no_change`` consecutive epochs.

    ``n_iter_no_change`` may be ``math.inf``: never stop on a lack of improvement.

    ``jit_compile`` compiles the step (:mod:`xpnet.compiled`): True, False, or ``"auto"``,
    which reads ``XPNET_COMPILE`` and otherwise compiles on JAX only.

    ``scan`` runs several steps in one dispatch where the step compiles on JAX
    (:mod:`xpnet.scan`): True, False, or ``"auto"`` (the default), which reads
    ``XPNET_SCAN`` (``1``, ``0`` or ``auto``) and otherwise scans full-batch fits only
    (on a CPU a scanned mini-batch epoch gains nothing on its steps). With mini-batches,
    each epoch's equal-sized batches run as one scan, the shorter last batch as a step;
    the loss curve, the recorded costs, the stopping rule, validation and the callback
    stay per epoch. With the full batch (every epoch the same batch), one scan runs
    many epochs: every epoch's loss is in the loss curve and every ``cost_every``-th in
    the costs, as stepped; a callback, a stopping rule (``tol``) or validation data
    make each epoch a dispatch of its own, so that a callback sees every epoch. Ctrl-C stops at
    the end of the scan under way. A scan computes what the steps one by one compute.

    ``score`` names the validation score (:data:`xpnet.scores.SCORES`): ``"accuracy"``
    for a classifier, ``"r2"`` for a regressor.

    ``clip_value`` and ``clip_norm`` clip each step's gradients before the optimiser's
    update (:func:`xpnet.clipping.clip_gradients`): every element to ±clip_value, then
    all of them together scaled by min(1, clip_norm / (‖g‖ + 10⁻⁶)), ``torch.nn.utils.
    clip_grad_norm_``'s rule; None (the default) leaves them as they are.
    """

    network: Network
    optimizer: Any
    learning_rate: float
    lr_decay: str | None = None
    decay_rate: float | None = None
    time_interval: int = 1000
    batch_size: int | str | None = None
    shuffle: bool = True
    cost_every: int = 1
    tol: float | None = None
    n_iter_no_change: float = 10
    jit_compile: bool | str = "auto"
    score: str = "accuracy"
    scan: bool | str = "auto"
    clip_value: float | None = None
    clip_norm: float | None = None

    def __post_init__(self) -> None:
        for name in ("clip_value", "clip_norm"):
            object.__setattr__(
                self, name, check_threshold(name, getattr(self, name), optional=True)
            )

    @property
    def clip(self) -> tuple[float | None, float | None]:
        """(clip_value, clip_norm), as the step takes them."""
        return self.clip_value, self.clip_norm


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


def early_stopping(
    config: TrainingConfig, state: TrainingState, cost: float | None, score: float | None
) -> None:
    """scikit-learn's stopping rule, on the validation ``score`` or else the training
    ``cost``: record it, keep the best, and set ``state.stopped = "converged"`` after
    more than ``n_iter_no_change`` epochs without an improvement of ``tol``."""
    tol = config.tol
    if score is not None:
        state.validation_scores.append(score)
        if tol is not None:
            worse = score < state.best_score + tol
            state.no_improvement = state.no_improvement + 1 if worse else 0
        if score > state.best_score:
            state.best_score = score  # a copy: an eager step writes into the parameters
            state.best_parameters = owned(state.parameters)
    elif cost is not None:
        if tol is not None:
            worse = cost > state.best_loss - tol
            state.no_improvement = state.no_improvement + 1 if worse else 0
        state.best_loss = min(state.best_loss, cost)
    if tol is not None and state.no_improvement > config.n_iter_no_change:
        state.stopped = "converged"

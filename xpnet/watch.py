"""What watches training: divergence, the stopping rule, and accuracy on held-out data.

:func:`xpnet.training.run` calls these between steps; each reads as little from the
device as it can (one float per recorded cost, one bool after training).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .batches import along
from .exceptions import DivergenceError
from .metrics import r2_score

if TYPE_CHECKING:
    from .network import Network
    from .training import TrainingConfig, TrainingState

__all__ = [
    "SCORES",
    "accuracy",
    "check_finite",
    "check_parameters",
    "check_trained",
    "r2",
    "watch",
]

Array = Any


def _mean(values: Array, weights: Array | None, xp: Any) -> Array:
    """The mean of ``values`` (…, m) over the examples, weighted by ``weights`` (1, m)."""
    if weights is None:
        return xp.mean(values, axis=-1)
    if values.ndim == 1:
        weights = xp.reshape(weights, (-1,))
    return xp.sum(values * weights, axis=-1) / xp.sum(weights)


def accuracy(
    network: Network,
    X: Array,
    labels: Array,
    parameters: dict[str, Array],
    weights: Array | None = None,
    *,
    xp: Any,
) -> float:
    """The (weighted) fraction of columns of X whose predicted class index equals
    ``labels`` (m,); for multilabel ``labels`` (K, m) of 0/1, whose every label does."""
    A = network.head.activation(network.forward(X, parameters, xp=xp)[0], xp=xp)
    if labels.ndim == 2:  # K independent sigmoids
        hits = xp.all(xp.astype(A > 0.5, labels.dtype) == labels, axis=0)
        return float(_mean(xp.astype(hits, A.dtype), weights, xp))
    predicted = xp.astype(A[0, :] > 0.5, labels.dtype) if A.shape[0] == 1 else xp.argmax(A, axis=0)
    return float(_mean(xp.astype(predicted == labels, A.dtype), weights, xp))


def r2(
    network: Network,
    X: Array,
    Y: Array,
    parameters: dict[str, Array],
    weights: Array | None = None,
    *,
    xp: Any,
) -> float:
    """:func:`xpnet.metrics.r2_score` of the network's outputs for the columns of X
    against the targets Y (n_y, m), weighted by ``weights`` (1, m)."""
    A = network.head.activation(network.forward(X, parameters, xp=xp)[0], xp=xp)
    w = None if weights is None else xp.reshape(weights, (-1,))
    return r2_score(Y.T, A.T, sample_weight=w)


#: Validation score name → function(network, X, truth, parameters, weights, xp=).
SCORES = {"accuracy": accuracy, "r2": r2}


def check_parameters(parameters: dict[str, Array], epoch: int, rate: float, xp: Any) -> None:
    """A DivergenceError (a FloatingPointError and a ValueError) if a parameter holds NaN or ±∞: the run diverged.

    A batch whose weights are all zero cannot cause it (its gradient is zero), nor can
    the data (checked before training): the step was too large.
    """
    for name, P in parameters.items():
        if not bool(xp.all(xp.isfinite(P))):
            raise DivergenceError(
                f"Training diverged: {name} holds NaN or infinite values after epoch "
                f"{epoch}. Try a smaller learning_rate (now {rate})"
            )


def check_trained(
    network: Network, batch: tuple | None, state: TrainingState, rate: float, xp: Any
) -> None:
    """After training, in one host read: is the cost of (up to 1024 examples of) the last
    batch finite, and so is the optimiser's state? Non-finite parameters make the cost
    NaN, and so do finite ones so large that the outputs or the cost overflow. Without a
    batch, the parameters are checked."""
    parameters, epoch = state.parameters, state.epoch - 1
    if batch is None:
        return check_parameters(parameters, epoch, rate, xp)
    X, Y, _ = batch
    n = min(1024, Y.shape[1])
    ZL = network.forward(X[along(network.sample_axis, slice(0, n))], parameters, xp=xp)[0]
    loss = network.loss_sum(ZL, Y[:, :n], parameters, xp=xp)
    moments = [
        v for m in state.optimizer_state.values() if isinstance(m, dict) for v in m.values()
    ]
    finite = xp.stack([xp.isfinite(loss), *(xp.all(xp.isfinite(v)) for v in moments)])
    if bool(xp.all(finite)):  # the one host read of a sound run
        return None
    if not bool(finite[0]):
        check_parameters(parameters, epoch, rate, xp)
        raise DivergenceError(
            f"Training diverged: after epoch {epoch} the parameters are so large that the "
            f"cost is {float(loss)}. Try a smaller learning_rate (now {rate})"
        )
    raise DivergenceError(
        f"Training overflowed: after epoch {epoch} the optimiser's running averages of the "
        "gradients (and their squares) left the float range. Expected inputs on a scale the "
        f"arithmetic can hold: standardise X, or try a smaller learning_rate (now {rate})"
    )


def check_finite(cost: float, epoch: int, rate: float) -> float:
    if not math.isfinite(cost):
        raise DivergenceError(
            f"Training diverged: the cost became {cost} at epoch {epoch}. Try a smaller "
            f"learning_rate (now {rate})"
        )
    return cost


def watch(
    config: TrainingConfig,
    state: TrainingState,
    cost: float | None,
    validation: tuple[Array, Array, Array | None] | None,
    xp: Any,
) -> float | None:
    """scikit-learn's stopping rule, on the validation score or else the training cost."""
    tol, score = config.tol, None
    if validation is not None:
        X, truth, weights = validation
        score = SCORES[config.score](config.network, X, truth, state.parameters, weights, xp=xp)
        state.validation_scores.append(score)
        if tol is not None:
            worse = score < state.best_score + tol
            state.no_improvement = state.no_improvement + 1 if worse else 0
        if score > state.best_score:
            state.best_score, state.best_parameters = score, state.parameters
    elif cost is not None:
        if tol is not None:
            worse = cost > state.best_loss - tol
            state.no_improvement = state.no_improvement + 1 if worse else 0
        state.best_loss = min(state.best_loss, cost)
    if tol is not None and state.no_improvement > config.n_iter_no_change:
        state.stopped = "converged"
    return score

"""Divergence: a run whose cost or parameters left the float range is stopped with a
:class:`~xpnet.exceptions.DivergenceError` that names the epoch and the rate.

Each check reads as little from the device as it can: one float per recorded cost,
one bool after training.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from .batches import along
from .exceptions import DivergenceError
from .network import Network
from .state import TrainingState

__all__ = ["check_curve", "check_finite", "check_parameters", "check_trained", "soundness"]

Array = Any

#: The other causes, where the rate is not the one: X, the weights or the start too large.
_OR_SCALE = ", or check that X, the sample weights and the initial weights are of moderate size"


def check_parameters(parameters: dict[str, Array], epoch: int, rate: float, xp: Any) -> None:
    """A DivergenceError (a FloatingPointError and a ValueError) if a parameter holds NaN or ±∞: the run diverged.

    A batch whose weights are all zero cannot cause it (its gradient is zero): the step
    was too large, or the data, the weights or the start were too large for it.
    """
    for name, P in parameters.items():
        if not bool(xp.all(xp.isfinite(P))):
            raise DivergenceError(
                f"Training diverged: {name} holds NaN or infinite values after epoch "
                f"{epoch}. Try a smaller learning_rate (now {rate}){_OR_SCALE}"
            )


def check_trained(
    network: Network, batch: tuple | None, state: TrainingState, rate: float, xp: Any
) -> None:
    """After training, in one host read: is the cost of (up to 1024 examples of) the last
    batch finite, and so is the optimiser's state? Non-finite parameters make the cost
    NaN, and so do finite ones so large that the outputs or the cost overflow. Without a
    batch (the blocks of Dask arrays), the parameters and the optimiser's state are."""
    parameters, epoch = state.parameters, state.epoch - 1
    if batch is None:
        check_parameters(parameters, epoch, rate, xp)
        moments = _moments(state.optimizer_state)
        if moments and not bool(xp.all(xp.stack([xp.all(xp.isfinite(v)) for v in moments]))):
            _overflowed(epoch, rate)
        return
    X, Y, _ = batch
    loss, finite = soundness(network, X, Y, parameters, state.optimizer_state, xp)
    if bool(xp.all(finite)):  # the one host read of a sound run
        return
    if not bool(finite[0]):
        check_parameters(parameters, epoch, rate, xp)
        raise DivergenceError(
            f"Training diverged: after epoch {epoch} the parameters are so large that the "
            f"cost is {float(loss)}. Try a smaller learning_rate (now {rate})"
        )
    _overflowed(epoch, rate)


def _overflowed(epoch: int, rate: float) -> NoReturn:
    raise DivergenceError(
        f"Training overflowed: after epoch {epoch} the optimiser's running averages of the "
        "gradients (and their squares) left the float range. Expected inputs on a scale the "
        f"arithmetic can hold: standardise X, or try a smaller learning_rate (now {rate})"
    )


def soundness(
    network: Network,
    X: Array,
    Y: Array,
    parameters: dict[str, Array],
    optimizer_state: dict[str, Any],
    xp: Any,
) -> tuple[Array, Array]:
    """What :func:`check_trained` reads, with no host read: the cost of (up to 1024
    examples of) the batch (X, Y), and whether it and each of the optimiser's moments
    are finite, (1 + number of moments,) bools."""
    n = min(1024, Y.shape[1])
    ZL = network.forward(X[along(network.sample_axis, slice(0, n))], parameters, xp=xp)[0]
    loss = network.loss_sum(ZL, Y[:, :n], parameters, xp=xp)
    moments = _moments(optimizer_state)
    return loss, xp.stack([xp.isfinite(loss), *(xp.all(xp.isfinite(v)) for v in moments)])


def check_finite(cost: float, epoch: int, rate: float) -> float:
    if not math.isfinite(cost):
        raise DivergenceError(
            f"Training diverged: the cost became {cost} at epoch {epoch}. Try a smaller "
            f"learning_rate (now {rate}){_OR_SCALE}"
        )
    return cost


def check_curve(state: TrainingState, rate: float) -> None:
    """Training diverged if an epoch's loss is NaN or infinite: name the first one."""
    for i, value in enumerate(state.loss_curve):
        if not math.isfinite(value):
            check_finite(value, state.epoch - len(state.loss_curve) + i, rate)


def _moments(optimizer_state: dict[str, Any]) -> list[Array]:
    """The optimiser's running averages: the arrays of its dicts (v, s)."""
    return [v for m in optimizer_state.values() if isinstance(m, dict) for v in m.values()]

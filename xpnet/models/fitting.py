"""Fitting an estimator: its data checked, its network built and started, the engine run.

:func:`fit_estimator` is the one path from ``fit`` and ``partial_fit`` to
:func:`xpnet.training.run`, in memory and on Dask blocks alike; nothing of the
estimator changes until training has succeeded.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from typing import Any

import numpy as np  # edge: host-side seeds

from ..backend import Backend, device_name, dtype_name, to_numpy
from ..dask_arrays import is_dask_array
from ..exceptions import DivergenceError, convergence
from ..initializers import check_random_state
from ..optimizers import get_optimizer
from ..training import InMemory, TrainingConfig, TrainingState, run
from ._split import early_stopping_split
from ._validation import check_feature_names, check_sample_weight, feature_names
from .fitted import FittedState, json_safe
from .hyperparameters import check_memory

__all__ = ["check_bound", "check_features", "check_scale", "fit_estimator"]

Array = Any


def fit_estimator(
    model, X, y, sample_weight, callback, epochs, incremental, classes=None, partial=False
):
    """Train ``model`` for ``epochs`` epochs on (X, y): afresh, or from its fitted state
    where ``incremental`` (a warm start, ``partial_fit``) and it has one."""
    model._check_hyperparameters()
    if callback is not None and not callable(callback):  # else found after an epoch
        raise TypeError(
            "Invalid callback. Expected a function of one Epoch, or None. "
            f"Received: callback={callback!r}"
        )
    if partial and model.early_stopping:  # in memory and on Dask alike
        raise ValueError(
            "Invalid early_stopping=True with partial_fit: partial_fit does not support "
            "early_stopping=True, as a piece of data leaves nothing to hold out. Expected "
            "early_stopping=False, or fit(X, y)"
        )
    name = type(model).__name__
    fitted = model._placed() if incremental and "fitted_" in model.__dict__ else None
    names = feature_names(X)
    if fitted is not None:
        classes = fitted.classes
        check_feature_names(fitted.feature_names, names, name)
    blocks = is_dask_array(X)
    if blocks:  # a source of blocks: one compute a step
        if model.early_stopping:
            raise ValueError(
                "Invalid early_stopping=True with Dask arrays. Expected a validation set "
                "held out by you: score it in a callback and return True to stop"
            )
        source, backend, classes, n_y = model._blocks(X, y, sample_weight, classes)
        output, n_x = None, source.n_x
    else:
        X, backend, _, n_x = model._input(X, fitted, model.dtype)
        targets = model._targets(y, X.shape[0], backend, classes)
        weights = check_sample_weight(sample_weight, X.shape[0], backend)
        classes, n_y, output = targets.classes, targets.Y.shape[0], targets.output
    architecture = model._architecture(n_x, n_y, output)
    if fitted is None:
        state = _initial_state(model, architecture, backend)
    else:
        check_features(model, n_x, fitted)
        if architecture != fitted.architecture:
            raise ValueError(
                f"Invalid warm start of {name}. Expected the fitted network's layers, "
                f"{fitted.architecture.describe()}. Received {architecture.describe()}: "
                + (
                    "call fit(X, y) to train it afresh"
                    if partial
                    else "set warm_start=False to train it afresh"
                )
            )
        backend, state = fitted.backend, fitted.warm_start(model.optimizer)
    network = model._network(architecture, keep_prob=model.keep_prob, l2=model.l2)
    validation = None
    if not blocks:
        rows = network.sample_axis == 1  # the course's columns: the estimator's rows, seen as X.T
        if model.early_stopping:
            X, targets, weights, validation = early_stopping_split(
                backend, X, targets, weights, model.validation_fraction, state.seed, rows=rows
            )
        source = InMemory(X, targets.Y, weights, backend.xp, rows=rows)
    state = run(
        _config(model, network, source.m),
        state,
        source,
        epochs=epochs,
        validation=validation,
        callback=callback,
        model=model,
        progress=sys.stderr.isatty() if model.progress is None else bool(model.progress),
        verbose=bool(model.verbose),
        desc=name,
        xp=backend.xp,
    )
    # Only now, with everything validated and trained, does the model change.
    where = (backend.name, device_name(backend.device), dtype_name(backend.dtype))
    trained_on = dict(zip(("backend", "device", "dtype"), where, strict=True))
    hyperparameters = {k: json_safe(v) for k, v in model.get_params().items()}
    model.fitted_ = FittedState(
        hyperparameters, architecture, state, classes, backend, trained_on, feature_names=names
    )
    if not partial and model.tol is not None and state.stopped is None:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({epochs}) reached and the "
            "optimization hasn't converged yet: the stopping rule (tol, n_iter_no_change) "
            "was still waiting. Raise num_iterations, or set tol=None to train exactly "
            "num_iterations epochs",
            convergence(),
            stacklevel=3,  # the caller of fit or partial_fit
        )


#: The hyperparameters that the optimiser and the training loop take under their own names.
_OPTIMIZER = ("beta", "beta1", "beta2", "epsilon")
_SCHEDULE = ("lr_decay", "decay_rate", "time_interval", "batch_size", "shuffle", "cost_every")
_STEP = ("tol", "n_iter_no_change", "jit_compile", "clip_value", "clip_norm")


def _config(model: Any, network: Any, m: int) -> TrainingConfig:
    optimizer = get_optimizer(model.optimizer, **{k: getattr(model, k) for k in _OPTIMIZER})
    given = {k: getattr(model, k) for k in _SCHEDULE + _STEP}
    return TrainingConfig(network, optimizer, model.learning_rate, score=model._score, **given)


def _initial_state(model: Any, architecture: Any, backend: Backend) -> TrainingState:
    rng = check_random_state(model.random_state)
    check_memory(architecture.shapes(), model.optimizer, backend, type(model).__name__)
    parameters = model._initial_parameters(architecture, rng, backend)
    # An int seed is the course's: shuffles use seed + 1 + epoch. Otherwise draw one.
    if isinstance(model.random_state, numbers.Integral):
        seed = int(model.random_state)
    elif isinstance(rng, np.random.Generator):
        seed = int(rng.integers(2**31))
    else:
        seed = int(rng.randint(2**31))
    return TrainingState(parameters, get_optimizer(model.optimizer).init(parameters), seed)


def check_features(model: Any, n_x: int | tuple[int, ...], fitted: FittedState) -> None:
    """X's examples have the shape the model was fitted on: n_x features, or an image's."""
    expected = fitted.architecture.input_shape
    input_shape = n_x if isinstance(n_x, tuple) else (n_x,)
    if input_shape == expected:
        return
    if len(expected) == 1 and len(input_shape) == 1:
        raise ValueError(
            f"X has {input_shape[0]} features, but {type(model).__name__} is expecting "
            f"{expected[0]} features as input"
        )
    raise ValueError(
        f"X has examples of shape {input_shape}, but {type(model).__name__} is expecting "
        f"examples of shape {expected}"
    )


def check_scale(X: Array, parameters: dict[str, Array], backend: Backend) -> None:
    """Refuse, before any arithmetic, inputs that the network's arithmetic cannot hold:
    the bound on |Z[l]| of every layer, max|X| carried through each layer as
    ‖W[l]‖∞·bound + max|b[l]| (the hidden activations grow no faster than their input),
    must stay within the float range. One host read of 2L + 1 numbers."""
    xp = backend.xp
    L = len(parameters) // 2
    norms = [xp.max(xp.abs(X))]
    for l in range(1, L + 1):  # noqa: E741 (the course's layer index)
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        # a unit's inputs: a row of W (n_l, n_(l−1)), or a filter W[..., c] (f, f, n_C_prev)
        inputs = 1 if W.ndim == 2 else tuple(range(W.ndim - 1))
        norms += [xp.max(xp.sum(xp.abs(W), axis=inputs)), xp.max(xp.abs(b))]
    bound, *layers = to_numpy(xp.stack(norms)).tolist()  # Python floats: no overflow warning
    for W_norm, b_norm in zip(layers[::2], layers[1::2], strict=True):
        bound = W_norm * bound + b_norm  # |Z[l]| ≤ ‖W[l]‖∞·max|A[l−1]| + max|b[l]|
    check_bound(layers, bound, backend)


def check_bound(norms: list[float], bound: float, backend: Backend) -> None:
    """Refuse parameters whose ``norms`` are not finite (a diverged fit), and inputs whose
    ``bound`` on |Z| passes the float range."""
    if not all(math.isfinite(v) for v in norms):
        raise DivergenceError(
            "Training diverged: the model's parameters hold NaN or infinity. Train it "
            "again with a smaller learning_rate"
        )
    if not bound <= float(backend.xp.finfo(backend.dtype).max):
        raise ValueError(
            "Expected X on a scale the network's arithmetic can hold. Received values "
            f"that overflow {dtype_name(backend.dtype)} inside the network: standardise X "
            "as the training data was"
        )

"""A fitted estimator's state: its attributes, its training state, and the form a file
or a pickle holds (a JSON-able header and host arrays, written by :mod:`xpnet.io`).

Every array goes through the host in that form, so a model saved or pickled on one
backend loads on any other, and loading never executes code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np  # edge: the host form of a model

from .._version import __version__
from ..backend import (
    Backend,
    BackendUnavailableError,
    device_name,
    dtype_name,
    get_backend,
    to_numpy,
    use_backend,
)
from ..training import TrainingState

__all__ = [
    "from_state",
    "move",
    "placement",
    "restore",
    "set_fitted",
    "to_state",
    "training_state",
]

_OPTIMIZER_KEYS = {"gd": set(), "momentum": {"v"}, "rmsprop": {"s"}, "adam": {"v", "s", "t"}}


def set_fitted(model, state: TrainingState, backend: Backend, classes, n_x: int, output) -> None:
    """Write a training run's outcome onto the model, all at once."""
    model.parameters_ = model._to_course(state.parameters)
    model.optimizer_state_ = state.optimizer_state
    model.classes_ = classes
    model.n_features_in_ = n_x
    model.n_iter_ = state.epoch
    model.costs_, model.cost_iterations_ = state.costs, state.cost_epochs
    model.validation_scores_ = state.validation_scores if model.early_stopping else None
    model.best_validation_score_ = state.best_score if model.early_stopping else None
    model.best_loss_ = None if math.isinf(state.best_loss) else state.best_loss
    model.output_activation_ = output
    model.backend_ = backend
    model.device_, model.dtype_ = device_name(backend.device), dtype_name(backend.dtype)
    model._seed, model._no_improvement = state.seed, state.no_improvement
    model._best_parameters, model.stopped_ = state.best_parameters, state.stopped


def training_state(model) -> TrainingState:
    """The state a warm start continues from; a changed optimiser starts its state anew."""
    from ..optimizers import get_optimizer

    parameters = model._from_course(model.parameters_)
    optimizer_state = model.optimizer_state_
    if set(optimizer_state) != _OPTIMIZER_KEYS[model.optimizer]:
        optimizer_state = get_optimizer(model.optimizer).init(parameters)
    return TrainingState(
        parameters,
        optimizer_state,
        seed=model._seed,
        epoch=model.n_iter_,
        costs=list(model.costs_),
        cost_epochs=list(model.cost_iterations_),
        validation_scores=list(model.validation_scores_ or []),
        best_loss=math.inf if model.best_loss_ is None else model.best_loss_,
        best_score=-math.inf
        if model.best_validation_score_ is None
        else model.best_validation_score_,
        best_parameters=model._best_parameters,
        no_improvement=model._no_improvement,
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.random.RandomState | np.random.Generator):
        return None  # a generator's state is not a hyperparameter worth keeping
    if isinstance(value, np.integer | np.floating | np.bool_):
        return value.item()
    return value


def to_state(model) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    header = {
        "xpnet_version": __version__,
        "model": type(model).__name__,
        "hyperparameters": {k: _json_safe(v) for k, v in model.get_params().items()},
        "convention": "parameters in the course's layout: W (n_l, n_(l-1)), b (n_l, 1)",
        "backend": model.backend_.name,
        "device": model.device_,
        "dtype": model.dtype_,
        "n_features_in": model.n_features_in_,
        "n_iter": model.n_iter_,
        "output_activation": model.output_activation_,
        "seed": model._seed,
        "best_loss": model.best_loss_,
        "best_validation_score": model.best_validation_score_,
        "validation_scores": model.validation_scores_,
        "no_improvement": model._no_improvement,
        "optimizer_t": model.optimizer_state_.get("t"),
        "parameter_shapes": {k: list(v.shape) for k, v in model.parameters_.items()},
    }
    arrays = {
        "classes": np.asarray(model.classes_),
        "costs": np.asarray(model.costs_, dtype=np.float64),
        "cost_iterations": np.asarray(model.cost_iterations_, dtype=np.int64),
        **{f"parameter:{k}": to_numpy(v) for k, v in model.parameters_.items()},
    }
    for moment in ("v", "s"):
        for k, v in model.optimizer_state_.get(moment, {}).items():
            arrays[f"optimizer:{moment}:{k}"] = to_numpy(v)
    for k, v in (model._best_parameters or {}).items():
        arrays[f"best:{k}"] = to_numpy(v)
    if arrays["classes"].dtype.kind not in "biuU":
        raise TypeError(
            "Expected classes_ of numbers, booleans or text to save. "
            f"Received dtype {arrays['classes'].dtype}"
        )
    return header, arrays


def _group(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def _check_shapes(found: dict, expected: dict, what: str) -> None:
    if set(found) != set(expected):
        raise ValueError(f"{what} {sorted(found)}, expected {sorted(expected)}")
    for key, shape in expected.items():
        if found[key].shape != tuple(shape) or found[key].dtype.kind != "f":
            raise ValueError(
                f"{what[:-1] if what.endswith('s') else what} {key} has shape {found[key].shape} "
                f"and dtype {found[key].dtype}, expected floats of shape {tuple(shape)}"
            )


def from_state(cls, header: dict[str, Any], arrays: dict[str, np.ndarray], backend=None):
    """Rebuild a fitted model, checking every array against what the header describes."""
    try:
        hyperparameters = {  # JSON has no tuples
            k: tuple(v) if isinstance(v, list) else v for k, v in header["hyperparameters"].items()
        }
        model = cls(**hyperparameters)
        model._check_hyperparameters()
        n_x, output = int(header["n_features_in"]), header["output_activation"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"its header does not describe a valid {cls.__name__}: {exc}") from exc
    for key in ("classes", "costs", "cost_iterations"):
        if key not in arrays:
            raise ValueError(f"the array {key!r} is missing")
    classes = arrays["classes"]
    n_y = classes.shape[0] if classes.ndim == 1 and classes.shape[0] > 2 else 1
    if classes.ndim != 1 or classes.shape[0] < 2 or output != model._network(n_y).output:
        raise ValueError(f"classes {classes.tolist()} do not fit a {output} output")
    dims = model._layer_dims(n_x, n_y)
    shapes = {}
    for l in range(1, len(dims)):  # noqa: E741 (the course's layer index)
        shapes |= {f"W{l}": (dims[l], dims[l - 1]), f"b{l}": (dims[l], 1)}
    parameters = model._from_course(_group(arrays, "parameter:"))
    _check_shapes(parameters, shapes, "parameters")
    moments = {m: _group(arrays, f"optimizer:{m}:") for m in ("v", "s")}
    for m, found in moments.items():
        if found:
            _check_shapes(found, {"d" + k: v for k, v in shapes.items()}, f"optimizer {m}s")
    best = _group(arrays, "best:")
    if best:
        _check_shapes(best, shapes, "best parameters")

    backend = _saved_dtype(get_backend(), header.get("dtype")) if backend is None else backend
    put = lambda group: {k: backend.put(v, backend.dtype) for k, v in group.items()}  # noqa: E731
    optimizer_state = {m: put(found) for m, found in moments.items() if found}
    if header.get("optimizer_t") is not None:
        optimizer_state["t"] = int(header["optimizer_t"])
    best_loss = header.get("best_loss")
    state = TrainingState(
        put(parameters),
        optimizer_state,
        seed=int(header.get("seed") or 0),
        epoch=int(header.get("n_iter", 0)),
        costs=arrays["costs"].tolist(),
        cost_epochs=arrays["cost_iterations"].tolist(),
        validation_scores=list(header.get("validation_scores") or []),
        best_loss=math.inf if best_loss is None else float(best_loss),
        best_score=-math.inf
        if header.get("best_validation_score") is None
        else float(header["best_validation_score"]),
        best_parameters=put(best) if best else None,
        no_improvement=int(header.get("no_improvement") or 0),
    )
    set_fitted(model, state, backend, classes, n_x, output)
    return model


def _saved_dtype(backend: Backend, saved: str | None) -> Backend:
    """``backend`` in the model's saved dtype where its device has that dtype."""
    xp = backend.xp
    floats = xp.__array_namespace_info__().dtypes(device=backend.device, kind="real floating")
    return backend.with_dtype(saved if saved in floats else None)


def placement(name: str, device: str | None, dtype: str | None, saved: str | None) -> Backend:
    """Where to put a model: a backend and device by name, in ``dtype`` or else the
    ``saved`` dtype where the device has it."""
    with use_backend(name, device) as backend:
        pass
    return backend.with_dtype(dtype) if dtype else _saved_dtype(backend, saved)


def restore(model, *, quiet: bool = False) -> None:
    """Put an unpickled model's arrays back on the backend it was trained on."""
    header, arrays = model._pending
    try:
        backend = placement(header["backend"], header["device"], None, header.get("dtype"))
    except (ImportError, ValueError) as exc:
        if quiet:
            return
        raise BackendUnavailableError(
            f"This {type(model).__name__} was trained on {header['backend']} "
            f"({header['device']}), which is not available here: {exc}. Move it with "
            "model.to_backend('numpy') (or any backend available here)"
        ) from exc
    fitted = from_state(type(model), header, arrays, backend)
    del model._pending
    model.__dict__.update(
        {k: v for k, v in fitted.__dict__.items() if k.endswith("_") or k.startswith("_")}
    )


def move(model, name: str, device: str | None = None, dtype: str | None = None):
    """A copy of the fitted model on another backend, device or dtype."""
    if "_pending" in model.__dict__:
        header, arrays = model._pending
    else:
        model._check_fitted()
        header, arrays = to_state(model)
    where = placement(name, device, dtype, header.get("dtype"))
    return from_state(type(model), header, arrays, where)

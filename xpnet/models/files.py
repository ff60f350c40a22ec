"""A fitted model's files and pickles: :func:`to_state` gives the JSON-able header and
the host arrays that :mod:`xpnet.io` writes and a pickle holds; :func:`from_state` makes
the model they describe, every array checked against the layers its hyperparameters
give. A model saved or pickled on one backend loads on any other.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np  # edge: the host form of a model

from .._version import __version__
from ..backend import Backend, device_name, get_backend, to_numpy
from ..io import invalid, read, write
from ..training import TrainingState
from .fitted import Architecture, FittedState, placement

__all__ = [
    "check_shapes",
    "check_vector",
    "fitted_with",
    "from_state",
    "getstate",
    "read_model",
    "read_state",
    "save",
    "setstate",
    "to_state",
]


def save(model: Any, path: str | os.PathLike[str], *, metadata: dict | None = None) -> Path:
    """Write a fitted model to one ``.npz`` file, atomically; the path written.

    The file holds all a ``warm_start`` needs to continue exactly (parameters, classes,
    costs, the optimiser's state, the counters) and a JSON header (the class, its
    hyperparameters, where it was trained), with ``metadata``: JSON-able notes read
    back as ``model.metadata_``.
    """
    metadata = metadata or {}
    try:
        if not isinstance(metadata, dict):
            raise TypeError(f"{type(metadata).__name__} is not a dict")
        json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "Invalid metadata. Expected a dict of JSON values (dicts, lists, str, numbers, "
            f"booleans, None), or None. Received: metadata={metadata!r} ({exc})"
        ) from None
    header, arrays = to_state(model)
    return write(path, {**header, "metadata": metadata}, arrays)


def read_model(
    path: str | os.PathLike[str],
    models: dict[str, Any],
    backend: str | None = None,
    device: str | None = None,
    dtype: str | None = None,
) -> Any:
    """The model that the file at ``path`` holds, of the class its header names in
    ``models``, by that class's ``_from_state``; see :func:`xpnet.load`."""
    header, arrays = read(path)
    name = header.get("model")
    if not isinstance(name, str) or name not in models:
        raise invalid(path, f"unknown model {name!r}; expected one of {sorted(models)}")
    target = None
    if backend or device or dtype:
        current = get_backend()
        if backend is None and device is None:
            device = device_name(current.device)
        target = placement(backend or current.name, device, dtype, header.get("dtype"))
    try:
        return models[name]._from_state(header, arrays, target)
    except ValueError as exc:  # a header or an array that does not describe a valid model
        raise invalid(path, str(exc)) from exc


def to_state(model: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A fitted model as a JSON-able header and host arrays: what a file or a pickle
    holds (NotFittedError before ``fit``)."""
    fitted: FittedState = model._fitted()
    t, arch = fitted.training, fitted.architecture
    header = {
        "xpnet_version": __version__,
        "model": type(model).__name__,
        "hyperparameters": fitted.hyperparameters,
        "architecture": arch.to_header(),
        "input_shape": list(arch.input_shape),
        "convention": "parameters in the course's layout: W (n_l, n_(l-1)), b (n_l, 1)",
        **fitted.trained_on,
        "n_features_in": arch.n_features,
        "n_outputs": arch.dims[-1],
        "feature_names_in": None
        if fitted.feature_names is None
        else fitted.feature_names.tolist(),
        "n_iter": t.epoch,
        "samples_seen": t.samples_seen,
        "output_activation": arch.output,
        "seed": t.seed,
        "best_loss": None if math.isinf(t.best_loss) else t.best_loss,
        "best_validation_score": None if math.isinf(t.best_score) else t.best_score,
        "validation_scores": list(t.validation_scores),
        "no_improvement": t.no_improvement,
        "stopped": t.stopped,
        "optimizer_t": None if t.optimizer_state.get("t") is None else int(t.optimizer_state["t"]),
        "parameter_shapes": {k: list(v.shape) for k, v in t.parameters.items()},
    }
    arrays = {
        **({} if fitted.classes is None else {"classes": fitted.classes}),
        "costs": np.asarray(t.costs, dtype=np.float64),
        "cost_iterations": np.asarray(t.cost_epochs, dtype=np.int64),
        "loss_curve": np.asarray(t.loss_curve, dtype=np.float64),
        **{f"parameter:{k}": to_numpy(v) for k, v in t.parameters.items()},
    }
    for moment in ("v", "s"):
        for k, v in t.optimizer_state.get(moment, {}).items():
            arrays[f"optimizer:{moment}:{k}"] = to_numpy(v)
    for k, v in (t.best_parameters or {}).items():
        arrays[f"best:{k}"] = to_numpy(v)
    return header, arrays


def from_state(
    cls: type,
    header: dict[str, Any],
    arrays: dict[str, np.ndarray],
    backend: Backend | None = None,
) -> Any:
    """The model of class ``cls`` that :func:`to_state` described, on ``backend``
    (default: the backend in force, in the saved dtype where its device has it);
    ValueError where the header or an array does not describe one."""
    model = fitted_with(cls, header)
    if backend is None:
        backend = placement(None, None, None, header.get("dtype"))
    model.fitted_ = read_state(model, header, arrays, backend)
    return model


def fitted_with(cls: type, header: dict[str, Any]) -> Any:
    """A model with the hyperparameters a header says it was fitted with, checked."""
    try:
        hyperparameters = {  # JSON has no tuples
            k: tuple(v) if isinstance(v, list) else v
            for k, v in dict(header["hyperparameters"]).items()
        }
        model = cls(**hyperparameters)
        model._check_hyperparameters()
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"its header does not describe a valid {cls.__name__}: {exc}") from exc
    return model


def getstate(model: Any) -> dict[str, Any]:
    """A pickle's contents (``BaseEstimator.__getstate__``): the hyperparameters, and the
    fitted state's host form, as a file holds it."""
    saved: dict[str, Any] = {"params": model.get_params()}
    if "fitted_" in model.__dict__:
        saved["fitted"] = (*to_state(model), model.fitted_.metadata)
    return saved


def setstate(model: Any, saved: dict[str, Any]) -> None:
    """``BaseEstimator.__setstate__``: the model that :func:`getstate` described, on the
    backend it was trained on, or waiting on the host (saying why) where that is missing."""
    model.__dict__.update(saved["params"])
    if "fitted" not in saved:
        return
    header, arrays, metadata = saved["fitted"]
    why = None
    try:
        where: Backend | None = placement(
            header["backend"], header["device"], None, header.get("dtype")
        )
    except (ImportError, ValueError) as exc:
        where, why = None, str(exc)
    fitted = read_state(fitted_with(type(model), header), header, arrays, where)
    fitted.metadata, fitted.unavailable = metadata, why
    model.fitted_ = fitted


def _outputs(header: dict[str, Any], arrays: dict[str, np.ndarray], classifier: bool):
    """n_y, the output units a saved model has, and its output head where n_y alone does
    not choose it (multilabel: K sigmoids)."""
    n_y = header.get("n_outputs")
    if not classifier:
        if isinstance(n_y, bool) or not isinstance(n_y, int) or n_y < 1:
            raise ValueError(f"its header's n_outputs={n_y!r} is not a positive count")
        return n_y, None
    classes = arrays.get("classes")
    if classes is None or classes.ndim != 1:
        raise ValueError("the array 'classes' is missing or not 1-D")
    if header.get("output_activation") == "sigmoid" and type(n_y) is int and n_y > 1:
        return n_y, "sigmoid"
    return (1 if classes.shape[0] <= 2 else classes.shape[0]), None


def read_state(
    model: Any, header: dict[str, Any], arrays: dict[str, np.ndarray], backend: Backend | None
) -> FittedState:
    """The fitted state a header and arrays describe, checked against the layers that
    ``model``'s hyperparameters give, its arrays on ``backend`` (None: on the host)."""
    # files before format 4 hold feature vectors: (n_features_in,)
    shape = header.get("input_shape") or [header.get("n_features_in")]
    if not isinstance(shape, list) or not all(type(n) is int and n >= 1 for n in shape):
        raise ValueError(f"its header's input_shape={shape!r} is not a list of positive counts")
    input_shape = tuple(shape)
    classifier = model._estimator_type == "classifier"
    n_x = input_shape[0] if len(input_shape) == 1 else input_shape  # an image's shape
    architecture = model._architecture(n_x, *_outputs(header, arrays, classifier))
    if architecture.input_shape != input_shape:
        raise ValueError(
            f"its input_shape={shape!r} is not one a {type(model).__name__} takes: "
            f"{architecture.describe()}"
        )
    saved = header.get("architecture")
    if saved is not None:
        try:
            found = type(architecture).from_header(saved)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"its architecture is not valid: {exc}") from exc
        if found != architecture:
            raise ValueError(
                f"its layers, {found.describe()}, are not those its hyperparameters "
                f"describe, {architecture.describe()}"
            )
    if header.get("output_activation") != architecture.output:
        raise ValueError(
            f"its {architecture.dims[-1]} output(s) do not fit a "
            f"{header.get('output_activation')} output"
        )
    for key in ("costs", "cost_iterations"):  # "classes": read by _outputs
        if key not in arrays:
            raise ValueError(f"the array {key!r} is missing")
    costs = check_vector(arrays, "costs", "f")
    cost_epochs = check_vector(arrays, "cost_iterations", "iu")
    if cost_epochs.shape != costs.shape:
        raise ValueError(
            f"expected one cost_iteration per cost. Received shapes {cost_epochs.shape} "
            f"and {costs.shape}"
        )
    loss_curve = check_vector(arrays, "loss_curve", "f")  # absent from older files: no curve
    classes = arrays["classes"] if classifier else None
    if classes is not None:
        _check_classes(classes, architecture)
    shapes = architecture.shapes()
    parameters = _group(arrays, "parameter:")
    if saved is None:  # format 2 kept LogisticRegression's w = W1ᵀ and b = b1
        renamed = {"w": "W1", "b": "b1"}
        parameters = {renamed.get(k, k): P.T if k == "w" else P for k, P in parameters.items()}
    check_shapes(parameters, shapes, "parameters")
    moments = {m: _group(arrays, f"optimizer:{m}:") for m in ("v", "s")}
    for m, group in moments.items():
        if group:
            check_shapes(group, {"d" + k: v for k, v in shapes.items()}, f"optimizer {m}s")
    best = _group(arrays, "best:")
    if best:
        check_shapes(best, shapes, "best parameters")
    optimizer_state: dict[str, Any] = {m: group for m, group in moments.items() if group}
    if header.get("optimizer_t") is not None:
        optimizer_state["t"] = _field(header, "optimizer_t", int, 0)
    scores = header.get("validation_scores") or []
    if not isinstance(scores, list):
        raise ValueError(f"its header's validation_scores={scores!r} is not a list")
    training = TrainingState(
        parameters,
        optimizer_state,
        seed=_field(header, "seed", int, 0),
        epoch=_field(header, "n_iter", int, 0),
        samples_seen=_field(header, "samples_seen", int, 0),
        loss_curve=[] if loss_curve is None else loss_curve.tolist(),
        costs=costs.tolist(),
        cost_epochs=cost_epochs.tolist(),
        validation_scores=[_field({"score": s}, "score", float, 0.0) for s in scores],
        best_loss=_field(header, "best_loss", float, math.inf),
        best_score=_field(header, "best_validation_score", float, -math.inf),
        best_parameters=best or None,
        no_improvement=_field(header, "no_improvement", int, 0),
        stopped=header.get("stopped") if isinstance(header.get("stopped"), str) else None,
    )
    where = {k: header.get(k) for k in ("backend", "device", "dtype")}
    floats = ("float32", "float64")
    if not all(isinstance(v, str) for v in where.values()) or where["dtype"] not in floats:
        raise ValueError(
            "expected the backend, device and dtype (float32 or float64) it was trained "
            f"on. Received {where}"
        )
    trained_on = {k: str(v) for k, v in where.items()}
    names = header.get("feature_names_in")
    if names is not None and (
        not isinstance(names, list)
        or len(names) != architecture.n_features
        or not all(isinstance(n, str) for n in names)
    ):
        raise ValueError(
            f"its feature_names_in are not {architecture.n_features} names: {names!r}"
        )
    metadata = header.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValueError(
            f"its metadata is {type(metadata).__name__}, expected a JSON object of notes"
        )
    hyperparameters = dict(header["hyperparameters"])
    host = FittedState(
        hyperparameters, architecture, training, classes, None, trained_on, metadata
    )
    host.feature_names = None if names is None else np.asarray(names, dtype=object)
    return host if backend is None else host.placed(backend)


def _check_classes(classes: np.ndarray, architecture: Architecture) -> None:
    if classes.shape[0] < 2 or classes.dtype.kind not in "biufU":  # 1-D: read by _outputs
        raise ValueError(
            "expected at least two classes of numbers, booleans or text. Received "
            f"an array of dtype {classes.dtype} and shape {classes.shape}"
        )
    if classes.dtype.kind == "f" and not np.all(np.isfinite(classes) & (classes % 1 == 0)):
        raise ValueError(
            f"expected classes of whole numbers, booleans or text. Received {classes.tolist()}"
        )
    if not np.array_equal(classes, np.unique(classes)):
        raise ValueError(
            f"expected distinct classes in sorted order, as fit finds them. Received "
            f"{classes.tolist()}"
        )
    n_y = architecture.dims[-1]  # counted from the classes by _outputs, but for multilabel
    if architecture.multilabel and not np.array_equal(classes, np.arange(n_y)):
        raise ValueError(f"the labels of {n_y} sigmoid outputs are 0..{n_y - 1}, not {classes}")


def check_vector(arrays: dict[str, np.ndarray], key: str, kinds: str) -> Any:
    """``arrays[key]`` where it is a 1-D array of floats ("f") or integers ("iu")."""
    a = arrays.get(key)
    if a is not None and (a.ndim != 1 or a.dtype.kind not in kinds):
        what = "floats" if kinds == "f" else "integers"
        raise ValueError(f"expected {key} of {what}. Received dtype {a.dtype}, shape {a.shape}")
    return a


def _field(header: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    """``header[key]`` as an int or a float (``default`` where absent or null)."""
    value = header.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"its header's {key}={value!r} is not a number")
    if kind is int and (not math.isfinite(value) or value != int(value) or value < 0):
        raise ValueError(f"its header's {key}={value!r} is not a count")
    return kind(value)


def _group(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def check_shapes(found: dict, expected: dict, what: str) -> None:
    """``found``'s arrays have ``expected``'s keys, and each is finite floats of its
    shape; a ValueError names ``what`` (e.g. ``"parameters"``) otherwise."""
    if set(found) != set(expected):
        raise ValueError(f"{what} {sorted(found)}, expected {sorted(expected)}")
    for key, shape in expected.items():
        name = f"{what[:-1] if what.endswith('s') else what} {key}"
        if found[key].shape != tuple(shape) or found[key].dtype.kind != "f":
            raise ValueError(
                f"{name} has shape {found[key].shape} and dtype {found[key].dtype}, expected "
                f"floats of shape {tuple(shape)}"
            )
        if not np.isfinite(found[key]).all():
            raise ValueError(f"{name} holds NaN or infinity, expected finite numbers")

"""Saving and loading fitted models: one ``.npz`` file, no pickle.

The file holds the parameters in the course's layout, the classes, the cost history,
and a JSON header: the model class and its hyperparameters, the dtype, the data
convention, the xpnet version, and the backend and device it was trained on. It is
written atomically (a temporary file in the same folder, flushed, then renamed), and
read with ``allow_pickle=False`` after checking the header, so that loading a file
never executes code. A model saved on one backend loads on any other.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np  # edge: files

from ._version import __version__
from .backend import device_name, dtype_name, get_backend, to_numpy, use_backend

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save"]

FORMAT = "xpnet-model"
FORMAT_VERSION = 1
_PREFIX = "parameter:"


def _models() -> dict[str, type]:
    from .models import DeepNet, LogisticRegression, TwoLayerNet

    return {cls.__name__: cls for cls in (LogisticRegression, TwoLayerNet, DeepNet)}


def _json_safe(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.random.RandomState | np.random.Generator):
        return None  # a generator's state is not a hyperparameter worth keeping
    if isinstance(value, np.integer | np.floating):
        return value.item()
    return value


def save(model: Any, path: str | os.PathLike[str], *, metadata: dict | None = None) -> Path:
    """Write a fitted model to ``path``, atomically.

    Parameters
    ----------
    model : fitted estimator
    path : path
    metadata : dict, optional
        JSON-serialisable notes kept in the header (the command line keeps the data set
        and the standardisation there); read back as ``model.metadata_``.

    Returns
    -------
    Path
        The path written.
    """
    model._check_fitted()
    path = Path(path)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "xpnet_version": __version__,
        "model": type(model).__name__,
        "hyperparameters": {k: _json_safe(v) for k, v in model.get_params().items()},
        "convention": "parameters in the course's layout: W (n_l, n_(l-1)), b (n_l, 1)",
        "dtype": model.dtype_,
        "backend": model.backend_,
        "device": model.device_,
        "n_features_in": model.n_features_in_,
        "n_iter": model.n_iter_,
        "output_activation": model.output_activation_,
        "parameter_shapes": {k: list(v.shape) for k, v in model.parameters_.items()},
        "metadata": metadata or {},
    }
    arrays = {
        "header": np.asarray(json.dumps(header)),
        "classes": to_numpy(model.classes_),
        "costs": np.asarray(model.costs_, dtype=np.float64),
        "cost_iterations": np.asarray(model.cost_iterations_, dtype=np.int64),
        **{_PREFIX + k: to_numpy(v) for k, v in model.parameters_.items()},
    }
    if arrays["classes"].dtype.kind not in "biuU":
        raise TypeError(
            "Expected classes_ of numbers, booleans or text to save. "
            f"Received dtype {arrays['classes'].dtype}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def _invalid(path: Path, problem: str) -> ValueError:
    return ValueError(f"Invalid xpnet model file {str(path)!r}: {problem}")


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not path.is_file():
        raise FileNotFoundError(
            f"Expected an xpnet model file. Received {str(path)!r}, which does not exist"
        )
    try:
        with open(path, "rb") as f:
            npz = np.load(f, allow_pickle=False)
            if not hasattr(npz, "files"):
                raise ValueError("a single .npy array, not an .npz archive")
            with npz:
                arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise _invalid(
            path, f"not a readable .npz archive (truncated or corrupted?): {exc}"
        ) from exc
    if "header" not in arrays or arrays["header"].dtype.kind != "U" or arrays["header"].ndim:
        raise _invalid(path, "no xpnet header; it was not written by xpnet.save")
    try:
        header = json.loads(str(arrays["header"]))
    except json.JSONDecodeError as exc:
        raise _invalid(path, f"its header is not valid JSON: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _invalid(path, "no xpnet header; it was not written by xpnet.save")
    version = header.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise _invalid(
            path,
            f"format version {version!r}, and this xpnet ({__version__}) reads versions up to "
            f"{FORMAT_VERSION}. Upgrade xpnet to read it",
        )
    return header, arrays


def _check(path: Path, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    """Rebuild the (unfitted) model from the header and check every array against it."""
    models = _models()
    name = header.get("model")
    if name not in models:
        raise _invalid(path, f"unknown model {name!r}; expected one of {sorted(models)}")
    try:
        hyperparameters = {  # JSON has no tuples
            k: tuple(v) if isinstance(v, list) else v for k, v in header["hyperparameters"].items()
        }
        model = models[name](**hyperparameters)
        model._check_hyperparameters()
        n_x = int(header["n_features_in"])
        output = header["output_activation"]
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid(path, f"its header does not describe a valid {name}: {exc}") from exc
    for key in ("classes", "costs", "cost_iterations"):
        if key not in arrays:
            raise _invalid(path, f"the array {key!r} is missing")
    classes = arrays["classes"]
    n_y = classes.shape[0] if classes.shape[0] > 2 else 1
    if (
        classes.ndim != 1
        or classes.shape[0] < 2
        or output != ("sigmoid" if n_y == 1 else "softmax")
    ):
        raise _invalid(path, f"classes {classes.tolist()} do not fit a {output} output")
    model.output_activation_ = output
    dims = model._layer_dims(n_x, n_y)
    if name == "LogisticRegression":
        expected = {"w": (n_x, n_y), "b": (n_y, 1)}
    else:
        expected = {}
        for l in range(1, len(dims)):  # noqa: E741 (the course's layer index)
            expected |= {f"W{l}": (dims[l], dims[l - 1]), f"b{l}": (dims[l], 1)}
    found = {k[len(_PREFIX) :]: v for k, v in arrays.items() if k.startswith(_PREFIX)}
    if set(found) != set(expected):
        raise _invalid(path, f"parameters {sorted(found)}, expected {sorted(expected)}")
    for key, shape in expected.items():
        if found[key].shape != shape or found[key].dtype.kind != "f":
            raise _invalid(
                path,
                f"parameter {key} has shape {found[key].shape} and dtype {found[key].dtype}, "
                f"expected floats of shape {shape}",
            )
    return model, found, classes


def load(
    path: str | os.PathLike[str],
    backend: str | None = None,
    device: str | None = None,
    dtype: str | None = None,
) -> Any:
    """Read a model written by :func:`save`, onto the current backend and device.

    Parameters
    ----------
    path : path
    backend, device : str, optional
        Where to put the parameters; by default the backend in force
        (:func:`xpnet.get_backend`), whichever backend the model was trained on.
    dtype : {"float32", "float64"}, optional
        By default the saved dtype where the device supports it, else the device's.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        For a truncated, corrupted or foreign file, naming the file and the problem.
    """
    path = Path(path)
    header, arrays = _read(path)
    model, parameters, classes = _check(path, header, arrays)
    context = use_backend(backend, device) if backend else contextlib.nullcontext()
    with context:
        where = get_backend()
    xp = where.xp
    floats = xp.__array_namespace_info__().dtypes(device=where.device, kind="real floating")
    dtype = dtype or (
        header.get("dtype") if header.get("dtype") in floats else dtype_name(where.dtype)
    )
    if dtype not in floats:
        raise ValueError(
            f"Invalid dtype for {where.name} on {device_name(where.device)}. Expected one of "
            f"{sorted(floats)}. Received: dtype={dtype!r}"
        )
    from .models._base import _Placement

    model._placement = _Placement(xp, where.device, floats[dtype])
    model.parameters_ = {k: model._placement.put(v) for k, v in parameters.items()}
    model.classes_ = classes
    model.n_features_in_ = int(header["n_features_in"])
    model.n_iter_ = int(header.get("n_iter", 0))
    model.costs_ = arrays["costs"].tolist()
    model.cost_iterations_ = arrays["cost_iterations"].tolist()
    model.backend_, model.device_, model.dtype_ = where.name, device_name(where.device), dtype
    model.metadata_ = header.get("metadata") or {}
    model.trained_on_ = {"backend": header.get("backend"), "device": header.get("device")}
    return model

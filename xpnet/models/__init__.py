"""The course's models as estimators (rows are samples, as in scikit-learn), a regressor
on the same engine, and their files."""

from __future__ import annotations

import os
from typing import Any

from .. import io
from ..backend import device_name, get_backend
from ..exceptions import NotFittedError
from ._base import BaseEstimator
from ._classifier import BaseClassifier
from ._fitted import placement
from ._persist import FittedModel
from ._regressor import BaseRegressor
from .deep import DeepNet
from .logistic import LogisticRegression
from .regressor import DeepRegressor
from .two_layer import TwoLayerNet

__all__ = [
    "MODELS",
    "BaseClassifier",
    "BaseEstimator",
    "BaseRegressor",
    "DeepNet",
    "DeepRegressor",
    "LogisticRegression",
    "NotFittedError",
    "TwoLayerNet",
    "load",
    "save",
]

#: Model name (as a file's header records it) → class.
MODELS: dict[str, type[BaseEstimator]] = {
    cls.__name__: cls for cls in (LogisticRegression, TwoLayerNet, DeepNet, DeepRegressor)
}


def save(model: FittedModel, path: str | os.PathLike[str], *, metadata: dict | None = None):
    """Write a fitted model to one ``.npz`` file, atomically.

    The file holds the parameters in the course's layout, the classes, the cost
    history, the optimiser's state and the training counters (so that ``warm_start``
    and ``xpnet train --resume`` continue exactly), and a JSON header: the model class
    and its hyperparameters, the dtype, the xpnet version, and the backend and device it
    was trained on.

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
    header, arrays = model.to_state()
    return io.write(path, {**header, "metadata": metadata or {}}, arrays)


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
        Where to put the model; by default the backend in force
        (:func:`xpnet.get_backend`), whichever backend it was trained on.
    dtype : {"float32", "float64"}, optional
        By default the saved dtype where the device supports it, else the device's.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        For a truncated, corrupted or foreign file, naming the file and the problem.
    """
    header, arrays = io.read(path)
    name = header.get("model")
    if not isinstance(name, str) or name not in MODELS:
        raise io.invalid(path, f"unknown model {name!r}; expected one of {sorted(MODELS)}")
    target = None
    if backend or device or dtype:
        current = get_backend()
        if backend is None and device is None:
            device = device_name(current.device)
        target = placement(backend or current.name, device, dtype, header.get("dtype"))
    try:
        return MODELS[name].from_state(header, arrays, target)
    except ValueError as exc:  # what from_state says of a file that is not a valid model
        raise io.invalid(path, str(exc)) from exc

"""The course's models as estimators (rows are samples, as in scikit-learn), a regressor
on the same engine, and their files.

The layout, from the bottom up:

- :mod:`.hyperparameters`: the table of what every hyperparameter accepts, checked by
  one function;
- :mod:`._validation`: X, y and sample weights checked and encoded;
- :mod:`.fitted`: :class:`~.fitted.FittedState`, everything ``fit`` leaves on a model;
- :mod:`.files`: a fitted state to a file or a pickle and back (:func:`save`,
  :func:`load`);
- :mod:`.fitting`: the one path from ``fit`` to the engine, :func:`xpnet.training.run`;
- :mod:`.base`: :class:`BaseEstimator`, what every estimator shares;
  :class:`BaseClassifier` and :class:`BaseRegressor` add a head, targets and a score;
- the estimators, thin leaves: :class:`LogisticRegression`, :class:`TwoLayerNet`,
  :class:`DeepNet`, :class:`DeepRegressor`, :class:`ConvNet` (images); :class:`SequenceClassifier` (:mod:`.sequence`), a
  recurrent network through those extension points.

A new estimator is a leaf of :class:`BaseClassifier` or :class:`BaseRegressor`: its
hyperparameters as dataclass fields with their constraints, and its layers. A new kind of
network (a convolutional one, taking images) overrides the base's extension points:
``_architecture`` (the layers from the input's shape), ``_network`` (the
:class:`~xpnet.network.Network` that trains and predicts them) and
``_initial_parameters`` (where they start); then it joins :data:`MODELS` to be saved.
"""

from __future__ import annotations

import os
from typing import Any

from ..backend import device_name, get_backend
from ..exceptions import NotFittedError
from ..io import invalid, read
from ._classifier import BaseClassifier
from .base import BaseEstimator
from .conv import ConvNet
from .deep import DeepNet
from .files import from_state, save
from .fitted import placement
from .logistic import LogisticRegression
from .regressor import BaseRegressor, DeepRegressor
from .sequence import SequenceClassifier
from .two_layer import TwoLayerNet

__all__ = [
    "MODELS",
    "BaseClassifier",
    "BaseEstimator",
    "BaseRegressor",
    "ConvNet",
    "DeepNet",
    "DeepRegressor",
    "LogisticRegression",
    "NotFittedError",
    "SequenceClassifier",
    "TwoLayerNet",
    "load",
    "save",
]

#: Model name (as a file's header records it) → class.
MODELS: dict[str, type[BaseEstimator]] = {
    cls.__name__: cls
    for cls in (
        LogisticRegression,
        TwoLayerNet,
        DeepNet,
        DeepRegressor,
        SequenceClassifier,
        ConvNet,
    )
}


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
    header, arrays = read(path)
    name = header.get("model")
    if not isinstance(name, str) or name not in MODELS:
        raise invalid(path, f"unknown model {name!r}; expected one of {sorted(MODELS)}")
    target = None
    if backend or device or dtype:
        current = get_backend()
        if backend is None and device is None:
            device = device_name(current.device)
        target = placement(backend or current.name, device, dtype, header.get("dtype"))
    try:
        return from_state(MODELS[name], header, arrays, target)
    except ValueError as exc:  # what from_state says of a file that is not a valid model
        raise invalid(path, str(exc)) from exc

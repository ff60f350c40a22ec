"""The course's models as estimators (rows are samples, as in scikit-learn), a regressor
on the same engine, the course's language model (:class:`~.char_rnn.CharRNN`), and
their files (:func:`save`, :func:`load`).

A new estimator is a leaf of :class:`BaseClassifier` or :class:`BaseRegressor` over the
extension points of :class:`BaseEstimator`; then it joins :data:`MODELS`.
"""

from __future__ import annotations

import os
from typing import Any

from ..exceptions import NotFittedError
from ._classifier import BaseClassifier
from .base import BaseEstimator
from .char_rnn import CharRNN
from .conv import ConvNet
from .deep import DeepNet
from .files import read_model, save
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
MODELS: dict[str, type[BaseEstimator | CharRNN]] = {
    cls.__name__: cls
    for cls in (
        LogisticRegression,
        TwoLayerNet,
        DeepNet,
        DeepRegressor,
        SequenceClassifier,
        ConvNet,
        CharRNN,
    )
}


def load(
    path: str | os.PathLike[str],
    backend: str | None = None,
    device: str | None = None,
    dtype: str | None = None,
) -> Any:
    """Read a model file (any model's ``save``, CharRNN's too), onto the current backend
    and device.

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
    return read_model(path, MODELS, backend, device, dtype)

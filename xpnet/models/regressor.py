"""The regressors: real targets in and out, the identity output A[L] = Z[L] under
J = 1/(2m) · Σ (A − Y)² (so dZ[L] = A − Y, as for the classifiers), R² as their score;
:class:`DeepRegressor`, the L-layer network with that output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np  # edge: scores judged on the host

from ..backend import Backend, to_numpy
from ..dask_arrays import is_dask_array, prepare_regression
from ..metrics import r2_score
from ._validation import Encoded, check_targets
from .base import BaseEstimator
from .fitting import fit_estimator
from .hyperparameters import HIDDEN_LAYERS, HYPERPARAMETERS, hidden_sizes

__all__ = ["BaseRegressor", "DeepRegressor"]

Array = Any


@dataclass(eq=False, repr=False)
class BaseRegressor(BaseEstimator):
    """A regressor: :class:`BaseEstimator`'s hyperparameters, ``n_outputs_`` real
    targets in and out; ``score`` is R², which early stopping watches."""

    _estimator_type: ClassVar[str] = "regressor"
    _score: ClassVar[str] = "r2"

    def _output_head(self, n_y: int) -> str:
        return "identity"

    def _targets(self, y: Any, n: int, backend: Backend, classes: Any) -> Encoded:
        """y checked, as Y of shape (n_y, n) on the model's device."""
        Y = check_targets(y, n, backend)
        return Encoded(Y, Y, None, None)

    def _blocks(self, X: Any, y: Any, sample_weight: Any, classes: Any):
        """Dask arrays checked: a source of blocks, the backend, no classes, n_y."""
        source, backend, n_y = prepare_regression(X, y, sample_weight, self.dtype)
        return source, backend, None, n_y

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> BaseRegressor:
        """One epoch over (X, y), continuing from the fitted state: data in pieces
        (``early_stopping=True`` is refused)."""
        fit_estimator(self, X, y, sample_weight, None, 1, True, partial=True)
        return self

    def predict(self, X: Any) -> Array:
        """The predicted targets, (n_samples,) or (n_samples, n_y); lazy for Dask."""
        if is_dask_array(X):
            return self._predict_lazy(X, proba=False)
        AL, host = self._output(X)
        predicted = AL[0, :] if AL.shape[0] == 1 else AL.T
        return to_numpy(predicted) if host else predicted

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R², averaged over the targets: :func:`xpnet.metrics.r2_score`; y is checked as
        ``fit`` checks it (real, finite numbers)."""
        predicted, truth, weights = self._judged(X, y, sample_weight)  # judged in float64
        check_targets(truth, truth.shape[0], Backend.of(np.empty(0)))  # on the host
        return r2_score(
            truth.astype(np.float64), predicted.astype(np.float64), sample_weight=weights
        )


@dataclass(eq=False, repr=False)
class DeepRegressor(BaseRegressor):
    """[LINEAR → g → dropout] × (L − 1) → LINEAR: a network whose output is A[L] = Z[L],
    minimising J = 1/(2m)·Σ (A − Y)² (+ the L2 term) for y of shape (n_samples,) or
    (n_samples, n_targets). The defaults are :class:`xpnet.DeepNet`'s but for the start,
    Glorot's (scikit-learn's); ``score`` is R².

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, or int
        n_1, ..., n_(L−1), the sizes of the hidden layers (an int: one hidden layer).
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}
        The hidden layers' activation.
    initialization : str, default="glorot"
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_1, n_features), "b1": (n_1, 1), ..., "WL": (n_y, n_(L−1)), "bL": ...}``.
    n_outputs_, n_iter_, loss_curve_, costs_, ... :
        As in :class:`xpnet.models.BaseEstimator`.
    """

    hidden_layer_sizes: Sequence[int] | int = (100, 50)
    activation: str = "relu"
    initialization: str = field(default="glorot", kw_only=True)

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {**HYPERPARAMETERS, **HIDDEN_LAYERS}

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return hidden_sizes(self.hidden_layer_sizes), self.activation

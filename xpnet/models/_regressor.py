"""A regressor: real targets in and out, the identity output A[L] = Z[L] under
J = 1/(2m) · Σ (A − Y)² (so dZ[L] = A − Y, as for the classifiers), R² as its score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np  # edge: scores judged on the host

from ..backend import Backend, to_numpy
from ..dask_arrays import is_dask_array, predict_blocks, prepare_regression
from ..metrics import r2_score
from ._validation import Encoded, check_targets
from .base import BaseEstimator
from .fitting import fit_estimator

__all__ = ["BaseRegressor"]

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
            self._placed()
            return predict_blocks(self, X, proba=False)
        AL, host = self._output(X)
        predicted = AL[0, :] if AL.shape[0] == 1 else AL.T
        return to_numpy(predicted) if host else predicted

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R², averaged over the targets: :func:`xpnet.metrics.r2_score`."""
        predicted = self._predicted(X).astype(np.float64)  # judged on the host, in float64
        truth = self._check_y(y, predicted.shape).astype(np.float64)
        weights = self._weights(sample_weight, predicted.shape[0])
        return r2_score(truth, predicted, sample_weight=weights)

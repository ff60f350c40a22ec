"""A regressor: real targets in and out, the identity output, R² as its score.

The output layer is linear, A[L] = Z[L], under the course's mean squared error:

    J = 1/(2m) · Σ (A − Y)²,   dZ[L] = A − Y

the same output gradient as the classifiers', so the engine's backward pass is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..backend import Backend
from ..dask_arrays import prepare_regression
from ._base import BaseEstimator, Targets
from ._predict import RegressorPredictions
from ._validation import check_targets

__all__ = ["BaseRegressor"]


@dataclass(eq=False, repr=False)
class BaseRegressor(RegressorPredictions, BaseEstimator):
    """A regressor: :class:`BaseEstimator`'s hyperparameters, real targets in and out.

    The output is linear under J = 1/(2m)·Σ (A − Y)²; ``score`` is R², and early stopping
    watches it.

    Attributes
    ----------
    n_outputs_ : int
        The number of targets.
    """

    _estimator_type = "regressor"
    _score = "r2"

    def _output_head(self, n_y: int) -> str:
        return "identity"

    def _targets(self, y: Any, n: int, backend: Backend, classes: Any) -> Targets:
        Y = check_targets(y, n, backend)
        return Targets(Y, Y, None, None)

    def _blocks(self, X: Any, y: Any, sample_weight: Any, classes: Any):
        source, backend, n_y = prepare_regression(X, y, sample_weight, self.dtype)
        return source, backend, None, n_y

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> BaseRegressor:
        """One epoch over (X, y), continuing from the fitted state: data in pieces.

        Early stopping does not apply: a piece of data leaves nothing to hold out, so
        ``early_stopping=True`` is refused.
        """
        return self._fit(X, y, sample_weight, None, 1, True, partial=True)

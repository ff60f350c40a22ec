"""Prediction from a fitted state: a classifier's probabilities, labels and accuracy,
and a regressor's values and R².

Host data comes back as NumPy arrays; arrays of a backend give results on the model's
device; a Dask array gives a lazy Dask array. Text labels come back on the host.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np  # edge: host-side labels and scores

from ..backend import to_numpy
from ..dask_arrays import is_dask_array, predict_blocks
from ..losses import log_softmax, softplus
from ..metrics import r2_score
from ._persist import FittedModel
from ._validation import check_feature_names, check_sample_weight, check_X, feature_names

__all__ = ["ClassifierPredictions", "Predictor", "RegressorPredictions"]

Array = Any


class Predictor(FittedModel):
    """The forward pass of a fitted model on new rows of X."""

    @property
    def n_outputs_(self) -> int:
        """The output layer's units: 1 for two classes, K for K classes, K labels or K
        targets."""
        return self._fitted().architecture.dims[-1]

    def _logits(self, X: Any) -> tuple[Array, bool]:
        """The output layer's Z[L] of shape (n_y, n_samples), finite; host or not."""
        fitted = self._placed()
        check_feature_names(fitted.feature_names, feature_names(X), type(self).__name__)
        X, backend, host = check_X(X, fitted.backend, None)
        self._check_features(X.shape[1], fitted)
        network, xp = fitted.architecture.network, backend.xp
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
            ZL, _ = network.forward(X.T, fitted.training.parameters, xp=xp)
        if not bool(xp.all(xp.isfinite(ZL))):
            raise ValueError(
                "Expected X on a scale the network's arithmetic can hold. Received values "
                f"that overflow {fitted.trained_on['dtype']} inside the network: standardise "
                "X as the training data was"
            )
        return ZL, host

    def _output(self, X: Any) -> tuple[Array, bool]:
        """The output layer's activation A[L] = g(Z[L]) of shape (n_y, n_samples)."""
        ZL, host = self._logits(X)
        return self._fitted().architecture.network.head.activation(ZL, xp=self.backend_.xp), host

    def _check_y(self, y: Any, n: int, shape: tuple[int, ...]) -> np.ndarray:
        if is_dask_array(y):
            y = y.compute()
        y = to_numpy(y)
        if y.shape != shape:
            raise ValueError(
                f"Expected y of shape {shape}, one per row of X. Received y of shape {y.shape}"
            )
        return y

    def _weights(self, sample_weight: Any, n: int) -> np.ndarray | None:
        if sample_weight is None:
            return None
        return to_numpy(check_sample_weight(sample_weight, n, self.backend_))[0]


class ClassifierPredictions(Predictor):
    """``predict_proba``, ``predict_log_proba``, ``predict`` and ``score`` (accuracy).

    A multilabel model (y of shape (n_samples, K) of 0/1, K independent sigmoids) gives
    each label's probability and a 0/1 matrix, and scores the fraction of rows whose
    every label is right (scikit-learn's subset accuracy).
    """

    classes_ = property(lambda self: self._fitted().classes)

    def _multilabel(self) -> bool:
        return self._fitted().architecture.multilabel

    def _saved_outputs(
        self, header: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> tuple[int, str | None]:
        classes = arrays.get("classes")
        if classes is None or classes.ndim != 1:
            raise ValueError("the array 'classes' is missing or not 1-D")
        n_y = header.get("n_outputs")
        if header.get("output_activation") == "sigmoid" and type(n_y) is int and n_y > 1:
            return n_y, "sigmoid"  # multilabel: K independent sigmoids
        return (1 if classes.shape[0] <= 2 else classes.shape[0]), None

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, of shape (n_samples, n_classes), in the order of ``classes_``.

        For a Dask array, a lazy Dask array: nothing is computed until you ask.
        """
        if is_dask_array(X):
            self._placed()
            return predict_blocks(self, X, proba=True)
        AL, host = self._output(X)
        xp = self.backend_.xp
        proba = xp.concat([1 - AL, AL], axis=0).T if AL.shape[0] == 1 else AL.T
        return to_numpy(proba) if host else proba

    def predict_log_proba(self, X: Any) -> Array:
        """The logarithms of :meth:`predict_proba`, from the logits: finite where a
        probability rounds to 0 (log σ(z) = −softplus(−z), log softmax(Z) = Z − logΣe^Z)."""
        ZL, host = self._logits(X)
        xp = self.backend_.xp
        if self._multilabel():  # each label's own sigmoid
            log_proba = -softplus(-ZL, xp=xp).T
        elif ZL.shape[0] == 1:
            log_proba = xp.concat([-softplus(ZL, xp=xp), -softplus(-ZL, xp=xp)], axis=0).T
        else:
            log_proba = log_softmax(ZL, xp=xp).T
        return to_numpy(log_proba) if host else log_proba

    def predict(self, X: Any) -> Array:
        """The most probable class for each row of X, as labels from ``classes_``.

        For two classes this is the course's rule: the positive class where A > 0.5.
        Text labels come back as a NumPy array even for X on a device, which holds
        numbers only. For a Dask array, a lazy Dask array.
        """
        if is_dask_array(X):
            self._placed()
            return predict_blocks(self, X, proba=False)
        AL, host = self._output(X)
        xp = self.backend_.xp
        if self._multilabel():  # a 0/1 matrix of shape (n_samples, K)
            labels = xp.astype(AL.T > 0.5, xp.int64)
            return to_numpy(labels) if host else labels
        index = xp.astype(AL[0, :] > 0.5, xp.int64) if AL.shape[0] == 1 else xp.argmax(AL, axis=0)
        if host or self.classes_.dtype.kind not in "biuf":
            return self.classes_[to_numpy(index)]
        return xp.take(self.backend_.put(self.classes_), index)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy: the (weighted) fraction of rows of X whose predicted label equals y
        (multilabel: whose every label does)."""
        predicted = self.predict(X)
        if is_dask_array(predicted):
            predicted = predicted.compute()
        predicted = to_numpy(predicted)
        n = predicted.shape[0]
        hits = predicted == self._check_y(y, n, predicted.shape)
        if hits.ndim == 2:
            hits = hits.all(axis=1)
        return float(np.average(hits, weights=self._weights(sample_weight, n)))


class RegressorPredictions(Predictor):
    """``predict`` and ``score`` (R²) of a fitted regressor."""

    def _saved_outputs(
        self, header: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> tuple[int, str | None]:
        n_y = header.get("n_outputs")
        if isinstance(n_y, bool) or not isinstance(n_y, int) or n_y < 1:
            raise ValueError(f"its header's n_outputs={n_y!r} is not a positive count")
        return n_y, None

    def predict(self, X: Any) -> Array:
        """The predicted targets: shape (n_samples,) for one target, else (n_samples, n_y).

        For a Dask array, a lazy Dask array.
        """
        if is_dask_array(X):
            self._placed()
            return predict_blocks(self, X, proba=False)
        AL, host = self._output(X)
        predicted = AL[0, :] if AL.shape[0] == 1 else AL.T
        return to_numpy(predicted) if host else predicted

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R², the coefficient of determination, averaged over the targets (scikit-learn's
        ``r2_score``: 1 is a perfect fit, 0 the mean's; a constant y scores 1 if predicted
        exactly, else 0)."""
        predicted = self.predict(X)
        if is_dask_array(predicted):
            predicted = predicted.compute()
        predicted = to_numpy(predicted).astype(np.float64)  # judged on the host, in float64
        n = predicted.shape[0]
        truth = self._check_y(y, n, predicted.shape).astype(np.float64)
        return r2_score(truth, predicted, sample_weight=self._weights(sample_weight, n))

"""Prediction from a fitted state: probabilities, labels and accuracy.

Host data comes back as NumPy arrays; arrays of a backend give results on the model's
device; a Dask array gives a lazy Dask array. Text labels come back on the host.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np  # edge: host-side labels

from ..backend import to_numpy
from ..dask_arrays import is_dask_array, predict_blocks
from ._persist import FittedModel
from ._validation import check_sample_weight, check_X

__all__ = ["Predictor"]

Array = Any


class Predictor(FittedModel):
    """``predict_proba``, ``predict`` and ``score`` (accuracy) of a fitted classifier."""

    def _output(self, X: Any) -> tuple[Array, bool]:
        """The output layer's activation A[L] of shape (n_y, n_samples); host or not."""
        fitted = self._placed()
        X, backend, host = check_X(X, fitted.backend, None)
        self._check_features(X.shape[1], fitted)
        network, xp = fitted.architecture.network, backend.xp
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
            ZL, _ = network.forward(X.T, fitted.training.parameters, xp=xp)
            AL = network.head.activation(ZL, xp=xp)
        if not bool(xp.all(xp.isfinite(AL))):
            raise ValueError(
                "Expected X on a scale the network's arithmetic can hold. Received values "
                f"that overflow {fitted.trained_on['dtype']} inside the network: standardise "
                "X as the training data was"
            )
        return AL, host

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
        index = xp.astype(AL[0, :] > 0.5, xp.int64) if AL.shape[0] == 1 else xp.argmax(AL, axis=0)
        if host or self.classes_.dtype.kind not in "biuf":
            return self.classes_[to_numpy(index)]
        return xp.take(self.backend_.put(self.classes_), index)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy: the (weighted) fraction of rows of X whose predicted label equals y."""
        predicted = self.predict(X)
        if is_dask_array(predicted):
            predicted = predicted.compute()
        if is_dask_array(y):
            y = y.compute()
        y = to_numpy(y)
        if y.shape != (predicted.shape[0],):
            raise ValueError(
                f"Expected y of shape ({predicted.shape[0]},), one label per row of X. "
                f"Received y of shape {y.shape}"
            )
        hits = to_numpy(predicted) == y
        if sample_weight is None:
            return float(np.mean(hits))
        weights = check_sample_weight(sample_weight, y.shape[0], self.backend_)
        return float(np.average(hits, weights=to_numpy(weights)[0]))

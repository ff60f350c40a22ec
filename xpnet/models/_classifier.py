"""A classifier: labels in, probabilities and labels out, accuracy as its score.

Two classes train one sigmoid unit on Y of shape (1, m); K > 2 classes a softmax on a
one-hot Y of shape (K, m). A multilabel y, (n_samples, K) of 0/1, trains K independent
sigmoids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np  # edge: host-side labels

from ..backend import Backend, dtype_name, index_dtype, to_numpy
from ..dask_arrays import is_dask_array, prepare
from ..labels import check_classes, n_outputs, one_hot
from ..losses import log_softmax, softplus
from ._validation import Encoded, encode_indicator, encode_labels, is_indicator
from .base import BaseEstimator
from .fitting import fit_estimator

__all__ = ["BaseClassifier"]

Array = Any


@dataclass(eq=False, repr=False)
class BaseClassifier(BaseEstimator):
    """A classifier: :class:`BaseEstimator`'s hyperparameters, labels in, classes
    (``classes_``) out; ``score`` is the accuracy, which early stopping watches."""

    _estimator_type: ClassVar[str] = "classifier"
    _score: ClassVar[str] = "accuracy"

    def _output_head(self, n_y: int) -> str:
        return "sigmoid" if n_y == 1 else "softmax"

    def _targets(self, y: Any, n: int, backend: Backend, classes: Any) -> Encoded:
        """y checked and encoded: 0/1 or one-hot Y, on the model's device."""
        if is_indicator(y):  # multilabel: K independent sigmoids, not stratified
            Y = encode_indicator(y, n, backend, classes)
            return Encoded(Y, Y, None, np.arange(Y.shape[0]), output="sigmoid")
        index, classes = encode_labels(y, n, backend, classes)
        Y = one_hot(index, n_outputs(classes), backend.dtype, xp=backend.xp, put=backend.put)
        strata = to_numpy(index) if self.early_stopping else None
        return Encoded(Y, index, strata, classes)

    def _blocks(self, X: Any, y: Any, sample_weight: Any, classes: Any):
        """Dask arrays checked: a source of blocks, the backend, the classes, n_y."""
        source, backend, classes = prepare(X, y, sample_weight, classes, self.dtype)
        return source, backend, classes, n_outputs(classes)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> BaseClassifier:
        """One epoch over (X, y), continuing from the fitted state: data in pieces.

        ``classes`` (every label that will ever be seen) is required on the first call
        and may not change; ``early_stopping=True`` is refused.
        """
        fitted = self.__dict__.get("fitted_")
        if fitted is None and classes is None:
            raise ValueError(
                "Expected classes= on the first call to partial_fit: every label that the "
                "pieces of data will hold. Received classes=None"
            )
        if fitted is not None and classes is not None:
            given = check_classes(classes, "classes")
            if not np.array_equal(given, fitted.classes):
                raise ValueError(
                    "Expected classes= as on the first call to partial_fit, "
                    f"{fitted.classes.tolist()}. Received: classes={given.tolist()}"
                )
        fit_estimator(self, X, y, sample_weight, None, 1, True, classes, partial=True)
        return self

    @property
    def classes_(self) -> np.ndarray:
        """The labels, sorted (0..K−1 for K multilabel columns)."""
        return self._fitted().classes  # type: ignore[return-value]

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, of shape (n_samples, n_classes), in the order of
        ``classes_``; lazy for a Dask array."""
        if is_dask_array(X):
            return self._predict_lazy(X, proba=True)
        AL, host = self._output(X)
        xp = self.backend_.xp
        proba = xp.concat([1 - AL, AL], axis=0).T if AL.shape[0] == 1 else AL.T
        return to_numpy(proba) if host else proba

    def predict_log_proba(self, X: Any) -> Array:
        """The logarithms of :meth:`predict_proba`, from the logits: finite where a
        probability rounds to 0 (log σ(z) = −softplus(−z), log softmax(Z) = Z − logΣe^Z)."""
        ZL, host = self._logits(X)
        xp = self.backend_.xp
        if self._fitted().architecture.multilabel:  # each label's own sigmoid
            log_proba = -softplus(-ZL, xp=xp).T
        elif ZL.shape[0] == 1:
            log_proba = xp.concat([-softplus(ZL, xp=xp), -softplus(-ZL, xp=xp)], axis=0).T
        else:
            log_proba = log_softmax(ZL, xp=xp).T
        return to_numpy(log_proba) if host else log_proba

    def predict(self, X: Any) -> Array:
        """The most probable class of ``classes_`` for each row of X (two classes: the
        positive one where A > 0.5); text labels come back on the host; lazy for Dask."""
        if is_dask_array(X):
            return self._predict_lazy(X, proba=False)
        AL, host = self._output(X)
        xp, classes = self.backend_.xp, self.classes_
        ints = index_dtype(xp, self.backend_.device)  # int32 on JAX without 64-bit integers
        if self._fitted().architecture.multilabel:  # a 0/1 matrix of shape (n_samples, K)
            labels = xp.astype(AL.T > 0.5, ints)
            return to_numpy(labels) if host else labels
        index = xp.astype(AL[0, :] > 0.5, ints) if AL.shape[0] == 1 else xp.argmax(AL, axis=0)
        held = classes.dtype.kind in "bf" or (
            classes.dtype.kind in "iu"
            and np.array_equal(classes.astype(dtype_name(ints)), classes)
        )  # labels the device's integers hold
        if host or not held:
            return classes[to_numpy(index)]
        return xp.take(self.backend_.put(classes), index)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy: the (weighted) fraction of rows of X whose predicted label equals y
        (multilabel: whose every label does)."""
        predicted, y, weights = self._judged(X, y, sample_weight)
        hits = predicted == y
        if hits.ndim == 2:
            hits = hits.all(axis=1)
        return float(np.average(hits, weights=weights))

"""A classifier: labels in, probabilities and labels out, accuracy as its score.

Two classes train one sigmoid unit on Y of shape (1, m); K > 2 classes a softmax on a
one-hot Y of shape (K, m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np  # edge: host-side labels

from ..backend import Backend, to_numpy
from ..dask_arrays import prepare
from ..targets import check_classes, one_hot
from ._base import BaseEstimator, Targets
from ._predict import ClassifierPredictions
from ._validation import encode_indicator, encode_labels, is_indicator

__all__ = ["BaseClassifier"]


@dataclass(eq=False, repr=False)
class BaseClassifier(ClassifierPredictions, BaseEstimator):
    """A classifier: :class:`BaseEstimator`'s hyperparameters, labels in, classes out.

    Two classes train one sigmoid unit, more a softmax; ``score`` is the accuracy and
    early stopping watches it on a split stratified by class. A multilabel y, of shape
    (n_samples, K) of 0/1, trains K independent sigmoids: ``predict`` gives a 0/1 matrix
    and ``score`` the fraction of rows whose every label is right.

    Attributes
    ----------
    classes_ : array of shape (n_classes,)
        The labels, sorted.
    """

    _estimator_type = "classifier"
    _score = "accuracy"

    def _output_head(self, n_y: int) -> str:
        return "sigmoid" if n_y == 1 else "softmax"

    def _targets(self, y: Any, n: int, backend: Backend, classes: Any) -> Targets:
        if is_indicator(y):  # multilabel: K independent sigmoids, not stratified
            Y = encode_indicator(y, n, backend, classes)
            return Targets(Y, Y, None, np.arange(Y.shape[0]), output="sigmoid")
        index, classes = encode_labels(y, n, backend, classes)
        n_y = 1 if classes.shape[0] == 2 else classes.shape[0]
        Y = one_hot(index, n_y, backend.dtype, xp=backend.xp, put=backend.put)
        strata = to_numpy(index) if self.early_stopping else None
        return Targets(Y, index, strata, classes)

    def _blocks(self, X: Any, y: Any, sample_weight: Any, classes: Any):
        source, backend, classes = prepare(X, y, sample_weight, classes, self.dtype)
        return source, backend, classes, 1 if classes.shape[0] == 2 else classes.shape[0]

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> BaseClassifier:
        """One epoch over (X, y), continuing from the fitted state: data in pieces.

        ``classes`` (every label that will ever be seen) is required on the first call;
        a later call may repeat it, but not change it. Early stopping does not apply: a
        piece of data leaves nothing to hold out, so ``early_stopping=True`` is refused.
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
        return self._fit(X, y, sample_weight, None, 1, True, classes, partial=True)

"""The course's models as estimators (rows are samples, as in scikit-learn)."""

from ._base import BaseClassifier, NotFittedError
from .deep import DeepNet
from .logistic import LogisticRegression
from .two_layer import TwoLayerNet

__all__ = ["BaseClassifier", "DeepNet", "LogisticRegression", "NotFittedError", "TwoLayerNet"]

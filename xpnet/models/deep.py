"""The L-layer network of the course's week 4, as an estimator.

It trains through the same engine as :func:`xpnet.course.L_model_forward` and
:func:`xpnet.course.L_model_backward`, which are its course-convention face.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._classifier import BaseClassifier
from .hyperparameters import HIDDEN_LAYERS, HYPERPARAMETERS, hidden_sizes

__all__ = ["DeepNet"]


@dataclass(eq=False, repr=False)
class DeepNet(BaseClassifier):
    """[LINEAR → g → dropout] × (L − 1) → LINEAR → sigmoid (softmax for more classes).

    The defaults are scikit-learn's ``MLPClassifier()``'s but the start (PyTorch's, for
    ReLU) and the hidden layers, of 100 and 50 units; the course's cat classifier is
    ``DeepNet(**xpnet.recipes.CATS_DEEP)``.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, or int
        n_1, ..., n_(L−1), the sizes of the hidden layers (an int: one hidden layer).
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}
        The hidden layers' activation.
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_1, n_features), "b1": (n_1, 1), ..., "WL": (n_y, n_(L−1)), "bL": ...}``.
    classes_, costs_, n_iter_, ... :
        As in :class:`xpnet.models.BaseEstimator`.
    """

    hidden_layer_sizes: Sequence[int] | int = (100, 50)
    activation: str = "relu"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {**HYPERPARAMETERS, **HIDDEN_LAYERS}

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return hidden_sizes(self.hidden_layer_sizes), self.activation

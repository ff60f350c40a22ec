"""The two-layer network of the course's week 3: one hidden layer, a sigmoid output.

Z1 = W1·X + b1,    A1 = g(Z1)
Z2 = W2·A1 + b2,   A2 = σ(Z2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .._checks import COUNT
from ._classifier import BaseClassifier
from .hyperparameters import HIDDEN_LAYERS, HYPERPARAMETERS

__all__ = ["TwoLayerNet"]


@dataclass(eq=False, repr=False)
class TwoLayerNet(BaseClassifier):
    """A network with one hidden layer of ``n_h`` units.

    The defaults are scikit-learn's ``MLPClassifier()``'s but the start (PyTorch's, for
    ReLU); the course's planar model is ``TwoLayerNet(**xpnet.recipes.PLANAR)``. More
    than two classes switch to a softmax.

    Parameters
    ----------
    n_h : int
        The hidden layer's size.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}
        The hidden layer's activation.
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_h, n_features), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}``.
    classes_, costs_, n_iter_, ... :
        As in :class:`xpnet.models.BaseEstimator`.
    """

    n_h: int = 100
    activation: str = "relu"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **HYPERPARAMETERS,
        "n_h": [COUNT],
        "activation": HIDDEN_LAYERS["activation"],
    }

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return (int(self.n_h),), self.activation

"""The two-layer network of the course's week 3: one hidden layer, a sigmoid output.

    Z1 = W1·X + b1,    A1 = g(Z1)
    Z2 = W2·A1 + b2,   A2 = σ(Z2)

The estimator trains through the engine; the course's ``forward_propagation`` and
``backward_propagation``, where examples are columns, are in :mod:`xpnet.course`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ._classifier import BaseClassifier
from .hyperparameters import HYPERPARAMETERS, ONE_HIDDEN_LAYER

__all__ = ["TwoLayerNet"]


@dataclass(eq=False, repr=False)
class TwoLayerNet(BaseClassifier):
    """A network with one hidden layer of ``n_h`` units.

    The defaults serve real data as scikit-learn's ``MLPClassifier()`` does: 100 ReLU
    units, Adam on mini-batches of 200, L2 of 1e-4, up to 200 epochs with its stopping
    rule. The course's planar model is ``TwoLayerNet(**xpnet.recipes.PLANAR)``: tanh,
    4 units, W = randn·0.01, full-batch gradient descent at rate 1.2 for 10,000 steps.
    More than two classes switch the output layer to a softmax.

    Parameters
    ----------
    n_h : int
        The hidden layer's size.
    activation : {"relu", "tanh", "leaky_relu", "sigmoid"}
        The hidden layer's activation.
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_h, n_features), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}``.
    classes_, costs_, cost_iterations_, n_iter_, n_features_in_ :
        As in :class:`xpnet.LogisticRegression`.
    """

    n_h: int = 100
    activation: str = "relu"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **HYPERPARAMETERS,
        **ONE_HIDDEN_LAYER,
    }

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return (int(self.n_h),), self.activation

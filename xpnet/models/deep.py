"""The L-layer network of the course's week 4, as an estimator.

The functions it trains with are :func:`xpnet.network.L_model_forward` and
:func:`xpnet.network.L_model_backward`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from ..network import L_model_backward, L_model_forward
from ._base import BaseClassifier

__all__ = ["DeepNet"]

Array = Any


class DeepNet(BaseClassifier):
    """[LINEAR → g] × (L − 1) → LINEAR → sigmoid (softmax for more than two classes).

    The defaults are the course's four-layer cat classifier: hidden sizes (20, 7, 5),
    ReLU, W = randn/√n_prev, learning rate 0.0075, 2,500 iterations.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int
        n_1, ..., n_(L−1), the sizes of the hidden layers.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid"}
        The hidden layers' activation.
    learning_rate, num_iterations, initialization, scale, random_state, cost_every,
    warm_start, dtype, progress :
        As in :class:`xpnet.LogisticRegression`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_1, n_features), "b1": (n_1, 1), ..., "WL": (n_y, n_(L−1)), "bL": ...}``.
    classes_, costs_, cost_iterations_, n_iter_, n_features_in_ :
        As in :class:`xpnet.LogisticRegression`.
    """

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (20, 7, 5),
        activation: str = "relu",
        learning_rate: float = 0.0075,
        num_iterations: int = 2500,
        *,
        initialization: str = "xavier",
        scale: float = 0.01,
        random_state: Any = None,
        cost_every: int = 100,
        warm_start: bool = False,
        dtype: str | None = None,
        progress: bool | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.num_iterations = num_iterations
        self.initialization = initialization
        self.scale = scale
        self.random_state = random_state
        self.cost_every = cost_every
        self.warm_start = warm_start
        self.dtype = dtype
        self.progress = progress

    def _check_hyperparameters(self) -> None:
        super()._check_hyperparameters()
        sizes = self.hidden_layer_sizes
        if (
            isinstance(sizes, str | bytes)
            or not isinstance(sizes, Sequence)
            or not all(isinstance(n, numbers.Integral) and n >= 1 for n in sizes)
        ):
            raise ValueError(
                "Invalid hidden_layer_sizes. Expected a sequence of positive integers, "
                f"e.g. (20, 7, 5). Received: {sizes!r}"
            )

    def _layer_dims(self, n_x: int, n_y: int) -> list[int]:
        return [n_x, *self.hidden_layer_sizes, n_y]

    def _forward(self, X: Array, parameters: dict[str, Array], xp: Any) -> tuple:
        AL, caches = L_model_forward(
            X, parameters, self.activation, self.output_activation_, xp=xp
        )
        return AL, caches[-1].Z, caches

    def _backward(self, X, Y, parameters, cache, A, xp) -> dict[str, Array]:
        return L_model_backward(A, Y, cache, self.activation, xp=xp)

"""The L-layer network with a linear output: regression on the course's engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._regressor import BaseRegressor
from .hyperparameters import HIDDEN_LAYERS, HYPERPARAMETERS, hidden_sizes

__all__ = ["DeepRegressor"]


@dataclass(eq=False, repr=False)
class DeepRegressor(BaseRegressor):
    """[LINEAR → g → dropout] × (L − 1) → LINEAR: a network whose output is A[L] = Z[L],
    minimising J = 1/(2m)·Σ (A − Y)² (+ the L2 term) for y of shape (n_samples,) or
    (n_samples, n_targets). The defaults are :class:`xpnet.DeepNet`'s but for the start,
    Glorot's (scikit-learn's); ``score`` is R².

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, or int
        n_1, ..., n_(L−1), the sizes of the hidden layers (an int: one hidden layer).
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}
        The hidden layers' activation.
    initialization : str, default="glorot"
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_1, n_features), "b1": (n_1, 1), ..., "WL": (n_y, n_(L−1)), "bL": ...}``.
    n_outputs_, n_iter_, loss_curve_, costs_, ... :
        As in :class:`xpnet.models.BaseEstimator`.
    """

    hidden_layer_sizes: Sequence[int] | int = (100, 50)
    activation: str = "relu"
    initialization: str = field(default="glorot", kw_only=True)

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {**HYPERPARAMETERS, **HIDDEN_LAYERS}

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return hidden_sizes(self.hidden_layer_sizes), self.activation

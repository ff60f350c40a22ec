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
    """[LINEAR → g → dropout] × (L − 1) → LINEAR: a network whose output is A[L] = Z[L].

    It minimises the course's mean squared error, J = 1/(2m)·Σ (A − Y)² (+ the L2 term),
    whose output gradient dZ[L] = A − Y is the classifiers' own. One target or several:
    y of shape (n_samples,) or (n_samples, n_targets). The defaults are
    :class:`xpnet.DeepNet`'s (two hidden layers of 100 and 50 ReLU units, Adam on
    mini-batches of 200, L2 of 1e-4, up to 200 epochs with scikit-learn's stopping rule)
    but for the start: Glorot's (``initialization="glorot"``, scikit-learn's), which
    learns regression faster than PyTorch's under every optimiser (see
    ``benchmarks/initialization``); ``score`` is R², as scikit-learn's ``MLPRegressor``
    has it.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, or int
        n_1, ..., n_(L−1), the sizes of the hidden layers (an int: one hidden layer).
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}
        The hidden layers' activation.
    initialization : str, default="glorot"
        The start, as in :class:`xpnet.models.BaseEstimator` (whose default,
        ``"pytorch"``, the classifiers keep).
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`; early stopping scores R².

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_1, n_features), "b1": (n_1, 1), ..., "WL": (n_y, n_(L−1)), "bL": ...}``.
    n_outputs_ : int
        The number of targets.
    n_iter_, loss_curve_, best_loss_, costs_, n_features_in_ :
        As in :class:`xpnet.models.BaseEstimator`.
    """

    hidden_layer_sizes: Sequence[int] | int = (100, 50)
    activation: str = "relu"
    initialization: str = field(default="glorot", kw_only=True)

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {**HYPERPARAMETERS, **HIDDEN_LAYERS}

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return hidden_sizes(self.hidden_layer_sizes), self.activation

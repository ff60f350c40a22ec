"""Logistic regression as a neural network with no hidden layer (the course's week 2).

    Z = wᵀ·X + b,   A = σ(Z),   dw = 1/m · X·(A − Y)ᵀ,   db = 1/m · Σ (A − Y)

With K > 2 classes w has shape (n_x, K) and the output is a softmax; w = W1ᵀ.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any

from ._classifier import BaseClassifier

__all__ = ["LogisticRegression"]

Array = Any


@dataclass(eq=False, repr=False)
class LogisticRegression(BaseClassifier):
    """Logistic regression: a sigmoid of a linear function, trained as a network.

    More than two classes switch to softmax regression. The course's week-2 recipe is
    ``LogisticRegression(**xpnet.recipes.CATS_LOGISTIC)``.

    Parameters
    ----------
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`; ``initialization`` defaults to
        ``"zeros"``, as in the course.

    Attributes
    ----------
    parameters_ : dict
        ``{"w": (n_features, 1), "b": (1, 1)}``, or (n_features, K) and (K, 1).
    classes_, n_iter_, loss_curve_, costs_, ... :
        As in :class:`xpnet.models.BaseEstimator`.
    """

    _: KW_ONLY
    learning_rate: float = 0.01
    initialization: str = "zeros"

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        return (), None

    @property
    def parameters_(self) -> dict[str, Array]:
        """``{"w": W1ᵀ, "b": b1}`` (Z = wᵀ·X + b), on the model's device."""
        parameters = super().parameters_
        return {"w": parameters["W1"].T, "b": parameters["b1"]}

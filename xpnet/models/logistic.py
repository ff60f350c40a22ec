"""Logistic regression as a neural network with no hidden layer (the course's week 2).

    Z = wᵀ·X + b,   A = σ(Z),   dw = 1/m · X·(A − Y)ᵀ,   db = 1/m · Σ (A − Y)

With K > 2 classes the same equations run with w of shape (n_x, K) and a softmax.
Examples are columns in the functions: X has shape (n_x, m), Y shape (1, m).
"""

from __future__ import annotations

from typing import Any

from array_api_compat import array_namespace

from ..activations import sigmoid, softmax
from ..losses import compute_cost
from ._base import BaseClassifier

__all__ = ["LogisticRegression", "backward", "forward", "propagate"]

Array = Any


def forward(w: Array, b: Array, X: Array, /, output: str = "sigmoid", *, xp: Any = None):
    """A = σ(wᵀ·X + b) (or a softmax), and Z.

    Parameters
    ----------
    w : array of shape (n_x, 1), or (n_x, K) with a softmax
    b : array of shape (1, 1), or (K, 1)
    X : array of shape (n_x, m)

    Returns
    -------
    A, Z : arrays of shape (1, m), or (K, m)
    """
    xp = array_namespace(X) if xp is None else xp
    Z = w.T @ X + b  # Z = wᵀ·X + b
    A = sigmoid(Z, xp=xp) if output == "sigmoid" else softmax(Z, xp=xp)  # A = σ(Z)
    return A, Z


def backward(X: Array, A: Array, Y: Array, /, *, xp: Any = None) -> dict[str, Array]:
    """``{"dw": 1/m · X·(A − Y)ᵀ, "db": 1/m · Σ (A − Y)}``."""
    xp = array_namespace(X) if xp is None else xp
    m = X.shape[1]
    dZ = A - Y
    dw = (X @ dZ.T) / m  # dw = 1/m · X·(A − Y)ᵀ
    db = xp.sum(dZ, axis=1, keepdims=True) / m  # db = 1/m · Σ (A − Y)
    return {"dw": dw, "db": db}


def propagate(
    w: Array, b: Array, X: Array, Y: Array, /, output: str = "sigmoid", *, xp: Any = None
) -> tuple[dict[str, Array], Array]:
    """The course's ``propagate``: the gradients and the cost, forward then backward.

    Returns
    -------
    grads : dict
        ``{"dw": ..., "db": ...}``, the shapes of w and b.
    cost : 0-d array
    """
    xp = array_namespace(X) if xp is None else xp
    A, Z = forward(w, b, X, output, xp=xp)
    return backward(X, A, Y, xp=xp), compute_cost(Z, Y, output, xp=xp)


class LogisticRegression(BaseClassifier):
    """Binary logistic regression, trained by gradient descent as in the course.

    More than two classes switch to multinomial (softmax) regression.

    Parameters
    ----------
    learning_rate : float
        α in w = w − α·dw.
    num_iterations : int
        Gradient-descent steps (each over the whole training set).
    initialization : {"zeros", "normal", "xavier", "he"}
        The course starts from zeros.
    scale : float
        The standard deviation for ``initialization="normal"``.
    random_state : None, int, RandomState or Generator
        Seeds random initialisations.
    cost_every : int
        Record the cost every this many iterations (the course: 100).
    warm_start : bool
        Continue from the fitted parameters on the next ``fit``.
    dtype : {None, "float32", "float64"}
        None keeps a floating backend array's dtype and otherwise takes the backend's.
    progress : bool or None
        Show a progress bar; None shows it on a terminal only.

    Attributes
    ----------
    parameters_ : dict
        ``{"w": (n_features, 1), "b": (1, 1)}``, or (n_features, K) and (K, 1).
    classes_ : array of shape (n_classes,)
    costs_ : list of float
        The cost at each of ``cost_iterations_``.
    """

    def __init__(
        self,
        learning_rate: float = 0.005,
        num_iterations: int = 2000,
        *,
        initialization: str = "zeros",
        scale: float = 0.01,
        random_state: Any = None,
        cost_every: int = 100,
        warm_start: bool = False,
        dtype: str | None = None,
        progress: bool | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.num_iterations = num_iterations
        self.initialization = initialization
        self.scale = scale
        self.random_state = random_state
        self.cost_every = cost_every
        self.warm_start = warm_start
        self.dtype = dtype
        self.progress = progress

    def _layer_dims(self, n_x: int, n_y: int) -> list[int]:
        return [n_x, n_y]

    def _initialize(self, n_x: int, n_y: int) -> dict[str, Array]:
        W = super()._initialize(n_x, n_y)
        return {"w": W["W1"].T, "b": W["b1"]}  # the course's w is a column: Z = wᵀ·X + b

    def _forward(self, X: Array, parameters: dict[str, Array], xp: Any) -> tuple:
        A, Z = forward(parameters["w"], parameters["b"], X, self.output_activation_, xp=xp)
        return A, Z, None

    def _backward(self, X, Y, parameters, cache, A, xp) -> dict[str, Array]:
        return backward(X, A, Y, xp=xp)

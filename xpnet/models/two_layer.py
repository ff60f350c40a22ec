"""The two-layer network of the course's week 3: one hidden layer, a sigmoid output.

    Z1 = W1·X + b1,    A1 = g(Z1)
    Z2 = W2·A1 + b2,   A2 = σ(Z2)

Examples are columns in the functions: X has shape (n_x, m), Y shape (1, m), or (K, m)
one-hot with a softmax output. The functions are the course's own, written out
equation by equation; the estimator trains through the engine, and a test proves the
two equal.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from array_api_compat import array_namespace

from ..activations import get_activation
from ..losses import get_output
from ._base import BaseClassifier
from ._validation import check_activation

__all__ = ["TwoLayerNet", "backward_propagation", "forward_propagation"]

Array = Any


def forward_propagation(
    X: Array,
    parameters: dict[str, Array],
    /,
    activation: str = "tanh",
    output: str = "sigmoid",
    *,
    xp: Any = None,
) -> tuple[Array, dict[str, Array]]:
    """The forward pass.

    Parameters
    ----------
    X : array of shape (n_x, m)
    parameters : dict
        ``W1`` (n_h, n_x), ``b1`` (n_h, 1), ``W2`` (n_y, n_h), ``b2`` (n_y, 1).
    activation : {"tanh", "relu", "leaky_relu", "sigmoid"}
        g, the hidden layer's activation.
    output : {"sigmoid", "softmax"}

    Returns
    -------
    A2 : array of shape (n_y, m)
    cache : dict
        ``{"A1", "Z2", "A2"}`` for the backward pass and the cost. Z1 is not kept:
        g'(Z1) is computed from A1, and dropping Z1 saves a hidden layer's worth of memory.
    """
    xp = array_namespace(X) if xp is None else xp
    g, sigma = get_activation(activation).fn, get_output(output).activation
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = W1 @ X + b1  # Z1 = W1·X + b1
    A1 = g(Z1, xp=xp)  # A1 = g(Z1)
    Z2 = W2 @ A1 + b2  # Z2 = W2·A1 + b2
    A2 = sigma(Z2, xp=xp)  # A2 = σ(Z2)
    return A2, {"A1": A1, "Z2": Z2, "A2": A2}


def backward_propagation(
    parameters: dict[str, Array],
    cache: dict[str, Array],
    X: Array,
    Y: Array,
    /,
    activation: str = "tanh",
    *,
    xp: Any = None,
) -> dict[str, Array]:
    """The backward pass, equation by equation.

    Returns
    -------
    grads : dict
        ``{"dW1", "db1", "dW2", "db2"}``, each the shape of its parameter.
    """
    xp = array_namespace(X) if xp is None else xp
    g_prime = get_activation(activation).derivative
    m = X.shape[1]
    W2, A1, A2 = parameters["W2"], cache["A1"], cache["A2"]
    if Y.dtype != A2.dtype:
        Y = xp.astype(Y, A2.dtype)  # the course's labels may be integers or booleans
    dZ2 = A2 - Y  # dZ2 = A2 − Y
    dW2 = (dZ2 @ A1.T) / m  # dW2 = 1/m · dZ2·A1ᵀ
    db2 = xp.sum(dZ2, axis=1, keepdims=True) / m  # db2 = 1/m · Σ dZ2
    dZ1 = (W2.T @ dZ2) * g_prime(A=A1, xp=xp)  # dZ1 = W2ᵀ·dZ2 ∗ g'(Z1), through A1 = g(Z1)
    dW1 = (dZ1 @ X.T) / m  # dW1 = 1/m · dZ1·Xᵀ
    db1 = xp.sum(dZ1, axis=1, keepdims=True) / m  # db1 = 1/m · Σ dZ1
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


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
        As in :class:`xpnet.models.BaseClassifier`.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1": (n_h, n_features), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}``.
    classes_, costs_, cost_iterations_, n_iter_, n_features_in_ :
        As in :class:`xpnet.LogisticRegression`.
    """

    n_h: int = 100
    activation: str = "relu"

    def _check_architecture(self) -> None:
        check_activation(self.activation)
        if (
            not isinstance(self.n_h, numbers.Integral)
            or isinstance(self.n_h, bool)
            or self.n_h < 1
        ):
            raise ValueError(f"Invalid n_h. Expected a positive integer. Received: {self.n_h!r}")

    def _hidden(self) -> tuple[int, ...]:
        return (int(self.n_h),)

    def _activation(self) -> str:
        return self.activation

"""Gradient checking: backprop against centred finite differences, in the course's vector form.

θ is every parameter flattened row by row and concatenated in the order W1, b1, W2,
b2, ...; then

    gradapprox_i = (J(θ + ε·e_i) − J(θ − ε·e_i)) / 2ε
    difference   = ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖)

A difference below about 2e-7 in float64 (the course's threshold) means the backward
pass is right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np  # edge: the host-side index of θ
from array_api_compat import array_namespace

from .backend import Backend

__all__ = [
    "dictionary_to_vector",
    "gradient_check",
    "gradients_to_vector",
    "numerical_gradients",
    "vector_to_dictionary",
]

Array = Any


def dictionary_to_vector(
    parameters: dict[str, Array], /, *, xp: Any = None
) -> tuple[Array, list[tuple[str, tuple[int, ...]]]]:
    """θ, all parameters flattened row by row and concatenated, and the layout to undo it."""
    xp = array_namespace(*parameters.values()) if xp is None else xp
    layout = [(name, tuple(P.shape)) for name, P in parameters.items()]
    return xp.concat([xp.reshape(P, (-1,)) for P in parameters.values()]), layout


def vector_to_dictionary(
    theta: Array, layout: list[tuple[str, tuple[int, ...]]], /, *, xp: Any = None
) -> dict[str, Array]:
    """The parameters dict that θ flattens (the inverse of :func:`dictionary_to_vector`)."""
    xp = array_namespace(theta) if xp is None else xp
    parameters, start = {}, 0
    for name, shape in layout:
        size = int(np.prod(shape))
        parameters[name] = xp.reshape(theta[start : start + size], shape)
        start += size
    return parameters


def gradients_to_vector(
    grads: dict[str, Array], layout: list[tuple[str, tuple[int, ...]]], /, *, xp: Any = None
) -> Array:
    """The gradients in θ's order: dW1, db1, dW2, ... flattened and concatenated."""
    return dictionary_to_vector({name: grads["d" + name] for name, _ in layout}, xp=xp)[0]


def numerical_gradients(
    cost: Callable[[dict[str, Array]], Array],
    parameters: dict[str, Array],
    /,
    *,
    epsilon: float = 1e-7,
    xp: Any = None,
) -> Array:
    """gradapprox: the centred finite-difference gradient of ``cost`` over all of θ.

    Parameters
    ----------
    cost : callable
        Maps a parameters dict to the scalar cost J (a 0-d array or a float).
    parameters : dict
        ``{"W1": ..., "b1": ...}`` on any backend.
    epsilon : float

    Returns
    -------
    array of shape (n_parameters,), in θ's order, on the parameters' device
    """
    xp = array_namespace(*parameters.values()) if xp is None else xp
    theta, layout = dictionary_to_vector(parameters, xp=xp)
    backend = Backend.of(theta)
    index = backend.put(np.arange(theta.shape[0]))  # created on θ's device
    approx = []
    for i in range(theta.shape[0]):
        E = epsilon * xp.astype(index == i, theta.dtype)  # ε·e_i
        J_plus = float(cost(vector_to_dictionary(theta + E, layout, xp=xp)))
        J_minus = float(cost(vector_to_dictionary(theta - E, layout, xp=xp)))
        approx.append((J_plus - J_minus) / (2 * epsilon))
    return backend.put(np.asarray(approx), theta.dtype)


def gradient_check(
    cost: Callable[[dict[str, Array]], Array],
    parameters: dict[str, Array],
    grads: dict[str, Array],
    /,
    *,
    epsilon: float = 1e-7,
    xp: Any = None,
) -> float:
    """The relative difference between backprop's ``grads`` and finite differences.

    Returns
    -------
    float
        ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖) over all parameters together.
    """
    xp = array_namespace(*parameters.values()) if xp is None else xp
    _, layout = dictionary_to_vector(parameters, xp=xp)
    grad = gradients_to_vector(grads, layout, xp=xp)
    gradapprox = numerical_gradients(cost, parameters, epsilon=epsilon, xp=xp)
    numerator = xp.linalg.vector_norm(grad - gradapprox)
    denominator = xp.linalg.vector_norm(grad) + xp.linalg.vector_norm(gradapprox)
    return float(numerator / denominator)

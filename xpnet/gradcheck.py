"""Gradient checking: backprop against centred finite differences.

    gradapprox_i = (J(θ + ε·e_i) − J(θ − ε·e_i)) / 2ε
    difference   = ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖)

A difference below 1e-7 in float64 means the backward pass is right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from array_api_compat import array_namespace, device

__all__ = ["gradient_check", "numerical_gradients"]

Array = Any


def numerical_gradients(
    cost: Callable[[dict[str, Array]], Array],
    parameters: dict[str, Array],
    /,
    *,
    epsilon: float = 1e-7,
    xp: Any = None,
) -> dict[str, Array]:
    """The centred finite-difference gradient of ``cost`` for every parameter.

    Parameters
    ----------
    cost : callable
        Maps a parameters dict to the scalar cost J (a 0-d array or a float).
    parameters : dict
        ``{"W1": ..., "b1": ...}`` on any backend.
    epsilon : float

    Returns
    -------
    dict
        ``{"dW1": ..., "db1": ...}``, each on its parameter's device, of its shape.
    """
    xp = array_namespace(*parameters.values()) if xp is None else xp
    approx = {}
    for name, P in parameters.items():
        n = P.shape[0] * P.shape[1]
        index = xp.reshape(xp.arange(n, device=device(P)), P.shape)
        columns = []
        for i in range(n):
            E = epsilon * xp.astype(index == i, P.dtype)  # ε·e_i
            J_plus = float(cost({**parameters, name: P + E}))
            J_minus = float(cost({**parameters, name: P - E}))
            columns.append((J_plus - J_minus) / (2 * epsilon))
        approx["d" + name] = xp.reshape(
            xp.asarray(columns, dtype=P.dtype, device=device(P)), P.shape
        )
    return approx


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
    approx = numerical_gradients(cost, parameters, epsilon=epsilon, xp=xp)
    grad = xp.concat([xp.reshape(grads[k], (-1,)) for k in approx])
    gradapprox = xp.concat([xp.reshape(approx[k], (-1,)) for k in approx])
    numerator = xp.linalg.vector_norm(grad - gradapprox)
    denominator = xp.linalg.vector_norm(grad) + xp.linalg.vector_norm(gradapprox)
    return float(numerator / denominator)

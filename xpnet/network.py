"""The L-layer network of the course's week 4, in its own functions.

Examples are columns: X has shape (n_x, m) and Y shape (1, m), or (K, m) one-hot with
a softmax output. ``parameters`` is ``{"W1": (n_1, n_x), "b1": (n_1, 1), ...}``; the
hidden layers share one activation and the output layer L is a sigmoid or a softmax.
"""

from __future__ import annotations

from typing import Any

from array_api_compat import array_namespace

from .layers import Cache, linear_activation_backward, linear_activation_forward, linear_backward

__all__ = ["L_model_backward", "L_model_forward", "n_layers"]

Array = Any


def n_layers(parameters: dict[str, Array]) -> int:
    """L, the number of layers with parameters."""
    return len(parameters) // 2


def L_model_forward(
    X: Array,
    parameters: dict[str, Array],
    /,
    activation: str = "relu",
    output: str = "sigmoid",
    *,
    xp: Any = None,
) -> tuple[Array, list[Cache]]:
    """[LINEAR → g] × (L − 1) → LINEAR → sigmoid or softmax.

    Returns
    -------
    AL : array of shape (n_L, m)
        The output layer's activation; ``caches[-1].Z`` holds its logits, for the cost.
    caches : list of Cache, one per layer
        Hidden layers keep A but not Z (None): backprop needs only A, and the memory of
        one Z per layer is the largest saving a forward pass can make.
    """
    xp = array_namespace(X) if xp is None else xp
    L = n_layers(parameters)
    A, caches = X, []
    for l in range(1, L + 1):  # noqa: E741 (the course's layer index)
        g = activation if l < L else output
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], g, xp=xp)
        caches.append(cache if l == L else cache._replace(Z=None))
    return A, caches


def L_model_backward(
    AL: Array, Y: Array, caches: list[Cache], /, activation: str = "relu", *, xp: Any = None
) -> dict[str, Array]:
    """All the gradients, from the output back to layer 1.

    The output layer's dZ[L] = A[L] − Y holds for a sigmoid with binary cross-entropy
    and for a softmax with categorical cross-entropy alike; it is exact where the
    course's dA[L] = −(Y/A[L] − (1 − Y)/(1 − A[L])) divides by zero at saturation.

    Returns
    -------
    grads : dict
        ``{"dW1": ..., "db1": ..., ...}``, each the shape of its parameter. The dA's are
        passed down and let go, not kept: each would hold a layer's worth of memory until
        the update. dA0, the gradient with respect to X, is not computed.
    """
    xp = array_namespace(AL) if xp is None else xp
    L = len(caches)
    grads = {}
    dZ = AL - Y  # dZ[L] = A[L] − Y
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(
        dZ, caches[L - 1].linear, need_dA_prev=L > 1, xp=xp
    )
    for l in reversed(range(1, L)):  # noqa: E741 (the course's layer index)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            dA, caches[l - 1], activation, need_dA_prev=l > 1, xp=xp
        )
    return grads

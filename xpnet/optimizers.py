"""Parameter updates. Full-batch gradient descent, as the course trains."""

from __future__ import annotations

from typing import Any

__all__ = ["update_parameters"]


def update_parameters(
    parameters: dict[str, Any], grads: dict[str, Any], learning_rate: float
) -> dict[str, Any]:
    """One gradient-descent step: W = W − α·dW and b = b − α·db for every layer.

    Returns a new dict; the arrays are replaced, not updated in place, so that
    immutable arrays (JAX) work too.
    """
    return {name: P - learning_rate * grads["d" + name] for name, P in parameters.items()}

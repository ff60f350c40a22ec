"""Initial parameters for any ``layer_dims``, drawn on the host.

Random draws happen on the host with NumPy, then move to the backend, so one seed
gives the same start on every backend. An int seed builds NumPy's legacy
``RandomState`` and draws W1 first, then W2, ..., with biases at zero: exactly the
course's order, so ``random_state=1`` reproduces its published initial weights.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np  # edge: host-side random draws

from .backend import get_backend

__all__ = ["INITIALIZATIONS", "check_random_state", "initialize_parameters", "standard_normal"]

#: Name → W_l from a standard-normal draw, n_(l-1) and ``scale``, written as the course
#: writes it (``randn / √n`` and ``randn · (1/√n)`` differ in the last bit).
INITIALIZATIONS = {
    "zeros": lambda R, n_prev, scale: 0 * R,
    "normal": lambda R, n_prev, scale: R * scale,  # W = randn · 0.01
    "xavier": lambda R, n_prev, scale: R / np.sqrt(n_prev),  # W = randn / √n_prev
    "he": lambda R, n_prev, scale: R * np.sqrt(2 / n_prev),  # W = randn · √(2 / n_prev)
}


def check_random_state(seed: Any) -> np.random.RandomState | np.random.Generator:
    """scikit-learn's convention: None, an int, a RandomState or a Generator."""
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState | np.random.Generator):
        return seed
    raise TypeError(
        "Invalid random_state. Expected None, an int, a numpy RandomState or Generator. "
        f"Received: random_state={seed!r}"
    )


def standard_normal(rng: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Standard-normal draws of ``shape``; a RandomState draws with ``randn``, as the course."""
    if isinstance(rng, np.random.RandomState):
        return rng.randn(*shape)  # the course's call, for bit-identical draws
    return rng.standard_normal(shape)


def initialize_parameters(
    layer_dims: Sequence[int],
    method: str = "xavier",
    *,
    scale: float = 0.01,
    random_state: Any = None,
    xp: Any = None,
    device: Any = None,
    dtype: Any = None,
) -> dict[str, Any]:
    """Parameters ``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": ..., "bL": ...}``.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_L]``: the input size, then each layer's number of units.
    method : {"zeros", "normal", "xavier", "he"}
        W = 0; W = randn · scale (the course's 0.01); W = randn / √n_prev (Xavier);
        W = randn · √(2 / n_prev) (He). Biases start at zero.
    scale : float
        The standard deviation for ``method="normal"``.
    random_state : None, int, RandomState or Generator
    xp, device, dtype : optional
        Where the parameters live, and their dtype; each defaults to the backend in force
        (:func:`xpnet.get_backend`).
    """
    dims = [int(n) for n in layer_dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError(
            "Invalid layer_dims. Expected at least two positive sizes [n_x, ..., n_L]. "
            f"Received: layer_dims={list(layer_dims)!r}"
        )
    if method not in INITIALIZATIONS:
        raise ValueError(
            f"Invalid initialization. Expected one of {sorted(INITIALIZATIONS)}. "
            f"Received: {method!r}"
        )
    if xp is None or device is None or dtype is None:
        backend = get_backend()
        xp = backend.xp if xp is None else xp
        device = backend.device if device is None else device
        dtype = backend.dtype if dtype is None else dtype
    rng = check_random_state(random_state) if method != "zeros" else None
    parameters = {}
    for l in range(1, len(dims)):  # noqa: E741 (the course's layer index)
        shape = (dims[l], dims[l - 1])
        R = np.zeros(shape) if rng is None else standard_normal(rng, shape)
        W = INITIALIZATIONS[method](R, dims[l - 1], scale)
        parameters[f"W{l}"] = xp.asarray(W, dtype=dtype, device=device)
        parameters[f"b{l}"] = xp.zeros((dims[l], 1), dtype=dtype, device=device)
    return parameters

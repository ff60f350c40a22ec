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

from ._checks import Options, check_param
from .backend import Backend

__all__ = [
    "INITIALIZATIONS",
    "METHODS",
    "check_method",
    "check_random_state",
    "draw_layer",
    "draw_parameters",
    "draw_weights",
    "standard_normal",
    "uniform",
]

#: Name → W_l from a standard-normal draw R of shape (n, n_prev) and ``scale``, written
#: as the course writes it (``randn / √n`` and ``randn · (1/√n)`` differ in the last bit).
INITIALIZATIONS = {
    "zeros": lambda R, scale: 0 * R,
    "random": lambda R, scale: R * scale,  # W = randn · 0.01 (course 1), randn · 10 (course 2)
    "normal": lambda R, scale: R * scale,  # the same as "random", by its statistical name
    "xavier": lambda R, scale: R / np.sqrt(R.shape[1]),  # W = randn / √n_prev
    "he": lambda R, scale: R * np.sqrt(2 / R.shape[1]),  # W = randn · √(2 / n_prev)
    "he_normal": lambda R, scale: R * np.sqrt(2 / R.shape[1]),  # the same as "he"
    "glorot_normal": lambda R, scale: R * np.sqrt(2 / sum(R.shape)),  # randn · √(2/(n + n_prev))
}
#: Name → the bound r of W ~ U(−r, r), from the shape (n, n_prev) of W.
UNIFORM = {
    "glorot": lambda n, n_prev: np.sqrt(6 / (n + n_prev)),  # Glorot and Bengio; scikit-learn
    "glorot_uniform": lambda n, n_prev: np.sqrt(6 / (n + n_prev)),  # the same as "glorot"
    "he_uniform": lambda n, n_prev: np.sqrt(6 / n_prev),  # r = √(6 / n_prev)
    "pytorch": lambda n, n_prev: 1 / np.sqrt(n_prev),  # kaiming_uniform(a=√5): r = 1/√n_prev
}
#: Initialisations whose biases are drawn too, b ~ U(−r, r): name → r from (n, n_prev).
BIASES = {"pytorch": lambda n, n_prev: 1 / np.sqrt(n_prev)}  # nn.Linear: r = 1/√n_prev
METHODS = (*INITIALIZATIONS, *UNIFORM)


def check_random_state(seed: Any) -> np.random.RandomState | np.random.Generator:
    """scikit-learn's convention: None (NumPy's global RandomState), an int in
    [0, 2**32 − 1] (a new RandomState, the course's draws), or a RandomState or Generator
    used as it is; anything else is refused, naming ``random_state``."""
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool | np.bool_):
        if not 0 <= int(seed) <= 2**32 - 1:
            raise ValueError(
                "Invalid random_state. Expected an int between 0 and 2**32 - 1. "
                f"Received: random_state={seed!r}"
            )
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


def uniform(rng: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform draws on [0, 1) of ``shape``; a RandomState draws with ``rand``, as the course."""
    if isinstance(rng, np.random.RandomState):
        return rng.rand(*shape)
    return rng.random(shape)


def draw_weights(rng: Any, shape: tuple[int, int], method: str, scale: float) -> np.ndarray:
    """One W of ``shape`` (n, n_prev), drawn on the host by ``method``: a formula of
    :data:`INITIALIZATIONS` (from randn) or a bound of :data:`UNIFORM`."""
    if method in UNIFORM:
        bound = UNIFORM[method](*shape)
        return rng.uniform(-bound, bound, shape)
    R = np.zeros(shape) if method == "zeros" else standard_normal(rng, shape)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
        W = INITIALIZATIONS[method](R, scale)
    if not np.isfinite(W).all():
        raise ValueError(
            f"Invalid scale for initialization={method!r}. Expected initial weights within "
            f"the float range. Received: scale={scale!r}, which overflows them"
        )
    return W


def draw_layer(
    rng: Any, shape: tuple[int, int], method: str, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """W of ``shape`` (n, n_prev) and b of shape (n, 1), drawn on the host in that order.

    Biases start at zero (the course's start) except for the initialisations that draw
    them (``"pytorch"``: b ~ U(±1/√n_prev), as ``nn.Linear``).
    """
    W = draw_weights(rng, shape, method, scale)
    if method not in BIASES:
        return W, np.zeros((shape[0], 1))
    bound = BIASES[method](*shape)
    return W, rng.uniform(-bound, bound, (shape[0], 1))


def draw_parameters(
    rng: Any, layer_dims: Sequence[int], method: str, scale: float, backend: Backend
) -> dict[str, Any]:
    """``{"W1": (n_1, n_x), "b1": (n_1, 1), ...}`` for ``layer_dims = [n_x, n_1, ..., n_L]``,
    each layer drawn in order on the host (:func:`draw_layer`), then put on ``backend``."""
    parameters = {}
    for l in range(1, len(layer_dims)):  # noqa: E741 (the course's layer index)
        W, b = draw_layer(rng, (layer_dims[l], layer_dims[l - 1]), method, scale)
        parameters[f"W{l}"] = backend.put(W, backend.dtype)
        parameters[f"b{l}"] = backend.put(b, backend.dtype)
    return parameters


def check_method(method: Any) -> str:
    """``method`` if it names an initialisation, else the library's one refusal listing
    them."""
    return check_param("initialization", method, [Options(*METHODS)])

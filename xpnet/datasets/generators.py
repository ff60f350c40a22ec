"""Generated data sets: the course's planar flower and four classic toy problems.

Each returns host NumPy arrays X of shape (n_samples, 2) (``make_gaussian_quantiles``:
(n_samples, n_features)) and labels y of shape (n_samples,). ``random_state`` follows
scikit-learn's convention: None, an int, a NumPy ``RandomState`` or ``Generator``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np  # edge: data generation happens on the host

from ..initializers import check_random_state, standard_normal, uniform

__all__ = [
    "GENERATED",
    "make_blobs",
    "make_circles",
    "make_gaussian_quantiles",
    "make_moons",
    "make_planar",
]


def make_planar(m: int = 400, petals: int = 4, noise: float = 0.2, random_state: Any = 1):
    """The course's planar "flower": two classes of m/2 points, by the course's recipe.

    For each class j, angles t = linspace(3.12·j, 3.12·(j+1)) + noise·randn and radii
    r = a·sin(4t) + noise·randn; the points are (r·sin t, r·cos t), not shuffled. With
    the defaults (RandomState(1)) these are the course's 400 points exactly.

    Returns
    -------
    X : array of shape (m, 2)
    y : array of shape (m,), labels 0 and 1
    """
    rng = check_random_state(random_state)
    N = m // 2
    X, y = np.zeros((2 * N, 2)), np.zeros(2 * N, dtype=np.int64)
    for j in range(2):
        rows = slice(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + standard_normal(rng, (N,)) * noise  # theta
        r = petals * np.sin(4 * t) + standard_normal(rng, (N,)) * noise  # radius
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y


def make_moons(n_samples: int = 200, noise: float = 0.2, random_state: Any = None):
    """Two interleaving half circles. Returns X (n_samples, 2), y (n_samples,)."""
    rng = check_random_state(random_state)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.r_[
        np.c_[np.cos(outer), np.sin(outer)],
        np.c_[1 - np.cos(inner), 1 - np.sin(inner) - 0.5],
    ]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    return X + noise * standard_normal(rng, (n_samples, 2)), y


def make_circles(
    n_samples: int = 200, factor: float = 0.5, noise: float = 0.05, random_state: Any = None
):
    """A circle inside another, the inner one scaled by ``factor``. Returns X, y."""
    rng = check_random_state(random_state)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.r_[np.c_[np.cos(outer), np.sin(outer)], factor * np.c_[np.cos(inner), np.sin(inner)]]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    return X + noise * standard_normal(rng, (n_samples, 2)), y


def make_blobs(n_samples: int = 200, centers: int = 6, std: float = 0.3, random_state: Any = None):
    """Gaussian blobs around random centres, made binary: blob k gets label k mod 2."""
    rng = check_random_state(random_state)
    middles = (uniform(rng, (centers, 2)) - 0.5) * 8
    blob = np.arange(n_samples) % centers
    X = middles[blob] + std * standard_normal(rng, (n_samples, 2))
    return X, blob % 2


def make_gaussian_quantiles(
    n_samples: int = 200, n_features: int = 2, n_classes: int = 2, random_state: Any = None
):
    """A standard normal cloud cut into ``n_classes`` shells of equal size by distance."""
    rng = check_random_state(random_state)
    X = standard_normal(rng, (n_samples, n_features))
    order = np.argsort(np.sum(X * X, axis=1), kind="stable")
    y = np.empty(n_samples, dtype=np.int64)
    y[order] = np.arange(n_samples) * n_classes // n_samples
    return X, y


#: Generated data sets: a fresh draw with another seed makes a true test set.
GENERATED: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "planar": make_planar,
    "moons": make_moons,
    "circles": make_circles,
    "blobs": make_blobs,
    "gaussian_quantiles": make_gaussian_quantiles,
}

"""Plots of a model: its cost curve, its decision boundary, its confusion matrix.

matplotlib comes from the ``plot`` extra. Each function takes a fitted model or
arrays of any backend, moves to the host only what it draws, and returns the
matplotlib ``Axes`` so that it can be restyled.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np  # edge: plotting happens on the host

from .backend import to_numpy
from .io import replacing

__all__ = ["plot_confusion_matrix", "plot_cost", "plot_decision_boundary", "save_figure"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib. Install it with: pip install 'xpnet[plot]'"
        ) from exc
    return plt


def _axes(ax: Any) -> Any:
    return _pyplot().subplots(figsize=(6, 4.5))[1] if ax is None else ax


def plot_cost(
    model_or_costs: Any, iterations: Any = None, *, ax: Any = None, title: str | None = None
):
    """The cost against the iteration, as the course draws it.

    Parameters
    ----------
    model_or_costs : fitted model, or sequence of float
        A model brings its ``costs_`` and ``cost_iterations_``.
    iterations : sequence of int, optional
        The iterations of the costs, when ``model_or_costs`` is a sequence.
    """
    if hasattr(model_or_costs, "costs_"):
        costs, iterations = model_or_costs.costs_, model_or_costs.cost_iterations_
        title = (
            title
            or f"{type(model_or_costs).__name__}, learning rate {model_or_costs.learning_rate}"
        )
    else:
        costs = to_numpy(model_or_costs).ravel()
        iterations = range(len(costs)) if iterations is None else iterations
    ax = _axes(ax)
    ax.plot(list(iterations), list(costs))
    ax.set(xlabel="iteration", ylabel="cost", title=title or "Cost")
    ax.grid(alpha=0.3)
    return ax


def plot_decision_boundary(
    model: Any, X: Any, y: Any, *, ax: Any = None, resolution: int = 300, title: str | None = None
):
    """The regions a 2-D model assigns to each class, under the data points.

    Parameters
    ----------
    model : fitted estimator with two features
    X : array of shape (n_samples, 2)
    y : array of shape (n_samples,)
    """
    X_host, y_host = to_numpy(X), to_numpy(y)
    if X_host.ndim != 2 or X_host.shape[1] != 2:
        raise ValueError(
            f"Expected X of shape (n_samples, 2) to draw a decision boundary. "
            f"Received shape {X_host.shape}"
        )
    pad = 0.5
    (x0, y0), (x1, y1) = X_host.min(axis=0) - pad, X_host.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[xx.ravel(), yy.ravel()]
    classes = to_numpy(model.classes_)
    labels = np.searchsorted(classes, to_numpy(model.predict(grid)))
    ax = _axes(ax)
    cmap = _pyplot().get_cmap("Spectral", len(classes))
    levels = np.arange(len(classes) + 1) - 0.5
    ax.contourf(xx, yy, labels.reshape(xx.shape), levels=levels, cmap=cmap, alpha=0.6)
    ax.scatter(
        X_host[:, 0],
        X_host[:, 1],
        c=np.searchsorted(classes, y_host),
        cmap=cmap,
        vmin=-0.5,
        vmax=len(classes) - 0.5,
        s=14,
        edgecolors="k",
        linewidths=0.3,
    )
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    ax.set_title(title or f"Decision boundary of {type(model).__name__}")
    return ax


def plot_confusion_matrix(
    C: Any, labels: Any = None, *, ax: Any = None, title: str = "Confusion matrix"
):
    """The confusion matrix as an image, each cell annotated with its count.

    Parameters
    ----------
    C : array of shape (n_classes, n_classes)
        From :func:`xpnet.metrics.confusion_matrix`: rows are true classes.
    labels : sequence, optional
        The class names, in order.
    """
    C = to_numpy(C)
    labels = [str(v) for v in (range(C.shape[0]) if labels is None else to_numpy(labels).tolist())]
    ax = _axes(ax)
    image = ax.imshow(C, cmap="Blues")
    ax.figure.colorbar(image, ax=ax)
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 4 else 0)
    ax.set_yticks(range(len(labels)), labels)
    threshold = C.max() / 2 if C.size else 0
    for (i, j), count in np.ndenumerate(C):
        color = "white" if count > threshold else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=color)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return ax


def save_figure(ax: Any, path: str | os.PathLike[str]) -> Path:
    """Write the figure of ``ax`` to ``path``, in the format its suffix names (PNG where
    it has none), atomically (:func:`xpnet.io.replacing`), and close it; the path."""
    path = Path(path)
    figure = ax.figure
    figure.tight_layout()
    try:
        with replacing(path, f"the figure {str(path)!r}") as tmp:
            figure.savefig(tmp, dpi=120, format=path.suffix[1:].lower() or "png")
    finally:
        _pyplot().close(figure)
    return path

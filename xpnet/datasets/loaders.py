"""Data sets read from files and libraries: the course's cats and football field, two
tables that ship with scikit-learn, and CSV files (Zarr stores:
:mod:`.stores`).

Every loader returns host NumPy arrays in scikit-learn's convention, X of shape
(n_samples, n_features) and y of shape (n_samples,).
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np  # edge: data loading happens on the host

__all__ = [
    "TABLES",
    "load_breast_cancer",
    "load_catvnoncat",
    "load_csv",
    "load_diabetes",
    "load_digits",
    "load_football",
]


def load_catvnoncat(directory: str | os.PathLike[str]):
    """The course's cat vs non-cat images, flattened to 12,288 values and divided by 255.

    Parameters
    ----------
    directory : path
        The folder holding ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``.

    Returns
    -------
    X_train : array of shape (209, 12288)
    y_train : array of shape (209,), 1 for cat
    X_test : array of shape (50, 12288)
    y_test : array of shape (50,)
    classes : list of str
        ``["non-cat", "cat"]``
    """
    h5py = _require("h5py", "Reading the cat images")
    directory = Path(directory)
    out = []
    for part in ("train", "test"):
        path = directory / f"{part}_catvnoncat.h5"
        if not path.is_file():
            raise FileNotFoundError(
                f"Expected the course's {part}_catvnoncat.h5 in {directory}. "
                f"Received a folder without it"
            )
        try:
            with h5py.File(path, "r") as f:
                images = np.asarray(f[f"{part}_set_x"])
                labels = np.asarray(f[f"{part}_set_y"])
                classes = [c.decode() for c in np.asarray(f["list_classes"])]
        except (OSError, KeyError) as exc:
            raise ValueError(
                f"Expected an HDF5 file with {part}_set_x, {part}_set_y and list_classes. "
                f"Received {path}, which cannot be read that way: {exc}"
            ) from exc
        if images.ndim != 4 or images.shape[0] != labels.shape[0]:
            raise ValueError(
                f"Expected {part}_set_x of shape (m, height, width, 3) and m labels in {path}. "
                f"Received {images.shape} and {labels.shape}"
            )
        out += [images.reshape(images.shape[0], -1) / 255, labels.reshape(-1).astype(np.int64)]
    return (*out, classes)


def load_football(directory: str | os.PathLike[str]):
    """The course's regularisation data: where the goalkeeper kicked, who headed it.

    Parameters
    ----------
    directory : path
        The folder holding the course's ``data.mat`` (read with SciPy).

    Returns
    -------
    X_train : array of shape (211, 2)
    y_train : array of shape (211,), 1 where a French player headed the ball
    X_test : array of shape (200, 2)
    y_test : array of shape (200,)
    """
    loadmat = _require("scipy.io", "Reading the football data").loadmat
    path = Path(directory) / "data.mat"
    if not path.is_file():
        raise FileNotFoundError(
            f"Expected the course's data.mat in {directory}. Received a folder without it"
        )
    try:
        data = loadmat(path)
        parts = [data["X"], data["y"], data["Xval"], data["yval"]]
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(
            f"Expected a MATLAB file with X, y, Xval and yval. Received {path}: {exc}"
        ) from exc
    X_train, y_train, X_test, y_test = (np.asarray(a) for a in parts)
    y_train, y_test = y_train.reshape(-1).astype(np.int64), y_test.reshape(-1).astype(np.int64)
    return X_train.astype(np.float64), y_train, X_test.astype(np.float64), y_test


def _require(module: str, what: str) -> Any:
    """``module``, imported, or an ImportError naming ``what`` needs it and the fix."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} needs {module}. Install it with: pip install 'xpnet[data]'"
        ) from exc


def _sklearn_dataset(name: str):
    datasets = _require("sklearn.datasets", f"The {name} data set")
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(y)


def load_breast_cancer():
    """Wisconsin breast cancer (569 × 30, binary), from scikit-learn. Returns X, y."""
    return _sklearn_dataset("breast_cancer")


def load_digits():
    """Handwritten digits (1,797 × 64, ten classes), from scikit-learn. Returns X, y."""
    return _sklearn_dataset("digits")


def load_diabetes():
    """Diabetes progression (442 × 10, a real target), from scikit-learn. Returns X, y."""
    X, y = _sklearn_dataset("diabetes")
    return X, y.astype(np.float64)


def load_csv(path: str | os.PathLike[str]):
    """A CSV file whose last column is the label (or a regressor's target) and the others
    numeric features.

    A first row that is not numeric is taken as a header, and so is a first row of the
    column numbers 0, 1, ..., n − 1 (the names pandas writes for unnamed columns). Labels
    may be numbers or text.

    Returns
    -------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Expected a CSV file. Received {str(path)!r}, which does not exist"
        )
    try:
        with warnings.catch_warnings():  # loadtxt's warnings about empty input: said below
            warnings.simplefilter("ignore", UserWarning)
            rows = np.loadtxt(path, delimiter=",", dtype=str, ndmin=2, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"Expected a CSV file of equal-length rows. Received {path}: {exc}"
        ) from exc
    if not rows.size:
        raise ValueError(
            "Expected a CSV file with feature columns, then a label column, and at least one "
            f"row. Received {path}, which holds no data"
        )
    numbered = [str(i) for i in range(rows.shape[1])]
    if not _is_number(rows[0, 0]) or np.char.strip(rows[0]).tolist() == numbered:
        rows = rows[1:]
    if rows.shape[0] < 1 or rows.shape[1] < 2:
        raise ValueError(
            "Expected a CSV file with feature columns, then a label column, and at least one "
            f"row. Received {path} with {rows.shape[0]} rows of {rows.shape[1]} columns"
        )
    try:
        X = rows[:, :-1].astype(np.float64)
    except ValueError as exc:
        raise ValueError(
            f"Expected numeric features in every column but the last of {path}: {exc}"
        ) from exc
    labels = np.char.strip(rows[:, -1])
    y = labels.astype(np.float64) if all(_is_number(v) for v in labels) else labels
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    return X, y


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: Real data sets, split into a training and a test part (diabetes: a regression target).
TABLES: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "breast_cancer": load_breast_cancer,
    "diabetes": load_diabetes,
    "digits": load_digits,
}

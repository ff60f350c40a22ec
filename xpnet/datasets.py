"""Data sets: the course's own, a few classic toy problems, and two real tables.

Every loader returns host NumPy arrays in scikit-learn's convention, X of shape
(n_samples, n_features) and y of shape (n_samples,); the estimators move them to the
backend. For the functional layer, take ``X.T`` and ``y.reshape(1, -1)``.

:func:`train_test_split` and :class:`StandardScaler` run on any backend.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np  # edge: data generation and loading happen on the host

from .backend import as_arrays, default_float
from .initializers import check_random_state, standard_normal

__all__ = [
    "DATASETS",
    "StandardScaler",
    "load_breast_cancer",
    "load_catvnoncat",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_football",
    "load_zarr",
    "make_blobs",
    "make_circles",
    "make_gaussian_quantiles",
    "make_moons",
    "make_planar",
    "save_zarr",
    "train_test_split",
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
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * noise  # theta
        r = petals * np.sin(4 * t) + rng.randn(N) * noise  # radius
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
    middles = (rng.uniform(size=(centers, 2)) - 0.5) * 8
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
    try:
        import h5py
    except ImportError as exc:
        raise ImportError(
            "Reading the cat images needs h5py. Install it with: pip install 'xpnet[data]'"
        ) from exc
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
    try:
        from scipy.io import loadmat
    except ImportError as exc:
        raise ImportError(
            "Reading the football data needs SciPy. Install it with: pip install 'xpnet[data]'"
        ) from exc
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
    return (
        X_train.astype(np.float64),
        y_train.reshape(-1).astype(np.int64),
        X_test.astype(np.float64),
        y_test.reshape(-1).astype(np.int64),
    )


def load_zarr(path: str | os.PathLike[str], *, test_size: float = 0.2):
    """A Zarr store with arrays ``X`` (n_samples, n_features) and ``y`` (n_samples,), as
    lazy Dask arrays chunked as stored: nothing is read until training reads it.

    The last ``test_size`` of the rows are held out (a slice, so that it stays lazy;
    shuffle the rows when you write the store).

    Returns
    -------
    X_train, y_train, X_test, y_test : Dask arrays
    """
    try:
        import dask.array as da
    except ImportError as exc:
        raise ImportError(
            "Reading a Zarr store needs Dask and Zarr. Install them with: "
            "pip install 'xpnet[dask]'"
        ) from exc
    if not Path(path).is_dir():
        raise FileNotFoundError(
            f"Expected a Zarr store (a folder). Received {str(path)!r}, which does not exist"
        )
    try:
        X, y = da.from_zarr(str(path), component="X"), da.from_zarr(str(path), component="y")
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(
            f"Expected a Zarr store with arrays X and y. Received {str(path)!r}: {exc}"
        ) from exc
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"Expected X of shape (n_samples, n_features) and y of shape (n_samples,) in "
            f"{str(path)!r}. Received {X.shape} and {y.shape}"
        )
    n_test = max(1, round(X.shape[0] * test_size))
    cut = X.shape[0] - n_test
    return X[:cut], y[:cut], X[cut:], y[cut:]


def save_zarr(path: str | os.PathLike[str], X: Any, y: Any, *, chunk_rows: int = 10_000):
    """Write X and y (NumPy or Dask arrays) to a Zarr store that :func:`load_zarr` reads."""
    import dask.array as da

    X = X if hasattr(X, "to_zarr") else da.from_array(np.asarray(X), chunks=(chunk_rows, -1))
    y = y if hasattr(y, "to_zarr") else da.from_array(np.asarray(y), chunks=(chunk_rows,))
    X.to_zarr(str(path), component="X", overwrite=True)
    y.rechunk((X.chunks[0],)).to_zarr(str(path), component="y", overwrite=True)
    return Path(path)


def _sklearn_dataset(name: str):
    try:
        from sklearn import datasets
    except ImportError as exc:
        raise ImportError(
            f"The {name} data set ships with scikit-learn. Install it with: "
            "pip install 'xpnet[data]'"
        ) from exc
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(y)


def load_breast_cancer():
    """Wisconsin breast cancer (569 × 30, binary), from scikit-learn. Returns X, y."""
    return _sklearn_dataset("breast_cancer")


def load_digits():
    """Handwritten digits (1,797 × 64, ten classes), from scikit-learn. Returns X, y."""
    return _sklearn_dataset("digits")


def load_csv(path: str | os.PathLike[str]):
    """A CSV file whose last column is the label and the others numeric features.

    A first row that is not numeric is taken as a header. Labels may be numbers or text.

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
        rows = np.loadtxt(path, delimiter=",", dtype=str, ndmin=2, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"Expected a CSV file of equal-length rows. Received {path}: {exc}"
        ) from exc
    if rows.size and not _is_number(rows[0, 0]):
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


#: Generated data sets: a fresh draw with another seed makes a true test set.
GENERATED = {
    "planar": make_planar,
    "moons": make_moons,
    "circles": make_circles,
    "blobs": make_blobs,
    "gaussian_quantiles": make_gaussian_quantiles,
}
#: Real data sets, split into a training and a test part.
TABLES = {"breast_cancer": load_breast_cancer, "digits": load_digits}
DATASETS = [*GENERATED, *TABLES, "catvnoncat"]


def load_dataset(
    name: str,
    *,
    test_size: float = 0.2,
    random_state: Any = 0,
    data_dir: str | os.PathLike[str] | None = None,
):
    """A training and a test set, by name (one of :data:`DATASETS`) or a CSV file's path.

    Generated sets draw their training set as the course does (planar: RandomState(1);
    the others: ``random_state``) and a test set of the same size from the next seed.
    Tables and CSV files are split with :func:`train_test_split`. ``"catvnoncat"``
    reads the course's two HDF5 files from ``data_dir`` (or ``XPNET_DATA_DIR``).

    A path ending in ``.zarr`` opens a Zarr store lazily (:func:`load_zarr`).

    Returns
    -------
    X_train, y_train, X_test, y_test : host arrays (Dask arrays for a Zarr store)
    """
    if name in GENERATED:
        seed = 1 if name == "planar" else int(random_state or 0)
        return (*GENERATED[name](random_state=seed), *GENERATED[name](random_state=seed + 1))
    if name == "catvnoncat":
        data_dir = data_dir or os.environ.get("XPNET_DATA_DIR")
        if not data_dir:
            raise ValueError(
                "The catvnoncat data set needs the folder of its HDF5 files. Received none: "
                "pass --data-dir DIR or set XPNET_DATA_DIR"
            )
        return load_catvnoncat(data_dir)[:4]
    if name.rstrip("/").lower().endswith(".zarr"):
        return load_zarr(name, test_size=test_size)
    if name in TABLES:
        X, y = TABLES[name]()
    elif name.lower().endswith(".csv") or os.sep in name:
        X, y = load_csv(name)
    else:
        raise ValueError(
            f"Invalid data set. Expected one of {DATASETS} or a path to a .csv file. "
            f"Received: {name!r}"
        )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state
    )
    return X_train, y_train, X_test, y_test


def train_test_split(*arrays: Any, test_size: float = 0.25, random_state: Any = None):
    """Shuffle the rows and split each array into a training and a test part.

    The permutation is drawn on the host; the rows are taken where the arrays live.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``
    """
    if not 0 < test_size < 1:
        raise ValueError(
            f"Invalid test_size. Expected a fraction in (0, 1). Received: {test_size!r}"
        )
    xp, device, arrays = as_arrays(*arrays)
    n = arrays[0].shape[0]
    if any(a.shape[0] != n for a in arrays):
        raise ValueError(
            f"Expected arrays with one number of rows. Received {[a.shape[0] for a in arrays]}"
        )
    n_test = max(1, round(n * test_size))
    if n_test >= n:
        raise ValueError(f"Expected at least two rows to split. Received {n}")
    order = check_random_state(random_state).permutation(n)
    test = xp.asarray(order[:n_test], device=device)
    train = xp.asarray(order[n_test:], device=device)
    return [part for a in arrays for part in (xp.take(a, train, axis=0), xp.take(a, test, axis=0))]


class StandardScaler:
    """Standardise each feature: (X − mean) / std, with std = 1 where a feature is constant.

    Works where X lives; ``mean_`` and ``scale_`` stay on that device.
    """

    def fit(self, X: Any) -> StandardScaler:
        xp, device, (X,) = as_arrays(X)
        if not xp.isdtype(X.dtype, "real floating"):
            X = xp.astype(X, default_float(xp, device))
        self.mean_ = xp.mean(X, axis=0)
        std = xp.std(X, axis=0)
        self.scale_ = xp.where(std > 0, std, 1.0)
        return self

    def transform(self, X: Any) -> Any:
        if not hasattr(self, "mean_"):
            raise ValueError("This StandardScaler is not fitted yet. Call fit(X) first")
        _, _, (X, mean, scale) = as_arrays(X, self.mean_, self.scale_)
        return (X - mean) / scale

    def fit_transform(self, X: Any) -> Any:
        return self.fit(X).transform(X)

"""Data sets: the course's own, a few classic toy problems, and three real tables.

Every loader returns host NumPy arrays in scikit-learn's convention, X of shape
(n_samples, n_features) and y of shape (n_samples,); the estimators move them to the
backend. For the functional layer, take ``X.T`` and ``y.reshape(1, -1)``.

The generators live in :mod:`.generators`, the readers in :mod:`.loaders` and
:mod:`.stores`, splitting and scaling in :mod:`.preprocessing`; :func:`load_dataset`
picks a data set by name.
"""

from __future__ import annotations

import numbers
import os
from typing import Any

from ..initializers import check_random_state
from .generators import (
    GENERATED,
    make_blobs,
    make_circles,
    make_gaussian_quantiles,
    make_moons,
    make_planar,
)
from .loaders import (
    TABLES,
    load_breast_cancer,
    load_catvnoncat,
    load_csv,
    load_diabetes,
    load_digits,
    load_football,
)
from .preprocessing import StandardScaler, train_test_split
from .sequences import make_marked_xor
from .stores import load_zarr, save_zarr
from .text import load_dinos

__all__ = [
    "DATASETS",
    "StandardScaler",
    "load_breast_cancer",
    "load_catvnoncat",
    "load_csv",
    "load_dataset",
    "load_diabetes",
    "load_digits",
    "load_dinos",
    "load_football",
    "load_zarr",
    "make_blobs",
    "make_circles",
    "make_gaussian_quantiles",
    "make_marked_xor",
    "make_moons",
    "make_planar",
    "save_zarr",
    "train_test_split",
]

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
    the others: ``random_state``) and a test set of the same size from the next seed
    (or the same generator). Tables and CSV files are split with
    :func:`train_test_split`; ``"catvnoncat"`` reads ``data_dir`` (or ``XPNET_DATA_DIR``);
    a path ending in ``.zarr`` opens a Zarr store lazily (:func:`load_zarr`).

    Returns
    -------
    X_train, y_train, X_test, y_test : host arrays (Dask arrays for a Zarr store)
    """
    if not isinstance(name, str):
        raise TypeError(f"Invalid data set. Expected a name or a path (a str). Received: {name!r}")
    if name in GENERATED:
        make = GENERATED[name]
        if name == "planar":
            return (*make(random_state=1), *make(random_state=2))
        seed = 0 if random_state is None else random_state
        check_random_state(seed)  # a bad seed is refused by its name, random_state
        if isinstance(seed, numbers.Integral):
            return (*make(random_state=int(seed)), *make(random_state=(int(seed) + 1) % 2**32))
        return (*make(random_state=seed), *make(random_state=seed))  # the next draws
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

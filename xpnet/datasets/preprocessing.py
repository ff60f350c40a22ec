"""Splitting and standardising data where it lives, on any backend, and a regressor's
target in units of its spread.

X has scikit-learn's shape (n_samples, n_features): rows are samples. A model file's
metadata records both standardisations (:func:`recorded_scaler`, :func:`target_scaling`).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np  # edge: host-side statistics of a target

from .._checks import Interval, check_param
from ..backend import as_arrays, default_float, to_numpy
from ..dask_arrays import is_dask_array
from ..initializers import check_random_state
from ..io import invalid

__all__ = [
    "StandardScaler",
    "TargetScaling",
    "real_target",
    "recorded_scaler",
    "target_scaling",
    "train_test_split",
]


def train_test_split(*arrays: Any, test_size: float = 0.25, random_state: Any = None):
    """``[a_train, a_test, b_train, b_test, ...]``: the rows shuffled (the permutation
    drawn on the host, the rows taken where the arrays live) and split."""
    check_param("test_size", test_size, [Interval(Real, 0, 1, closed="neither")])
    xp, device, parts = as_arrays(*arrays)
    n = parts[0].shape[0]
    if any(a.shape[0] != n for a in parts):
        raise ValueError(
            f"Expected arrays with one number of rows. Received {[a.shape[0] for a in parts]}"
        )
    n_test = max(1, round(n * test_size))
    if n_test >= n:
        raise ValueError(
            f"Invalid test_size. Expected a fraction of the {n} rows that leaves one or more "
            f"to train on. Received: test_size={test_size!r}, which holds out {n_test}"
        )
    order = check_random_state(random_state).permutation(n)
    test = xp.asarray(order[:n_test], device=device)
    train = xp.asarray(order[n_test:], device=device)
    return [part for a in parts for part in (xp.take(a, train, axis=0), xp.take(a, test, axis=0))]


class StandardScaler:
    """Standardise each feature: (X − mean) / std, with std = 1 where a feature is constant.

    Works where X lives, as do ``mean_`` and ``scale_``; the statistics are taken on X
    divided by a power of two (exactly), so that features near the float maximum do not
    overflow.
    """

    def fit(self, X: Any) -> StandardScaler:
        xp, device, (X,) = as_arrays(X)
        if not xp.isdtype(X.dtype, "real floating"):
            X = xp.astype(X, default_float(xp, device))
        if not is_dask_array(X):  # a lazy array is checked where it is computed
            _check_finite(X, xp)
        largest = xp.max(xp.abs(X), axis=0)
        largest = xp.where(largest > 0, largest, 1.0)
        unit = 2.0 ** xp.floor(xp.log2(largest))  # an exact scaling, by a power of two
        X_unit = X / unit
        self.mean_ = xp.mean(X_unit, axis=0) * unit
        std = xp.std(X_unit, axis=0) * unit
        self.scale_ = xp.where(std > 0, std, 1.0)
        return self

    def transform(self, X: Any) -> Any:
        if not hasattr(self, "mean_"):
            raise ValueError("This StandardScaler is not fitted yet. Call fit(X) first")
        _, _, (X, mean, scale) = as_arrays(X, self.mean_, self.scale_)
        return (X - mean) / scale

    def fit_transform(self, X: Any) -> Any:
        return self.fit(X).transform(X)


def _check_finite(X: Any, xp: Any) -> None:
    if bool(xp.all(xp.isfinite(X))):
        return
    where = ""
    if X.ndim == 2:
        finite = xp.all(xp.isfinite(X), axis=0)
        columns = [i for i in range(X.shape[1]) if not bool(finite[i])]
        where = f" in feature column(s) {columns[:10]}{' ...' if len(columns) > 10 else ''}"
    raise ValueError(
        f"Invalid X. Expected finite values to standardise. Received NaN or infinity{where}"
    )


def recorded_scaler(meta: dict, n_features: int, path: str) -> StandardScaler:
    """The StandardScaler recorded in a model file's metadata, for data of ``n_features``
    columns."""
    scaler = StandardScaler()
    scaler.mean_ = np.asarray(meta["standardize"]["mean"], dtype=np.float64)
    scaler.scale_ = np.asarray(meta["standardize"]["scale"], dtype=np.float64)
    if scaler.mean_.shape != (n_features,):
        raise invalid(
            path,
            f"its metadata standardize has {scaler.mean_.shape[0]} features and the data "
            f"{n_features}",
        )
    return scaler


class TargetScaling:
    """A regressor's target in units of its spread, (y − mean) / scale, and back."""

    def __init__(self, mean: float, scale: float) -> None:
        self.mean, self.scale = mean, scale

    def transform(self, y: Any) -> Any:
        return (np.asarray(y, dtype=np.float64) - self.mean) / self.scale

    def inverse(self, y: Any) -> Any:
        return to_numpy(y) * self.scale + self.mean

    def rmse(self, y_scaled: Any, predicted: Any) -> float:
        """The root mean squared error in the target's own units."""
        return float(np.sqrt(np.mean((self.inverse(predicted) - self.inverse(y_scaled)) ** 2)))


def real_target(y: Any) -> np.ndarray:
    """A regressor's target from the data's last column, as float64: one finite real
    number per row, else a ValueError saying what was found."""
    y = np.asarray(y)
    if y.dtype.kind not in "biuf" or y.ndim != 1 or not np.isfinite(y).all():
        raise ValueError(
            "Expected one finite real target per row for --model deep_regressor: the "
            "last column of the data. Received "
            + (
                f"values of dtype {y.dtype}"
                if y.dtype.kind not in "biuf"
                else ("NaN or infinity" if y.ndim == 1 else f"shape {y.shape}")
            )
        )
    return y.astype(np.float64)


def target_scaling(meta: dict, y: Any, path: str | None) -> TargetScaling:
    """The scaling of a regressor's target: recorded in ``meta`` (a saved or resumed
    model's), or else measured on the training targets ``y`` and recorded there."""
    recorded = meta.get("target")
    if recorded is None and y is not None:
        y = real_target(y)
        scale = float(y.std()) or 1.0
        recorded = meta["target"] = {"mean": float(y.mean()), "scale": scale}
    try:
        mean, scale = float(recorded["mean"]), float(recorded["scale"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid(
            path or "the model", f"its metadata has no valid target scaling: {exc}"
        ) from exc
    if not (np.isfinite(mean) and np.isfinite(scale) and scale > 0):
        raise invalid(path or "the model", f"its target scaling {recorded} is not finite")
    return TargetScaling(mean, scale)

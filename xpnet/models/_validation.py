"""What the estimators accept as data: X, y and sample weights, checked once, in the
words scikit-learn's own checks look for; a failed check leaves a model as it was.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, NamedTuple

import numpy as np  # edge: host-side checks of host data
from array_api_compat import array_namespace

from ..backend import (
    Backend,
    chosen_dtype,
    default_float,
    dtype_name,
    get_backend,
    is_host_data,
    to_numpy,
)
from ..exceptions import data_conversion
from ..labels import (
    check_classes,
    check_target_shape,
    check_weight_summary,
    known_classes,
    masked_host,
    nonfinite,
    require_y,
)

__all__ = [
    "Encoded",
    "check_X",
    "check_feature_names",
    "check_sample_weight",
    "check_targets",
    "encode_indicator",
    "encode_labels",
    "feature_names",
    "is_indicator",
]

Array = Any


class Encoded(NamedTuple):
    """y encoded on the model's device: Y (n_y, m); the ``truth`` a validation score
    reads (class indices (m,), or Y); the host ``strata`` an early stopping split keeps in
    proportion (or None); the ``classes`` (None for a regressor); the ``output`` head
    where n_y alone does not choose it (multilabel: "sigmoid")."""

    Y: Array
    truth: Array
    strata: np.ndarray | None
    classes: np.ndarray | None
    output: str | None = None


def _host_X(X: Any) -> np.ndarray:
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            "Expected dense X. Sparse data was passed for X, but dense data is required: "
            "convert it with X.toarray()"
        )
    X = masked_host(X, "X")
    if X.dtype.kind in "cO":  # complex numbers refused, objects read as numbers
        X = _host_floats(X, "X", TypeError, "numeric X, not an object array")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"Expected numeric X. Received an array of dtype {X.dtype}")
    return X


def check_X(X: Any, backend: Backend | None, dtype: str | None) -> tuple[Array, Backend, bool]:
    """X of shape (n_samples, n_features), finite, in its float dtype; where it lives; and
    whether it came from the host. Host data goes to ``backend`` (None: the backend in
    force, with ``dtype``); a backend array must live where ``backend`` lives."""
    host = is_host_data(X)
    if host:
        X = _host_X(X)
    if X.ndim != 2:
        raise ValueError(
            "Expected a 2-D array X of shape (n_samples, n_features). "
            f"Received an array of shape {tuple(X.shape)}. Reshape your data with "
            "X.reshape(-1, 1) for a single feature, or X.reshape(1, -1) for a single sample"
        )
    n, d = X.shape
    if n < 1 or d < 1:
        what = "sample(s)" if n < 1 else "feature(s)"
        raise ValueError(
            f"Expected data with at least one sample and one feature. Found array with "
            f"{n if n < 1 else d} {what} (shape={(n, d)}) while a minimum of 1 is required."
        )
    if host:
        if not _all_finite(X, np):
            raise ValueError(nonfinite(X, "X"))
        if backend is None:  # a floating array keeps its dtype, unless one was chosen
            backend = get_backend()
            if dtype:
                backend = backend.with_dtype(dtype)
            elif not chosen_dtype() and X.dtype.kind == "f":
                backend = backend.preferring(X.dtype.name)
        return backend.put(X, backend.dtype), backend, True
    _real(X, "X")
    if backend is None:
        backend = Backend.of(X, dtype)
        if dtype_name(backend.dtype) not in ("float32", "float64"):  # float16, bfloat16
            backend = Backend.of(X, default_float(backend.xp, backend.device))
    X = backend.check(X, "X")
    xp = backend.xp
    if X.dtype != backend.dtype:
        X = xp.astype(X, backend.dtype)
    if not _all_finite(X, xp):
        raise ValueError("Expected finite values in X. Received NaN or infinity (inf) in X")
    return X, backend, False


def _all_finite(X: Array, xp: Any) -> bool:
    """Whether X holds no NaN and no infinity: a finite sum proves every term finite (NaN
    and ±∞ propagate); only a sum past the float range asks for the element-wise check."""
    if not xp.isdtype(X.dtype, "real floating"):
        return True  # integers and booleans are finite
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        total = float(xp.sum(X))
    return math.isfinite(total) or bool(xp.all(xp.isfinite(X)))


def feature_names(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame X when they are all text, else None (as
    scikit-learn keeps them); a mix of text and other names is refused."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    text = [isinstance(n, str) for n in names]
    if all(text) and len(text):
        return names
    if any(text):
        raise TypeError(
            "Expected column names of X that are all text, or none that are. Received a mix "
            f"of {sorted({type(n).__name__ for n in names})}: convert them with "
            "X.columns = X.columns.astype(str)"
        )
    return None


def check_feature_names(fitted: np.ndarray | None, given: np.ndarray | None, model: str) -> None:
    """The names of X's columns are those the model was fitted with, in that order.

    As scikit-learn: different names or order raise; names on one side only warn.
    """
    if fitted is None or given is None:
        if fitted is not None or given is not None:
            warnings.warn(
                f"X has feature names, but {model} was fitted without feature names"
                if fitted is None
                else f"X does not have valid feature names, but {model} was fitted with "
                "feature names",
                UserWarning,
                stacklevel=4,
            )
        return
    if len(fitted) != len(given) or np.any(fitted != given):
        unseen = [n for n in given if n not in set(fitted)]
        missing = [n for n in fitted if n not in set(given)]
        detail = (
            f"Feature names unseen at fit time: {unseen}. "
            f"Feature names seen at fit time, yet now missing: {missing}."
            if unseen or missing
            else "Feature names must be in the same order as they were in fit."
        )
        raise ValueError(
            f"The feature names should match those that were passed during fit. Expected "
            f"{list(fitted)}. Received {list(given)}. {detail}"
        )


def _host_floats(a: Any, name: str, error: type[Exception], expected: str) -> np.ndarray:
    """Host data as float64: a mask and complex numbers refused, and what is no number
    refused as ``error`` saying what was ``expected``."""
    a = masked_host(a, name)
    if a.dtype.kind == "c":
        raise ValueError(f"Complex data not supported. Expected real numbers in {name}")
    try:
        return a.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise error(f"Expected {expected}. Received: {exc}") from exc


def _real(a: Array, name: str) -> Array:
    """``a``, where it holds real numbers: complex ones refused on any backend (a cast
    would drop the imaginary part)."""
    xp = array_namespace(a)
    if xp.isdtype(a.dtype, "complex floating"):
        raise ValueError(f"Complex data not supported. Expected real numbers in {name}")
    if not xp.isdtype(a.dtype, ("real floating", "integral", "bool")):
        raise TypeError(f"Expected numeric {name}. Received an array of dtype {a.dtype}")
    return a


def _on_device(a: Array, name: str, backend: Backend) -> Array:
    """A backend's array of real numbers, where the model lives, in its dtype."""
    return backend.xp.astype(backend.check(_real(a, name), name), backend.dtype)


def encode_labels(
    y: Any, n: int, backend: Backend, classes: Any = None
) -> tuple[Array, np.ndarray]:
    """Class indices (n,) of y (n,) on the model's device, and the sorted host classes:
    ``classes`` where known (``partial_fit``, a warm start; every y must be one)."""
    require_y(y, "labels of shape (n_samples,)")
    xp = backend.xp
    on_host = is_host_data(y)
    y = masked_host(y, "y") if on_host else backend.check(_real(y, "y"), "y")
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. "
            "Change the shape of y to (n_samples,), for example using ravel().",
            data_conversion(),
            stacklevel=4,
        )
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(
            f"Expected y of shape ({n},), one label per row of X. "
            f"Received y of shape {tuple(y.shape)}"
        )
    if on_host:
        y = check_classes(y, "y", unique=False)
        found = np.unique(y)
    else:
        found = check_classes(to_numpy(xp.unique_values(y)), "y")
    classes = known_classes(found, classes)
    if on_host:
        return backend.put(np.searchsorted(classes, y)), classes
    # searchsorted takes numbers of one dtype: booleans count as 0 and 1
    on_device = backend.put(classes.astype(np.int64) if classes.dtype.kind == "b" else classes)
    return xp.searchsorted(on_device, xp.astype(y, on_device.dtype)), classes


def is_indicator(y: Any) -> bool:
    """Whether y is a multilabel indicator matrix: 2-D with more than one column."""
    shape = getattr(y, "shape", None)
    if shape is None and isinstance(y, list | tuple):
        shape = np.shape(masked_host(y, "y")) if y else ()
    return shape is not None and len(shape) == 2 and shape[1] > 1


def encode_indicator(y: Any, n: int, backend: Backend, classes: Any = None) -> Array:
    """Multilabel targets, (n, K) of 0/1, as Y of shape (K, n) on the model's device.

    ``classes``, when known (``partial_fit``, a warm start), must be the labels 0..K−1.
    """
    xp = backend.xp
    if is_host_data(y):
        y = masked_host(y, "y")
        if y.dtype.kind not in "biuf":
            raise ValueError(
                "Expected a multilabel indicator y of 0s and 1s, of shape (n_samples, "
                f"n_labels). Received an array of dtype {y.dtype}"
            )
        y = backend.put(np.asarray(y, dtype=np.float64), backend.dtype)
    else:
        y = _on_device(y, "y", backend)
    if y.shape[0] != n:
        raise ValueError(
            f"Expected y of shape ({n}, n_labels), one row per row of X. Received y of shape "
            f"{tuple(y.shape)}"
        )
    if not bool(xp.all((y == 0) | (y == 1))):
        raise ValueError(
            "Expected a multilabel indicator y of 0s and 1s, of shape (n_samples, n_labels). "
            "Received other values (NaN, or numbers other than 0 and 1)"
        )
    k = y.shape[1]
    if classes is not None and not np.array_equal(check_classes(classes, "classes"), np.arange(k)):
        raise ValueError(
            f"Expected classes= as the labels of the {k} columns of y, {list(range(k))}. "
            f"Received: classes={np.asarray(classes).tolist()}"
        )
    return y.T


def check_targets(y: Any, n: int, backend: Backend) -> Array:
    """A regressor's targets, of shape (n,) or (n, n_y), as Y of shape (n_y, n) on the
    model's device in its dtype: real and finite.
    """
    require_y(y, "targets of shape (n_samples,) or (n_samples, n_targets)")
    xp = backend.xp
    if is_host_data(y):
        y = _host_floats(y, "y", ValueError, "numeric targets in y for a regressor")
        if not np.isfinite(y).all():
            raise ValueError(nonfinite(y, "y"))
        with np.errstate(over="ignore"):  # past float32's range: refused below
            y = backend.put(y, backend.dtype)
    else:
        y = _on_device(y, "y", backend)
    check_target_shape(tuple(y.shape), n)
    if not bool(xp.all(xp.isfinite(y))):
        raise ValueError(
            "Expected finite values in y. Received NaN or infinity (inf), or targets past "
            f"the range of {dtype_name(backend.dtype)}"
        )
    return xp.reshape(y, (1, n)) if y.ndim == 1 else y.T


def check_sample_weight(sample_weight: Any, n: int, backend: Backend) -> Array | None:
    """Non-negative, finite weights of shape (n,) with a positive, finite sum, as a (1, n)
    row on the model's device (judged there, in its dtype); None when absent."""
    if sample_weight is None:
        return None
    if is_host_data(sample_weight) or isinstance(sample_weight, numbers.Number):
        w = _host_floats(sample_weight, "sample_weight", TypeError, "numeric sample_weight")
        if w.ndim == 0:
            w = np.full(n, float(w))
        with np.errstate(over="ignore"):  # past float32's range: refused below
            w = backend.put(w, backend.dtype)
    else:
        w = _on_device(sample_weight, "sample_weight", backend)
    if tuple(w.shape) != (n,):
        raise ValueError(f"Expected sample_weight of shape ({n},). Received {tuple(w.shape)}")
    xp = backend.xp
    with warnings.catch_warnings():  # a sum past the float range is refused, not warned of
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        summary = xp.stack([xp.astype(xp.all(xp.isfinite(w)), w.dtype), xp.min(w), xp.sum(w)])
        finite, low, total = (float(v) for v in to_numpy(summary))
    check_weight_summary(bool(finite), low, total)
    return xp.reshape(w, (1, n))

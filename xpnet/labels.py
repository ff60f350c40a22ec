"""Labels and targets: the rules a classifier's classes and every estimator's y follow,
written once for the fit in memory and on Dask blocks. Labels are checked on the host;
the class indices and the one-hot Y are made on the data's device.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np  # edge: host-side labels

__all__ = [
    "check_classes",
    "check_target_shape",
    "check_weight_summary",
    "class_index",
    "known_classes",
    "masked_host",
    "n_outputs",
    "nonfinite",
    "one_hot",
    "outside",
    "require_y",
]

Array = Any


def masked_host(a: Any, name: str) -> np.ndarray:
    """Host data as a NumPy array; a masked array is refused rather than unmasked."""
    if np.ma.isMaskedArray(a):
        raise TypeError(
            f"Expected {name} without a mask. Received a masked array: fill the masked "
            f"entries first ({name}.filled(value)) or drop those rows"
        )
    return np.asarray(a)


def nonfinite(a: np.ndarray, name: str) -> str:
    """The message for NaN or infinity found in ``a``."""
    what = "NaN" if np.isnan(a).any() else "infinity (inf)"
    return f"Expected finite values in {name}. Input {name} contains {what}"


def outside(found: np.ndarray, classes: np.ndarray) -> list[Any]:
    """The labels of ``found`` that are not among ``classes`` (text is never a number)."""
    if (found.dtype.kind == "U") != (classes.dtype.kind == "U"):
        return found.tolist()
    return np.setdiff1d(found, classes).tolist()


def label_kind(value: Any) -> str:
    if isinstance(value, str | np.str_):
        return "text"
    if isinstance(value, bytes | np.bytes_):
        return "bytes"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, numbers.Real):
        return "number"
    return type(value).__name__


def check_classes(labels: Any, name: str = "y", *, unique: bool = True) -> np.ndarray:
    """Host labels as a NumPy array of one kind, whole numbers, booleans or text, their
    unique values sorted (``unique=False``: all of them); NaN, None, a mix of text and
    numbers, and fractional numbers (a continuous target) are refused."""
    given = labels
    labels = masked_host(labels, name)
    if isinstance(given, list | tuple) and labels.dtype.kind in "SU":  # NumPy spelt them
        labels = np.asarray(given, dtype=object)  # as text: judge what was given
    if labels.ndim != 1:
        labels = labels.reshape(-1)
    if labels.dtype.kind in "OSU":
        kinds = {label_kind(v) for v in labels.tolist()}
        missing = any(
            v is None or (isinstance(v, float) and math.isnan(v)) for v in labels.tolist()
        )
        if missing:
            raise ValueError(f"Expected class labels in {name}. Received NaN or None among them")
        if "bytes" in kinds:  # as text, a prediction would never equal its label
            raise TypeError(
                f"Expected labels as numbers, booleans or text (str) in {name}. Received "
                f"bytes: decode them first, e.g. {name}.astype(str)"
            )
        if kinds <= {"text"}:
            labels = labels.astype(str)
        elif kinds <= {"number", "bool"}:
            labels = np.asarray(labels.tolist())
        else:
            raise TypeError(
                f"Expected labels of one type in {name}: all numbers, all booleans or all "
                f"text. Received a mix of {sorted(kinds)}"
            )
    if labels.dtype.kind == "f":
        if not np.isfinite(labels).all():
            raise ValueError(nonfinite(labels, name))
        if np.any(labels != np.round(labels)):
            raise ValueError(
                "Unknown label type: continuous. Expected class labels (integers, "
                "booleans or text); a classifier cannot fit a continuous target"
            )
    elif labels.dtype.kind == "c":
        raise ValueError(f"Complex data not supported. Expected class labels in {name}")
    elif labels.dtype.kind not in "biuU":
        raise ValueError(f"Unknown label type: {labels.dtype}. Expected class labels")
    return np.unique(labels) if unique else labels


def require_y(y: Any, expected: str) -> None:
    """Refuse a missing y, saying what was ``expected`` in its place."""
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None. "
            f"Expected {expected}"
        )


def known_classes(found: np.ndarray | None, classes: Any) -> np.ndarray:
    """The classes of a fit: ``classes`` where given (every label ``found`` must be one),
    else the labels found (as :func:`check_classes` gives them); at least two."""
    given = classes is not None
    classes = check_classes(classes if given else found, "classes" if given else "y")
    unknown = outside(found, classes) if given and found is not None else []
    if unknown:
        raise ValueError(
            f"Expected labels among the classes {classes.tolist()}. "
            f"Received labels outside them: {unknown}"
        )
    if classes.shape[0] < 2:
        raise ValueError(
            f"Expected at least two classes in y. Received one class: {classes.tolist()}"
        )
    return classes


def n_outputs(classes: np.ndarray) -> int:
    """n_y, the output units for these classes: one sigmoid for two, K softmax units for K."""
    return 1 if classes.shape[0] == 2 else int(classes.shape[0])


def check_target_shape(shape: tuple[int, ...], n: int) -> None:
    """A regressor's y of shape (n,) or (n, n_targets): one row per row of X."""
    if len(shape) not in (1, 2) or shape[0] != n or (len(shape) == 2 and shape[1] < 1):
        raise ValueError(
            f"Expected y of shape ({n},) or ({n}, n_targets), one row per row of X. "
            f"Received y of shape {tuple(shape)}"
        )


def class_index(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each label's index in the sorted ``classes``; a label outside them is refused."""
    index = np.searchsorted(classes, labels)
    known = index < classes.shape[0]
    known[known] = classes[index[known]] == labels[known]
    if not known.all():
        raise ValueError(
            f"Expected labels among the classes {classes.tolist()}. "
            f"Received labels outside them: {np.unique(labels[~known]).tolist()}"
        )
    return index


def one_hot(index: Array, n_y: int, dtype: Any, *, xp: Any, put: Any) -> Array:
    """Y of shape (1, m) with 0/1 for two classes (n_y = 1), (K, m) one-hot for K > 2.

    ``index`` holds the class indices (m,) on the device; ``put`` moves host data there.
    """
    if n_y == 1:
        return xp.astype(xp.reshape(index, (1, -1)) == 1, dtype)
    return xp.take(put(np.eye(n_y), dtype), index, axis=1)  # column k of I for class k


def check_weight_summary(finite: bool, low: float, total: float) -> None:
    """Sample weights, judged by their summary: all finite, the smallest ≥ 0, a positive
    sum (three numbers, so that weights on a device or in blocks move once)."""
    if not finite or low < 0:
        raise ValueError(
            "Expected finite, non-negative sample_weight. "
            f"Received {'NaN or infinity' if not finite else f'a smallest weight of {low}'}"
        )
    if not total > 0:
        raise ValueError(
            "Expected sample_weight with a positive sum. Received weights that are all zero"
        )
    if math.isinf(total):
        raise ValueError(
            "Expected sample_weight whose sum stays within the float range. Received "
            "weights summing past it: only their ratios matter, so scale them down"
        )

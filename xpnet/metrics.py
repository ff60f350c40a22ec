"""Classification metrics, and the regressors' R², in the array API, on any backend.

Labels are 1-D arrays of shape (n_samples,): host data (lists, NumPy arrays, strings
allowed) or arrays of one backend, where the result stays. A Python float comes back
where a scalar is natural, an array on the inputs' device otherwise. The definitions
are scikit-learn's, and so are the results.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np  # edge: host-side class labels

from .backend import as_arrays, default_float, index_dtype, is_host_data, to_numpy

__all__ = [
    "accuracy_score",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "log_loss",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
]

Array = Any
AVERAGES = ("binary", "micro", "macro", "weighted", None)


def _check_1d(xp: Any, **arrays: Array) -> list[Array]:
    """The named label arrays, each of shape (n_samples,) (a single column is flattened),
    of one length and not empty."""
    out = []
    for name, y in arrays.items():
        if y.ndim == 2 and y.shape[1] == 1:
            y = xp.reshape(y, (-1,))
        if y.ndim != 1:
            raise ValueError(
                f"Invalid {name}. Expected 1-D labels of shape (n_samples,). "
                f"Received: {name} of shape {tuple(y.shape)}"
            )
        out.append(y)
    lengths = [int(y.shape[0]) for y in out]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"Invalid {' and '.join(arrays)}. Expected arrays of one length. "
            f"Received lengths {lengths}"
        )
    _check_samples(next(iter(arrays)), lengths[0])
    return out


def _check_samples(name: str, n: int) -> None:
    """A metric of no samples is undefined: refuse it, as scikit-learn does."""
    if n == 0:
        raise ValueError(f"Invalid {name}. Expected at least one sample. Received: {name}=[]")


#: A check of :func:`_check_values`: (name, array, what is expected, low, high).
_Check = tuple[str, Array, str, float, float]


def _check_values(xp: Any, device: Any, *checks: _Check) -> list[tuple[float, float]]:
    """Refuse NaN, infinity and values outside [low, high] in each check's array, judged
    by its minimum and maximum (NaN spreads to both), all read in one host read; return
    the (minimum, maximum) pairs."""
    dtype = default_float(xp, device)
    extremes = []
    for _, a, *_ in checks:
        a = xp.astype(a, dtype) if xp.isdtype(a.dtype, "bool") else a
        extremes += [xp.astype(xp.min(a), dtype), xp.astype(xp.max(a), dtype)]
    values = to_numpy(xp.stack(extremes)).tolist()
    pairs = list(zip(values[::2], values[1::2], strict=True))
    for (name, _, expected, low, high), (lo, hi) in zip(checks, pairs, strict=True):
        if math.isfinite(lo) and math.isfinite(hi) and low <= lo and hi <= high:
            continue
        if math.isnan(lo) or math.isnan(hi):
            received = "containing NaN"
        elif not (math.isfinite(lo) and math.isfinite(hi)):
            received = "containing infinity (inf)"
        else:
            received = f"with values from {lo!r} to {hi!r}"
        raise ValueError(f"Invalid {name}. Expected {expected}. Received: {name} {received}")
    return pairs


def _one_hot(xp: Any, y: Array, labels: Array, dtype: Any, name: str) -> Array:
    """(n_samples, K): T[i, k] = 1 where y[i] == labels[k]; every y must be a label."""
    T = xp.astype(xp.reshape(y, (-1, 1)) == xp.reshape(labels, (1, -1)), dtype)
    if not bool(xp.all(xp.sum(T, axis=1) == 1)):
        missing = sorted(set(to_numpy(y).tolist()) - set(to_numpy(labels).tolist()))
        raise ValueError(
            f"Expected every label of {name} among {to_numpy(labels).tolist()}. "
            f"Received labels absent from them: {missing}"
        )
    return T


def _labels(xp: Any, labels: Any, device: Any, *ys: Array) -> Array:
    """The classes: given (host labels join the data's device), or found in ``ys``."""
    if labels is None:
        return xp.unique_values(xp.concat(list(ys)))
    if is_host_data(labels):
        return xp.asarray(np.asarray(labels), device=device)
    return labels


def _divide(xp: Any, a: Array, b: Array) -> Array:
    """a / b, and 0 where b is 0 (scikit-learn's ``zero_division=0``)."""
    return xp.where(b > 0, a / xp.where(b > 0, b, 1.0), 0.0)


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Any = None) -> Array:
    """C[i, j], an integer array of shape (n_classes, n_classes): the number of samples
    of class labels[i] predicted as labels[j] (``labels``: by default the sorted union of
    y_true and y_pred, of shape (n_samples,))."""
    xp, device, (y_true, y_pred) = as_arrays(y_true, y_pred)
    y_true, y_pred = _check_1d(xp, y_true=y_true, y_pred=y_pred)
    labels = _labels(xp, labels, device, y_true, y_pred)
    dtype = default_float(xp, device)
    T = _one_hot(xp, y_true, labels, dtype, "y_true")
    P = _one_hot(xp, y_pred, labels, dtype, "y_pred")
    return xp.astype(xp.round(T.T @ P), index_dtype(xp, device))  # C = Tᵀ·P


def accuracy_score(y_true: Any, y_pred: Any) -> float:
    """The fraction of samples whose predicted label equals the true one."""
    xp, device, (y_true, y_pred) = as_arrays(y_true, y_pred)
    y_true, y_pred = _check_1d(xp, y_true=y_true, y_pred=y_pred)
    return float(xp.mean(xp.astype(y_true == y_pred, default_float(xp, device))))


def r2_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """R² = 1 − Σ w·(y − ŷ)² / Σ w·(y − ȳ)², per target, averaged over the targets, of
    y_true and y_pred of shape (n_samples,) or (n_samples, n_targets) and the weights w,
    ``sample_weight`` of shape (n_samples,); a constant target scores 1 where it is
    predicted exactly, else 0.

    Raises
    ------
    ValueError
        As scikit-learn raises it ("Input contains NaN"), for NaN or infinity in y_true or
        y_pred; for no samples; for weights that are not one per sample, negative, not
        finite or all zero.
    """
    xp, device, (y_true, y_pred, *w) = as_arrays(
        y_true, y_pred, *(() if sample_weight is None else (sample_weight,))
    )
    if tuple(y_true.shape) != tuple(y_pred.shape) or y_true.ndim not in (1, 2):
        raise ValueError(
            "Invalid y_true and y_pred. Expected y_true and y_pred of one shape, "
            "(n_samples,) or (n_samples, n_targets). Received: shapes "
            f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}"
        )
    n = int(y_true.shape[0])
    _check_samples("y_true", math.prod(y_true.shape))
    finite: list[_Check] = [
        ("y_true", y_true, "finite values", -math.inf, math.inf),
        ("y_pred", y_pred, "finite values", -math.inf, math.inf),
    ]
    if w and tuple(w[0].shape) != (n,):
        raise ValueError(
            f"Invalid sample_weight. Expected shape ({n},), one weight per sample. "
            f"Received: sample_weight of shape {tuple(w[0].shape)}"
        )
    weighted: list[_Check] = [
        ("sample_weight", v, "finite, non-negative weights", 0.0, math.inf) for v in w
    ]
    extremes = _check_values(xp, device, *finite, *weighted)
    if w and extremes[2][1] == 0:
        raise ValueError(
            "Invalid sample_weight. Expected weights with a positive sum. "
            "Received: sample_weight all zero"
        )
    Y, Y_pred = (xp.reshape(y, (n, -1)) for y in (y_true, y_pred))
    return float(mean_r2(Y, Y_pred, xp.reshape(w[0], (-1, 1)) if w else None, xp=xp))


def mean_r2(y_true: Array, y_pred: Array, weights: Array | None = None, *, xp: Any) -> Array:
    """:func:`r2_score` of checked arrays, y_true and y_pred of shape (n_samples,
    n_targets) and the weights (n_samples, 1) or None, as a 0-d array where they live
    (NaN where y_pred holds NaN)."""

    def mean(values: Array) -> Array:  # over the samples, weighted
        if weights is None:
            return xp.mean(values, axis=0)
        return xp.sum(values * weights, axis=0) / xp.sum(weights)

    residual = mean((y_true - y_pred) ** 2)
    total = mean((y_true - mean(y_true)) ** 2)
    exact = xp.astype(residual == 0, residual.dtype)
    return xp.mean(xp.where(total > 0, 1 - _divide(xp, residual, total), exact))


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    pos_label: Any = 1,
    labels: Any = None,
) -> tuple[Any, Any, Any, Array]:
    """Precision tp/(tp+fp), recall tp/(tp+fn), F1 (their harmonic mean), and support.

    Parameters
    ----------
    average : {"binary", "micro", "macro", "weighted", None}
        "binary" reports ``pos_label`` only (two classes); None returns per-class arrays.
    pos_label : label
        The positive class for ``average="binary"``.

    Returns
    -------
    precision, recall, f1 : float, or arrays of shape (n_classes,) with ``average=None``
    support : integer array of shape (n_classes,)
    """
    if average not in AVERAGES:
        raise ValueError(f"Invalid average. Expected one of {AVERAGES}. Received: {average!r}")
    xp, device, (y_true, y_pred) = as_arrays(y_true, y_pred)
    y_true, y_pred = _check_1d(xp, y_true=y_true, y_pred=y_pred)
    labels = _labels(xp, labels, device, y_true, y_pred)
    C = confusion_matrix(y_true, y_pred, labels=labels)
    dtype = default_float(xp, device)
    K = C.shape[0]
    Cf = xp.astype(C, dtype)
    tp = xp.linalg.diagonal(Cf)
    predicted, support = xp.sum(Cf, axis=0), xp.sum(Cf, axis=1)
    per_class_support = xp.astype(support, index_dtype(xp, device))
    if average == "micro":
        tp, predicted, support = xp.sum(tp), xp.sum(predicted), xp.sum(support)
    precision, recall = _divide(xp, tp, predicted), _divide(xp, tp, support)
    f1 = _divide(xp, 2 * precision * recall, precision + recall)
    if average == "binary":
        classes = to_numpy(labels).tolist()
        if len(classes) > 2 or pos_label not in classes:
            raise ValueError(
                "Expected two classes, pos_label among them, for average='binary'. "
                f"Received classes {classes} and pos_label={pos_label!r}; choose "
                "average='macro', 'micro' or 'weighted' for more classes"
            )
        k = classes.index(pos_label)
        return float(precision[k]), float(recall[k]), float(f1[k]), per_class_support
    if average in ("macro", "weighted"):
        weights = support / xp.sum(support) if average == "weighted" else support * 0 + 1 / K
        precision, recall, f1 = (float(xp.sum(v * weights)) for v in (precision, recall, f1))
    elif average == "micro":
        precision, recall, f1 = float(precision), float(recall), float(f1)
    return precision, recall, f1, per_class_support


def precision_score(y_true: Any, y_pred: Any, **kwargs: Any) -> Any:
    """tp / (tp + fp); the keywords of :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, **kwargs)[0]


def recall_score(y_true: Any, y_pred: Any, **kwargs: Any) -> Any:
    """tp / (tp + fn); the keywords of :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, **kwargs)[1]


def f1_score(y_true: Any, y_pred: Any, **kwargs: Any) -> Any:
    """2·P·R / (P + R); the keywords of :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, **kwargs)[2]


def log_loss(y_true: Any, y_prob: Any, *, labels: Any = None) -> float:
    """−1/n · Σ_i log p_i(y_i), the cross-entropy of y_prob, of shape (n_samples,
    n_classes) in the order of the sorted labels, or (n_samples,) for the positive class;
    probabilities in [0, 1] (NaN refused), each row rescaled to sum to 1."""
    xp, device, (y_true, y_prob) = as_arrays(y_true, y_prob)
    (y_true,) = _check_1d(xp, y_true=y_true)
    dtype = (
        y_prob.dtype if xp.isdtype(y_prob.dtype, "real floating") else default_float(xp, device)
    )
    given = xp.astype(y_prob, dtype)
    y_prob = xp.stack([1 - given, given], axis=1) if given.ndim == 1 else given
    labels = _labels(xp, labels, device, y_true)
    if y_prob.shape != (y_true.shape[0], labels.shape[0]):
        raise ValueError(
            f"Expected y_prob of shape ({y_true.shape[0]}, {labels.shape[0]}): one column "
            f"per class. Received shape {tuple(y_prob.shape)}"
        )
    _check_values(xp, device, ("y_prob", given, "probabilities in [0, 1]", 0.0, 1.0))
    T = _one_hot(xp, y_true, labels, dtype, "y_true")
    eps = xp.finfo(dtype).eps
    P = xp.clip(y_prob, min=eps, max=1 - eps)
    P = P / xp.sum(P, axis=1, keepdims=True)
    return float(-xp.mean(xp.sum(T * xp.log(P), axis=1)))


def roc_auc_score(y_true: Any, y_score: Any) -> float:
    """The area under the ROC curve of two classes (the greater label positive) and the
    positive class's scores, both of shape (n_samples,), from average ranks:
    (R₊ − n₊(n₊ + 1)/2) / (n₊·n₋). NaN and infinity in y_score are refused, as
    scikit-learn refuses them."""
    xp, device, (y_true, y_score) = as_arrays(y_true, y_score)
    y_true, y_score = _check_1d(xp, y_true=y_true, y_score=y_score)
    _check_values(xp, device, ("y_score", y_score, "finite values", -math.inf, math.inf))
    classes = xp.unique_values(y_true)
    if classes.shape[0] != 2:
        raise ValueError(
            "Expected two classes in y_true for ROC AUC. Received "
            f"{int(classes.shape[0])}: {to_numpy(classes).tolist()}"
        )
    dtype = default_float(xp, device)
    score = xp.astype(y_score, dtype)
    ordered = xp.sort(score)
    # A value's tied copies fill sorted positions left+1 .. right; their average rank:
    left = xp.searchsorted(ordered, score, side="left")
    right = xp.searchsorted(ordered, score, side="right")
    rank = xp.astype(left + right + 1, dtype) / 2
    positive = xp.astype(y_true == classes[1], dtype)
    n_pos = xp.sum(positive)
    n_neg = positive.shape[0] - n_pos
    return float((xp.sum(rank * positive) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def classification_report(y_true: Any, y_pred: Any, *, labels: Any = None) -> dict[str, Any]:
    """Per-class precision, recall, F1 and support, the accuracy, and the averages.

    Returns
    -------
    dict
        ``{"classes": {label: {"precision", "recall", "f1", "support"}}, "accuracy",
        "macro avg": {...}, "weighted avg": {...}, "confusion_matrix": [[...]]}``, with
        plain Python numbers, ready for JSON.
    """
    xp, device, (y_true, y_pred) = as_arrays(y_true, y_pred)
    labels = _labels(xp, labels, device, y_true, y_pred)
    per_class = precision_recall_fscore_support(y_true, y_pred, average=None, labels=labels)
    precision, recall, f1, support = (to_numpy(v).tolist() for v in per_class)
    report: dict[str, Any] = {
        "classes": {
            str(label): {"precision": p, "recall": r, "f1": f, "support": int(s)}
            for label, p, r, f, s in zip(
                to_numpy(labels).tolist(), precision, recall, f1, support, strict=True
            )
        },
        "accuracy": accuracy_score(y_true, y_pred),
    }
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, average=average, labels=labels
        )
        report[f"{average} avg"] = {"precision": p, "recall": r, "f1": f, "support": sum(support)}
    report["confusion_matrix"] = to_numpy(confusion_matrix(y_true, y_pred, labels=labels)).tolist()
    return report


def format_report(report: dict[str, Any]) -> str:
    """The text table of a :func:`classification_report`, as scikit-learn prints it."""
    names = [*report["classes"], "macro avg", "weighted avg"]
    width = max(12, *(len(n) for n in names))
    rows = [*report["classes"].items(), *((n, report[n]) for n in ("macro avg", "weighted avg"))]
    lines = [
        f"{name:>{width}} {row['precision']:9.4f} {row['recall']:9.4f} "
        f"{row['f1']:9.4f} {row['support']:9d}"
        for name, row in rows
    ]
    total = report["macro avg"]["support"]
    accuracy = f"{'accuracy':>{width}} {'':>9} {'':>9} {report['accuracy']:9.4f} {total:9d}"
    header = f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"
    return "\n".join([header, "", *lines[:-2], "", accuracy, *lines[-2:]])

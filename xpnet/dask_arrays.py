"""Training on Dask arrays: data made of blocks, on disk or on a cluster.

Dask is a container of blocks here, not a backend: the parameters stay small arrays of
the blocks' own library (NumPy, or CuPy for CuPy chunks), and each step runs on the
blocks it needs, where they live (:mod:`xpnet.dask_blocks`). With a
``dask.distributed.Client`` in scope the same steps run on its workers.

Samples are the rows of X (scikit-learn's convention); X is chunked along the rows
only (xpnet rechunks a split of the features), and the targets are aligned with X's
chunks. This module checks and aligns them, and predicts block by block.

The targets are a Dask array and a small function that turns one block of them into
the course's Y of shape (n_y, rows) on the block's device (:func:`one_hot_labels` for
a classifier), so that any estimator's targets plug in.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import array_api_compat
import numpy as np  # edge: host-side permutations, seeds and class lists

from .backend import Backend, dtype_name, index_dtype, to_numpy
from .dask_blocks import BlockSource
from .labels import (
    check_classes,
    check_target_shape,
    class_index,
    known_classes,
    n_outputs,
    one_hot,
    require_y,
)

__all__ = [
    "BlockSource",
    "align",
    "check_blocks",
    "check_known",
    "is_dask_array",
    "lazy_predictions",
    "one_hot_labels",
    "predict_blocks",
    "prepare",
    "prepare_regression",
    "real_targets",
]

Array = Any


def is_dask_array(x: Any) -> bool:
    """True for a ``dask.array.Array``."""
    return array_api_compat.is_dask_array(x)


def check_known(a: Any, name: str) -> None:
    """Refuse a Dask array whose chunk sizes are unknown (NaN), naming the fix."""
    if any(math.isnan(c) for chunks in a.chunks for c in chunks):
        raise ValueError(
            f"Expected a Dask array {name} with known chunk sizes. Received unknown ones "
            f"(NaN), as boolean masking leaves them: call {name}.compute_chunk_sizes() first"
        )


def _dask() -> Any:
    try:
        import dask
        import dask.array
    except ImportError as exc:  # pragma: no cover - an array of dask implies dask
        raise ImportError("Training on Dask arrays needs: pip install 'xpnet[dask]'") from exc
    return dask


def check_blocks(X: Any, dtype: str | None) -> tuple[Any, Backend]:
    """X of shape (n_samples, n_features), chunked along the rows, in the backend's dtype;
    the backend of its blocks (their library, device and float dtype)."""
    da = _dask().array
    if X.ndim != 2:
        raise ValueError(
            "Expected a 2-D Dask array X of shape (n_samples, n_features). "
            f"Received shape {tuple(X.shape)}"
        )
    check_known(X, "X")
    if not (X.shape[0] and X.shape[1]):
        raise ValueError(
            "Expected data with at least one sample and one feature. Found a Dask array "
            f"of shape {tuple(X.shape)}"
        )
    if X.dtype.kind not in "biuf":
        raise (ValueError if X.dtype.kind == "c" else TypeError)(
            f"Expected real numbers in X. Received a Dask array of dtype {X.dtype}"
        )
    if len(X.chunks[1]) > 1:  # a sample's features must sit in one block
        X = X.rechunk({1: -1})
    meta = da.utils.meta_from_array(X)
    backend = Backend.of(meta[:0, :0] if meta.ndim == 2 else meta, dtype)
    if not backend.xp.isdtype(X.dtype, "real floating") or X.dtype != backend.dtype:
        X = X.astype(backend.dtype)
    return X, backend


def align(v: Any, X: Any, name: str) -> Any:
    """A 1-D array of one value per row of X (host or Dask), as a Dask array chunked as X."""
    require_y(v, f"{name} of shape (n_samples,)")
    if is_dask_array(v):
        check_known(v, name)
    else:
        v = np.asarray(v)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1 or v.shape[0] != X.shape[0]:
        several = name == "y" and v.ndim == 2  # one column per label
        raise ValueError(
            f"Expected {name} of shape ({X.shape[0]},), one per row of X. "
            f"Received shape {tuple(v.shape)}"
            + ("; a multilabel y of 0/1 columns trains from arrays in memory" if several else "")
        )
    if name == "sample_weight" and v.dtype.kind not in "biuf":
        raise TypeError(
            f"Invalid sample_weight. Expected real numbers. Received: sample_weight of "
            f"dtype {v.dtype}"
        )
    if not is_dask_array(v):
        return _dask().array.from_array(v, chunks=(X.chunks[0],))
    return v if v.chunks[0] == X.chunks[0] else v.rechunk((X.chunks[0],))


def one_hot_labels(labels: Any, X: Array, *, classes: np.ndarray, n_y: int) -> Array:
    """A block of class labels as the course's Y (n_y, rows), on the device of X's block;
    a label outside ``classes`` is refused by the step that meets it, before any update."""
    put = Backend.of(X).put
    index = put(class_index(to_numpy(labels), classes))
    return one_hot(index, n_y, X.dtype, xp=array_api_compat.array_namespace(X), put=put)


def real_targets(values: Any, X: Array, *, n_y: int) -> Array:
    """A block of a regressor's targets, (rows,) or (rows, n_y), as the course's Y of
    shape (n_y, rows) on the device of X's block, in its dtype."""
    Y = Backend.of(X).put(to_numpy(values), X.dtype)
    xp = array_api_compat.array_namespace(X)
    return xp.reshape(Y, (1, -1)) if Y.ndim == 1 else Y.T


def prepare_regression(
    X: Any, y: Any, sample_weight: Any, dtype: str | None
) -> tuple[BlockSource, Backend, int]:
    """A regressor's source of blocks: X, the targets and the weights checked and aligned.

    Returns
    -------
    source : BlockSource
    backend : Backend
    n_y : int
        The number of targets.
    """
    da = _dask().array
    X, backend = check_blocks(X, dtype)
    require_y(y, "targets of shape (n_samples,) or (n_samples, n_targets)")
    y = y if is_dask_array(y) else np.asarray(y)
    check_target_shape(tuple(y.shape), X.shape[0])
    if y.dtype.kind not in "biuf":
        raise (ValueError if y.dtype.kind == "c" else TypeError)(
            f"Expected real numbers in y for a regressor. Received an array of dtype {y.dtype}"
        )
    if not is_dask_array(y):
        y = da.from_array(y, chunks=(X.chunks[0], *((-1,) if y.ndim == 2 else ())))
    check_known(y, "y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    chunks = (X.chunks[0], *((y.shape[1],) if y.ndim == 2 else ()))
    y = y if y.chunks == chunks else y.rechunk(chunks)
    if not bool(da.isfinite(y).all().compute()):  # one pass over y, before training
        raise ValueError("Expected finite values in y. Received NaN or infinity (inf)")
    n_y = 1 if y.ndim == 1 else int(y.shape[1])
    return _source(X, y, sample_weight, functools.partial(real_targets, n_y=n_y)), backend, n_y


def prepare(
    X: Any,
    y: Any,
    sample_weight: Any,
    classes: Any,
    dtype: str | None,
    image: tuple[int, ...] | None = None,
):
    """A classifier's source of blocks: X, y and the weights checked and aligned; with
    ``image``, each row of X is an image of that shape (:class:`BlockSource`).

    Returns
    -------
    source : BlockSource
    backend : Backend
        Where the parameters live: the blocks' library and device.
    classes : NumPy array
    """
    X, backend = check_blocks(X, dtype)
    y = align(y, X, "y")
    if y.dtype.kind == "c":
        raise ValueError("Complex data not supported. Expected class labels in y")
    # The labels are read in one pass, before training, unless the classes are given.
    found = None if classes is not None else check_classes(_dask().array.unique(y).compute())
    classes = known_classes(found, classes)
    to_Y = functools.partial(one_hot_labels, classes=classes, n_y=n_outputs(classes))
    return _source(X, y, sample_weight, to_Y, image), backend, classes


def _source(X: Any, y: Any, sample_weight: Any, to_Y: Any, image: Any = None) -> BlockSource:
    weights = None if sample_weight is None else align(sample_weight, X, "sample_weight")
    return BlockSource(X, y, weights, to_Y, image)


def _predict_block(X: Any, model: Any, proba: bool, empty: np.ndarray) -> Any:
    if X.shape[0] == 0:  # a block of no rows: no predictions
        return empty
    return model.predict_proba(X) if proba else model.predict(X)


def predict_blocks(model: Any, X: Any, *, proba: bool) -> Any:
    """Lazy predictions (``map_blocks``): nothing is computed until the user asks."""
    _dask()
    check_known(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"Invalid X. Expected a 2-D array (n_samples, n_features). Received: X of shape "
            f"{X.shape}"
        )
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(model).__name__} is expecting "
            f"{model.n_features_in_} features as input"
        )
    return lazy_predictions(model, X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X, proba)


def lazy_predictions(model: Any, X: Any, proba: bool) -> Any:
    """``predict`` (or ``predict_proba``) of each block of X, whose examples are chunked
    along its first axis alone, declared with the dtype and shape each block gives."""
    xp, device = model.backend_.xp, model.backend_.device
    floats = np.dtype(dtype_name(model.backend_.dtype))
    k, regressor = model.n_outputs_, model._estimator_type == "regressor"
    width: tuple[int, ...]
    if proba:
        dtype, width = floats, (model.classes_.shape[0],)
    elif k > 1 and (regressor or model.output_activation_ == "sigmoid"):  # targets, 0/1 labels
        dtype, width = floats if regressor else np.dtype(dtype_name(index_dtype(xp, device))), (k,)
    else:
        dtype, width = floats if regressor else model.classes_.dtype, ()
    empty = np.empty((0, *width), dtype)
    if width:
        return X.map_blocks(
            _predict_block, model, proba, empty, dtype=dtype, chunks=(X.chunks[0], width),
            drop_axis=tuple(range(2, X.ndim)),
        )  # fmt: skip
    return X.map_blocks(
        _predict_block, model, proba, empty, dtype=dtype, drop_axis=tuple(range(1, X.ndim))
    )

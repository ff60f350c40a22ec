"""Training on Dask arrays: data made of blocks, on disk or on a cluster.

Dask is a container of blocks here, not a backend: the parameters stay small arrays of
the blocks' own library (NumPy, or CuPy for CuPy chunks), and each step runs xpnet's
forward and backward passes on the blocks it needs, where they live, and brings the
sum of their gradients back with the cost in **one compute per step**. The task graph
of a step does not grow with the number of steps, and a Zarr or HDF5 array on disk is
read block by block, never whole. With a ``dask.distributed.Client`` in scope the same
steps run on its workers.

Samples are the rows of X (scikit-learn's convention); X is chunked along the rows
only (xpnet rechunks a split of the features), and the targets are aligned with X's
chunks. A step's tasks:

- blocks **held in a cluster's memory** (``client.persist(X)``) are summed by one task
  per worker, over all the blocks that worker holds, so that one small gradient per
  worker crosses the network and the scheduler's work does not grow with the blocks;
- blocks **read lazily** (from Zarr, say) get one task each, summed in a tree of 8, so
  that a worker holds only the blocks it is working on.

``batch_size`` on Dask arrays:

- ``None``: the full batch, every block summed in one compute a step;
- an int b: mini-batches of at most b rows cut **inside blocks**: each block is split
  into ceil(rows/b) contiguous pieces of b rows (the last one shorter), and the epoch
  visits the pieces of all blocks in the order ``RandomState(seed + 1 + epoch)`` draws.
  A piece never spans two blocks, so a block of fewer than b rows is a smaller batch;
  a piece of a block read lazily reads its whole block (persist, or chunk near b);
- ``"auto"``: one block per step, the blocks in that shuffled order (choose the batch
  with ``X.rechunk``).

The targets are a Dask array and a small function that turns one block of them into
the course's Y of shape (n_y, rows) on the block's device (:func:`one_hot_labels` for
a classifier), so that any estimator's targets plug in.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import array_api_compat
import numpy as np  # edge: host-side permutations, seeds and class lists

from .backend import Backend, to_numpy
from .batches import epoch_order
from .dask_workers import Held, held, one_blas_thread_a_task
from .labels import (
    check_classes,
    check_target_shape,
    check_weight_summary,
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
    "is_dask_array",
    "one_hot_labels",
    "predict_blocks",
    "prepare",
    "prepare_regression",
    "real_targets",
]

Array = Any
Piece = tuple[int, int, int]  # a block's number, then its first row and end row


def is_dask_array(x: Any) -> bool:
    """True for a ``dask.array.Array``."""
    return array_api_compat.is_dask_array(x)


def _known(a: Any, name: str) -> None:
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
    _known(X, "X")
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
    if not is_dask_array(v):
        v = _dask().array.from_array(np.asarray(v), chunks=(X.chunks[0],))
    _known(v, name)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1 or v.shape[0] != X.shape[0]:
        raise ValueError(
            f"Expected {name} of shape ({X.shape[0]},), one per row of X. "
            f"Received shape {tuple(v.shape)}"
        )
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
    X: Any, y: Any, sample_weight: Any, dtype: str | None, batch_size: Any = None
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
    _known(y, "y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    chunks = (X.chunks[0], *((y.shape[1],) if y.ndim == 2 else ()))
    y = y if y.chunks == chunks else y.rechunk(chunks)
    if not bool(da.isfinite(y).all().compute()):  # one pass over y, before training
        raise ValueError("Expected finite values in y. Received NaN or infinity (inf)")
    n_y = 1 if y.ndim == 1 else int(y.shape[1])
    to_Y = functools.partial(real_targets, n_y=n_y)
    weights = None if sample_weight is None else align(sample_weight, X, "sample_weight")
    source = BlockSource(X, y, weights, to_Y, one_block_per_step=batch_size == "auto")
    return source, backend, n_y


def prepare(X: Any, y: Any, sample_weight: Any, classes: Any, dtype: str | None, batch_size=None):
    """A classifier's source of blocks: X, y and the weights checked and aligned.

    ``batch_size`` is the estimator's: ``"auto"`` makes each block one mini-batch.

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
    n_y = n_outputs(classes)
    to_Y = functools.partial(one_hot_labels, classes=classes, n_y=n_y)
    weights = None if sample_weight is None else align(sample_weight, X, "sample_weight")
    source = BlockSource(X, y, weights, to_Y, one_block_per_step=batch_size == "auto")
    return source, backend, classes


def _share(network, X, T, W, parameters, to_Y, seed, with_loss, check):
    """One piece's share: Σ of its examples' gradients and losses, and its weight. On the
    block's first visit (``check``) X's finiteness is read from dW1 = dZ1·Xᵀ, which NaN or
    infinity anywhere in X makes non-finite: a second pass over X only if it is."""
    xp = array_api_compat.array_namespace(X)
    Y = to_Y(T, X)
    w = None if W is None else xp.reshape(xp.astype(W, X.dtype), (1, -1))
    rng = None if seed is None else np.random.RandomState(seed)
    grads, loss = network.gradients(X.T, Y, parameters, weights=w, rng=rng, with_loss=with_loss)
    suspect = check and not all(bool(xp.all(xp.isfinite(g))) for g in grads.values())
    if suspect and not bool(xp.all(xp.isfinite(X))):
        return None, None, 0.0, False
    weight = float(X.shape[0]) if w is None else float(xp.sum(w))
    return {k: g * weight for k, g in grads.items()}, loss, weight, True


def _part(network, blocks, rows, parameters, to_Y, seeds, with_loss, checks):
    """The sum of the shares of pieces of blocks (X, targets, weights): views of rows."""
    shares = [
        _share(network, X[a:b], T[a:b], None if W is None else W[a:b], parameters, to_Y, *rest)
        for (X, T, W), (a, b), *rest in zip(
            blocks, rows, seeds, [with_loss] * len(blocks), checks, strict=True
        )
    ]
    return _add(*shares)


def _held_part(network, held, positions, rows, *rest):
    return _part(network, [held.blocks[p] for p in positions], rows, *rest)


def _add(*parts: tuple) -> tuple:
    """The sum of shares: gradients, losses and weights; False if any was not finite."""
    if not all(part[3] for part in parts):
        return None, None, 0.0, False
    first = parts[0]
    grads = {k: sum(part[0][k] for part in parts[1:]) + g for k, g in first[0].items()}
    loss = None if first[1] is None else sum(part[1] for part in parts)
    return grads, loss, sum(part[2] for part in parts), True


class BlockSource:
    """A :class:`xpnet.sources.DataSource` over the blocks of Dask arrays: a batch is a
    list of pieces of blocks, whose gradients one compute sums where the blocks live.

    Parameters
    ----------
    X : Dask array of shape (n_samples, n_features), chunked along the rows
    targets : Dask array of shape (n_samples,) or (n_samples, n_y), aligned with X's rows
    weights : Dask array of shape (n_samples,), or None
    to_Y : callable
        ``to_Y(targets_block, X_block)``: the course's Y of shape (n_y, rows) on the
        device of X's block (:func:`one_hot_labels` for class labels).
    one_block_per_step : bool
        Mini-batches are whole blocks (``batch_size="auto"``), not pieces of b rows.
    """

    in_memory = False

    def __init__(
        self,
        X: Any,
        targets: Any,
        weights: Any,
        to_Y: Callable[[Any, Array], Array],
        *,
        one_block_per_step: bool = False,
    ) -> None:
        self.X, self.targets, self.weights, self.to_Y = X, targets, weights, to_Y
        self.one_block_per_step = one_block_per_step
        self.m = X.shape[0]
        self.rows = X.chunks[0]
        self._held = held(X, targets, weights)
        if self._held is None:  # the blocks as the steps' graphs will read them
            W = [None] * len(self.rows) if weights is None else weights.to_delayed()
            T = targets.to_delayed().ravel()  # (n_samples,) or (n_samples, n_y): a block a row
            self._blocks = list(zip(X.to_delayed()[:, 0], T, W, strict=True))
        self._checked: set[Piece] = set()  # X's finiteness, read on a first visit
        self._total_weight: float | None = None

    @property
    def total_weight(self) -> float:
        """The examples' total weight, read (and the weights checked) in one pass."""
        if self._total_weight is None:
            if self.weights is None:
                self._total_weight = float(self.m)
            else:
                w = self.weights
                finite, low, total = _dask().compute(
                    _dask().array.isfinite(w).all(), w.min(), w.sum()
                )
                check_weight_summary(bool(finite), float(low), float(total))
                self._total_weight = float(total)
        return self._total_weight

    def batches(self, config: Any, seed: int, epoch: int) -> list[list[Piece]]:
        """Every block at once (full batch), or one piece per step in a shuffled order."""
        size = config.batch_size
        if size is None:
            return [[(b, 0, r) for b, r in enumerate(self.rows) if r]]
        pieces = [
            (b, a, min(a + step, r))
            for b, r in enumerate(self.rows)
            for step in [r if self.one_block_per_step or size >= r else size]
            for a in range(0, r, max(step, 1))
        ]
        shuffle = config.shuffle and len(pieces) > 1
        order = epoch_order(len(pieces), seed, epoch) if shuffle else range(len(pieces))
        return [[pieces[int(k)]] for k in order]

    @staticmethod
    def _on_workers(held: Held, batch, arguments) -> list[tuple]:
        """One task per worker over the pieces of the blocks it holds, pinned there."""
        groups: dict[str, list[int]] = {}
        for k, (b, _, _) in enumerate(batch):
            groups.setdefault(held.workers[b], []).append(k)
        futures = [
            held.client.submit(
                _held_part,
                arguments[0],
                held.holders[worker],
                [held.positions[batch[k][0]] for k in group],
                *arguments[1](group),
                workers=[worker],
                allow_other_workers=False,
                pure=False,
            )
            for worker, group in groups.items()
        ]
        return held.client.gather(futures)

    def gradients(self, network, batch, parameters, *, rng, with_loss):
        """The batch's gradients and m·J, in one compute; the finiteness check folded in."""
        dask = _dask()
        plain = dataclasses.replace(network, l2=0.0)  # L2 is added once, after the sum
        seeds = (
            [None] * len(batch)
            if rng is None
            else [int(s) for s in rng.randint(2**31, size=len(batch))]
        )

        def rest(group, shared=parameters):
            return (
                [batch[k][1:] for k in group],
                shared,
                self.to_Y,
                [seeds[k] for k in group],
                with_loss,
                [batch[k] not in self._checked for k in group],
            )

        if self._held is not None:
            sums, loss, weight, finite = _add(*self._on_workers(self._held, batch, (plain, rest)))
        else:  # one task a piece, where its block is read; the parameters shared
            model = dask.delayed(plain, traverse=False)
            shared = dask.delayed(parameters, traverse=False)
            parts = [
                dask.delayed(_part)(model, [self._blocks[b]], *rest([k], shared))
                for k, (b, _, _) in enumerate(batch)
            ]
            while len(parts) > 8:  # a tree of sums, 8 at a time (dask's own split_every)
                parts = [dask.delayed(_add)(*parts[k : k + 8]) for k in range(0, len(parts), 8)]
            with one_blas_thread_a_task(dask, parts):
                sums, loss, weight, finite = _add(*dask.compute(*parts))
        if not finite:
            raise ValueError(
                "Expected finite values in X. Received NaN or infinity in a block of X"
            )
        self._checked.update(batch)
        xp = array_api_compat.array_namespace(*parameters.values())
        grads = {k: g / weight for k, g in sums.items()}
        if network.l2:  # the network's own L2 equations, over the whole batch's weight
            network.add_l2(grads, parameters, weight)
            if loss is not None:
                loss = loss + network.l2_loss(parameters, xp=xp)
        return grads, loss


def _predict_block(X: Any, model: Any, proba: bool) -> Any:
    return model.predict_proba(X) if proba else model.predict(X)


def predict_blocks(model: Any, X: Any, *, proba: bool) -> Any:
    """Lazy predictions (``map_blocks``): nothing is computed until the user asks."""
    _dask()
    _known(X, "X")
    if X.ndim != 2 or X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1] if X.ndim == 2 else X.shape} features, but "
            f"{type(model).__name__} is expecting {model.n_features_in_} features as input"
        )
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    k = model.n_outputs_
    regressor = model._estimator_type == "regressor"
    if k > 1 and (regressor or model.output_activation_ == "sigmoid") and not proba:
        dtype = X.dtype if regressor else np.int64  # targets, or a multilabel 0/1 matrix
        return X.map_blocks(_predict_block, model, False, dtype=dtype, chunks=(X.chunks[0], (k,)))
    if regressor:
        return X.map_blocks(_predict_block, model, False, dtype=X.dtype, drop_axis=1)
    if proba:
        k = model.classes_.shape[0]
        return X.map_blocks(_predict_block, model, True, dtype=X.dtype, chunks=(X.chunks[0], (k,)))
    return X.map_blocks(_predict_block, model, False, dtype=model.classes_.dtype, drop_axis=1)

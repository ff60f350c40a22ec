"""Training on Dask arrays: data made of blocks, on disk or on a cluster.

Dask is a container of blocks here, not a backend: the parameters stay small arrays of
the blocks' own library (NumPy, or CuPy for CuPy chunks), and each step runs xpnet's
forward and backward passes on every block it needs, where the block lives, then sums
the blocks' gradients in a tree and brings them back with the cost in **one compute
per step**. The task graph of a step does not grow with the number of steps, and a
Zarr or HDF5 array on disk is read block by block, never whole. With a
``dask.distributed.Client`` in scope the same steps run on its workers.

Samples are the rows of X (scikit-learn's convention); X is chunked along the rows
only (xpnet rechunks a split of the features), and y is aligned with X's chunks. Full
batches sum over all blocks; with ``batch_size`` set, each block is one mini-batch, the
blocks visited in the order ``RandomState(seed + 1 + epoch)`` draws (choose the batch
size with ``X.rechunk``).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import array_api_compat
import numpy as np  # edge: host-side permutations, seeds and class lists

from .backend import Backend, to_numpy
from .batches import epoch_order
from .targets import check_classes, check_weight_summary, class_index, one_hot

__all__ = ["BlockSource", "is_dask_array", "predict_blocks", "prepare"]

Array = Any


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


def prepare(X: Any, y: Any, sample_weight: Any, classes: Any, dtype: str | None):
    """Check and align X, y and the weights; find the classes; place the parameters.

    Returns
    -------
    source : BlockSource (without its network's output size, set by the caller)
    backend : Backend
        Where the parameters live: the blocks' library and device.
    classes : NumPy array
    """
    dask = _dask()
    da = dask.array
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
    y = _align(y, X, "y", da)
    if y.dtype.kind == "c":
        raise ValueError("Complex data not supported. Expected class labels in y")
    if classes is None:
        classes = check_classes(da.unique(y).compute())  # one pass over y, before training
    else:  # a label outside them is refused by the step that meets it, before any update
        classes = check_classes(classes, "classes")
    if classes.shape[0] < 2:
        raise ValueError(
            f"Expected at least two classes in y. Received one class: {classes.tolist()}"
        )
    index = y.map_blocks(_class_index, classes, dtype=np.int64)
    weights = None if sample_weight is None else _align(sample_weight, X, "sample_weight", da)
    return BlockSource(X, index, weights, classes.shape[0]), backend, classes


def _class_index(labels: Any, classes: np.ndarray) -> np.ndarray:
    return class_index(to_numpy(labels), classes)


def _align(v: Any, X: Any, name: str, da: Any) -> Any:
    if v is None:
        raise ValueError(f"This estimator requires {name} to be passed, but the target y is None")
    if not is_dask_array(v):
        v = da.from_array(np.asarray(v), chunks=(X.chunks[0],))
    _known(v, name)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1 or v.shape[0] != X.shape[0]:
        raise ValueError(
            f"Expected {name} of shape ({X.shape[0]},), one per row of X. "
            f"Received shape {tuple(v.shape)}"
        )
    return v if v.chunks[0] == X.chunks[0] else v.rechunk((X.chunks[0],))


def _block(network, X, index, weights, parameters, n_classes, seed, with_loss, check):
    """One block's share: Σ of its examples' gradients and losses, its weight, finiteness
    (checked on the block's first visit only: ``check``)."""
    xp = array_api_compat.array_namespace(X)
    if check and not bool(xp.all(xp.isfinite(X))):
        return None, None, 0.0, False
    Xt = X.T
    n_y = 1 if n_classes == 2 else n_classes
    put = Backend.of(X).put  # on the block's device
    Y = one_hot(put(to_numpy(index)), n_y, X.dtype, xp=xp, put=put)
    w = None if weights is None else xp.reshape(xp.astype(weights, X.dtype), (1, -1))
    rng = None if seed is None else np.random.RandomState(seed)
    grads, loss = network.gradients(Xt, Y, parameters, weights=w, rng=rng, with_loss=with_loss)
    weight = float(X.shape[0]) if w is None else float(xp.sum(w))
    return {k: g * weight for k, g in grads.items()}, loss, weight, True


def _add(*parts: tuple) -> tuple:
    """The sum of blocks' shares: gradients, losses and weights; False if any was not finite."""
    if not all(part[3] for part in parts):
        return None, None, 0.0, False
    first = parts[0]
    grads = {k: sum(part[0][k] for part in parts[1:]) + g for k, g in first[0].items()}
    loss = None if first[1] is None else sum(part[1] for part in parts)
    return grads, loss, sum(part[2] for part in parts), True


class BlockSource:
    """A :class:`xpnet.sources.DataSource` over the blocks of Dask arrays: a batch is a
    list of blocks, whose gradients one compute sums where the blocks live.

    Parameters
    ----------
    X : Dask array of shape (n_samples, n_features), chunked along the rows
    index : Dask array of shape (n_samples,): class indices, aligned with X
    weights : Dask array of shape (n_samples,), or None
    n_classes : int
    """

    in_memory = False

    def __init__(self, X: Any, index: Any, weights: Any, n_classes: int) -> None:
        self.X, self.index, self.weights, self.n_classes = X, index, weights, n_classes
        self.m = X.shape[0]
        self._blocks = list(
            zip(
                X.to_delayed()[:, 0],
                index.to_delayed(),
                [None] * len(X.chunks[0]) if weights is None else weights.to_delayed(),
                strict=True,
            )
        )
        self._checked: set[int] = set()
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

    def batches(self, config: Any, seed: int, epoch: int) -> list[list[int]]:
        """All blocks at once (full batch), or one block per step in a shuffled order."""
        n = len(self._blocks)
        if config.batch_size is None:
            return [list(range(n))]
        shuffle = config.shuffle and n > 1
        order = epoch_order(n, seed, epoch) if shuffle else range(n)
        return [[int(b)] for b in order]

    def gradients(self, network, batch, parameters, *, rng, with_loss):
        """The batch's gradients and m·J, in one compute; the finiteness check folded in."""
        dask = _dask()
        plain = dataclasses.replace(network, l2=0.0)  # L2 is added once, after the sum
        seeds = (
            [None] * len(batch)
            if rng is None
            else [int(s) for s in rng.randint(2**31, size=len(batch))]
        )
        # The parameters travel once a step, as one shared piece of the graph.
        shared = dask.delayed(parameters, traverse=False)
        model = dask.delayed(plain, traverse=False)
        parts = [
            dask.delayed(_block)(
                model,
                *self._blocks[b],
                shared,
                self.n_classes,
                s,
                with_loss,
                b not in self._checked,
            )
            for b, s in zip(batch, seeds, strict=True)
        ]
        while len(parts) > 1:  # a tree of sums, 8 at a time (dask's own split_every)
            parts = [dask.delayed(_add)(*parts[k : k + 8]) for k in range(0, len(parts), 8)]
        sums, loss, weight, finite = dask.compute(parts[0])[0]
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
    if proba:
        k = model.classes_.shape[0]
        return X.map_blocks(_predict_block, model, True, dtype=X.dtype, chunks=(X.chunks[0], (k,)))
    return X.map_blocks(_predict_block, model, False, dtype=model.classes_.dtype, drop_axis=1)

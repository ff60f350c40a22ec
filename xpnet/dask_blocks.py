"""Steps on the blocks of Dask arrays: the data source and the gradients of its batches.

A batch is a list of pieces of blocks (:class:`BlockBatch`). Its gradients are the sum,
over the pieces, of :meth:`Network.gradients <xpnet.network.Network.gradients>` on
each piece where its block lives, brought back with the cost in **one compute per
step** (:func:`block_gradients`); :func:`xpnet.step.train_step` then updates the
parameters as for any batch. The task graph of a step does not grow with the number of
steps, and a Zarr or HDF5 array on disk is read block by block, never whole. A step's
tasks:

- blocks **held in a cluster's memory** (``client.persist(X)``) are summed by one task
  per worker, over all the blocks that worker holds, so that one small gradient per
  worker crosses the network and the scheduler's work does not grow with the blocks;
- blocks **read lazily** (from Zarr, say) get one task each, summed in a tree of 8, so
  that a worker holds only the blocks it is working on. Where an epoch has several
  batches, the next batch's blocks are read while the current step computes
  (:class:`xpnet.dask_workers.ReadAhead`): where a core is free for the read, a step
  costs about the larger of its read and its arithmetic rather than their sum.

Samples are the rows of X; each piece enters the network as the course's columns X.T,
or, for a network of images, as its rows reshaped to (rows, n_H, n_W, n_C).
"""

from __future__ import annotations

import dataclasses
import itertools
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import array_api_compat

from .batches import along, epoch_order
from .dask_workers import Held, ReadAhead, held, one_blas_thread_a_task
from .labels import check_weight_summary

__all__ = ["BlockBatch", "BlockSource", "block_gradients"]

Array = Any
Piece = tuple[int, int, int]  # a block's number, then its first row and end row


def _dask() -> Any:
    import dask
    import dask.array

    return dask


class _Blocks:
    """The blocks the steps read: held by the workers, or as the steps' graphs read them,
    with the targets' function and the pieces whose X was checked finite."""

    def __init__(self, X: Any, targets: Any, weights: Any, to_Y: Callable) -> None:
        self.to_Y = to_Y
        self.held = held(X, targets, weights)
        self.delayed: list[tuple] = []
        if self.held is None:  # the blocks as the steps' graphs will read them
            rows = len(X.chunks[0])
            weights_ = [None] * rows if weights is None else weights.to_delayed()
            T = targets.to_delayed().ravel()  # (n_samples,) or (n_samples, n_y): a block a row
            self.delayed = list(zip(X.to_delayed()[:, 0], T, weights_, strict=True))
        self.checked: set[Piece] = set()  # X's finiteness, read on a first visit


class BlockBatch(NamedTuple):
    """A batch of pieces of blocks: X of a step on Dask arrays.

    ``shape`` is the shape the network sees, (n_features, rows), or (rows, *image) for
    a network of images, which sizes the batch's dropout masks.
    """

    blocks: _Blocks
    pieces: list[Piece]
    n_features: int
    image: tuple[int, ...] | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        rows = sum(b - a for _, a, b in self.pieces)
        return (self.n_features, rows) if self.image is None else (rows, *self.image)


def _share(network, X, T, weights, parameters, to_Y, masks, with_loss, check, image):
    """One piece's share: Σ of its examples' gradients and losses, and its weight. On the
    block's first visit (``check``) X's finiteness is read from dW1, a product with every
    element of X, which NaN or infinity anywhere in X makes non-finite: a second pass
    over X only if it is."""
    xp = array_api_compat.array_namespace(X)
    Y = to_Y(T, X)
    w = None if weights is None else xp.reshape(xp.astype(weights, X.dtype), (1, -1))
    A0 = X.T if image is None else xp.reshape(X, (X.shape[0], *image))
    grads, loss = network.gradients(
        A0, Y, parameters, weights=w, masks=masks, with_loss=with_loss, xp=xp
    )
    suspect = check and not all(bool(xp.all(xp.isfinite(g))) for g in grads.values())
    if suspect and not bool(xp.all(xp.isfinite(X))):
        return None, None, 0.0, False
    weight = float(X.shape[0]) if w is None else float(xp.sum(w))
    return {k: g * weight for k, g in grads.items()}, loss, weight, True


def _part(network, blocks, rows, parameters, to_Y, masks, with_loss, checks, image):
    """The sum of the shares of pieces of blocks (X, targets, weights): views of rows."""
    shares = [
        _share(
            network,
            X[a:b],
            T[a:b],
            None if weights is None else weights[a:b],
            parameters,
            to_Y,
            *rest,
        )
        for (X, T, weights), (a, b), *rest in zip(
            blocks,
            rows,
            masks,
            [with_loss] * len(blocks),
            checks,
            [image] * len(blocks),
            strict=True,
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


def _on_workers(held: Held, batch: list[Piece], arguments: tuple) -> list[tuple]:
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


class _Plan(NamedTuple):
    """An epoch's order of batches, for reading ahead: each batch's pieces (by
    identity) and the pieces of the batch after it."""

    after: dict[int, tuple[list[Piece], list[Piece]]]
    ahead: ReadAhead


_plans: weakref.WeakKeyDictionary[_Blocks, _Plan] = weakref.WeakKeyDictionary()


def _planned(store: _Blocks, batches: list[tuple[BlockBatch, None, None]]) -> list:
    """An epoch's batches, the order of their pieces noted for reading ahead (blocks read
    lazily only: blocks held by the workers are read already)."""
    if store.held is None and len(batches) > 1:
        pieces = [X.pieces for X, _, _ in batches]
        after = {id(p): (p, q) for p, q in itertools.pairwise(pieces)}
        plan = _plans.get(store)
        _plans[store] = _Plan(after, ReadAhead() if plan is None else plan.ahead)
    return batches


def _read_ahead(store: _Blocks, batch: list[Piece], on: Any) -> list[tuple]:
    """The parts of each piece's block for this step's graph (read ahead where they were),
    and the next batch's blocks set reading, where the epoch's order is known."""
    plan = _plans.get(store)
    if plan is None:
        return [store.delayed[b] for b, _, _ in batch]
    parts = [plan.ahead.take(b, store.delayed[b]) for b, _, _ in batch]
    this, following = plan.after.get(id(batch), (None, []))
    blocks = {b: store.delayed[b] for b, _, _ in following} if this is batch else {}
    plan.ahead.start(blocks, on)
    return parts


def block_gradients(
    network: Any,
    X: BlockBatch,
    Y: None,
    parameters: dict[str, Array],
    *,
    weights: None = None,
    masks: tuple = (),
    with_loss: bool,
    xp: Any = None,
) -> tuple[dict[str, Array], Array | None]:
    """:meth:`Network.gradients <xpnet.network.Network.gradients>` of a batch of pieces
    of blocks, in one compute; the finiteness check of X folded in.

    The targets and weights are read from the blocks (``Y`` and ``weights`` are None);
    each piece takes its examples of the batch's dropout ``masks``, along each mask's
    sample axis (:meth:`Network.mask_sample_axes <xpnet.network.Network.mask_sample_axes>`).
    """
    dask = _dask()
    store, batch = X.blocks, X.pieces
    plain = dataclasses.replace(network, l2=0.0)  # L2 is added once, after the sum
    ends = [0]
    for _, a, b in batch:
        ends.append(ends[-1] + b - a)
    axes = network.mask_sample_axes()
    own = [
        tuple(D[along(axis, slice(s, e))] for D, axis in zip(masks, axes, strict=True))
        for s, e in itertools.pairwise(ends)
    ]

    def rest(group, shared=parameters):
        return (
            [batch[k][1:] for k in group],
            shared,
            store.to_Y,
            [own[k] for k in group],
            with_loss,
            [batch[k] not in store.checked for k in group],
            X.image,
        )

    if store.held is not None:
        sums, loss, weight, finite = _add(*_on_workers(store.held, batch, (plain, rest)))
    else:  # one task a piece, where its block is read; the parameters shared
        model = dask.delayed(plain, traverse=False)
        shared = dask.delayed(parameters, traverse=False)
        read = _read_ahead(store, batch, store.delayed[batch[0][0]][0])
        parts = [
            dask.delayed(_part)(model, [read[k]], *rest([k], shared)) for k in range(len(batch))
        ]
        while len(parts) > 8:  # a tree of sums, 8 at a time (dask's own split_every)
            parts = [dask.delayed(_add)(*parts[k : k + 8]) for k in range(0, len(parts), 8)]
        with one_blas_thread_a_task(dask, parts):
            sums, loss, weight, finite = _add(*dask.compute(*parts))
    if not finite:
        raise ValueError("Expected finite values in X. Received NaN or infinity in a block of X")
    store.checked.update(batch)
    xp = array_api_compat.array_namespace(*parameters.values()) if xp is None else xp
    grads = {k: g / weight for k, g in sums.items()}
    if network.l2:  # the network's own L2 equations, over the whole batch's weight
        network.add_l2(grads, parameters, weight)
        if loss is not None:
            loss = loss + network.l2_loss(parameters, xp=xp)
    return grads, loss


class BlockSource:
    """A :class:`xpnet.sources.DataSource` over the blocks of Dask arrays: each batch's X
    is a :class:`BlockBatch`, whose gradients :func:`block_gradients` computes.

    ``batch_size`` (the configuration's) on Dask arrays:

    - ``None``: the full batch, every block summed in one compute a step;
    - an int b: mini-batches of at most b rows cut **inside blocks**: each block is split
      into ceil(rows/b) contiguous pieces of b rows (the last one shorter), and the epoch
      visits the pieces of all blocks in the order ``RandomState(seed + 1 + epoch)``
      draws. A piece never spans two blocks, so a block of fewer than b rows is a smaller
      batch; a piece of a block read lazily reads its whole block;
    - ``"auto"``: one block per step, the blocks in that shuffled order (choose the
      batch with ``X.rechunk``).

    Parameters
    ----------
    X : Dask array of shape (n_samples, n_features), chunked along the rows
    targets : Dask array of shape (n_samples,) or (n_samples, n_y), aligned with X's rows
    weights : Dask array of shape (n_samples,), or None
    to_Y : callable
        ``to_Y(targets_block, X_block)``: the course's Y of shape (n_y, rows) on the
        device of X's block (:func:`xpnet.dask_arrays.one_hot_labels` for class labels).
    image : tuple of int, or None
        For a network of images, the shape (n_H, n_W, n_C) of one example, whose
        n_features numbers are a row of X; None for a network of the course's columns.
    """

    in_memory = False

    def __init__(
        self,
        X: Any,
        targets: Any,
        weights: Any,
        to_Y: Callable[[Any, Array], Array],
        image: tuple[int, ...] | None = None,
    ) -> None:
        self.weights = weights
        self.m = X.shape[0]
        self.rows = X.chunks[0]
        self.n_features = int(X.shape[1])
        self.image = image
        self._blocks = _Blocks(X, targets, weights, to_Y)
        self._total_weight: float | None = None

    batch_gradients = staticmethod(block_gradients)

    @property
    def n_x(self) -> int | tuple[int, ...]:
        """What the network takes of one example: n_features, or the image's shape."""
        return self.n_features if self.image is None else self.image

    @property
    def held(self) -> Held | None:
        """The blocks as a distributed cluster's workers hold them; None where the steps
        read them (:func:`xpnet.dask_workers.held`)."""
        return self._blocks.held

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

    def batches(self, config: Any, seed: int, epoch: int) -> list[tuple[BlockBatch, None, None]]:
        """Every block at once (full batch), or one piece per step in a shuffled order."""
        size = config.batch_size
        if size is None:
            return [self._batch([(b, 0, r) for b, r in enumerate(self.rows) if r])]
        pieces = [
            (b, a, min(a + step, r))
            for b, r in enumerate(self.rows)
            for step in [r if size == "auto" or size >= r else size]
            for a in range(0, r, max(step, 1))
        ]
        shuffle = config.shuffle and len(pieces) > 1
        order = epoch_order(len(pieces), seed, epoch) if shuffle else range(len(pieces))
        return _planned(self._blocks, [self._batch([pieces[int(k)]]) for k in order])

    def _batch(self, pieces: list[Piece]) -> tuple[BlockBatch, None, None]:
        return BlockBatch(self._blocks, pieces, self.n_features, self.image), None, None

"""Data sources: where the training loop's batches come from.

:func:`xpnet.training.run` asks a source for an epoch's batches, and nothing else: a
source computes nothing. :class:`InMemory` serves arrays that live on one device,
:class:`xpnet.dask_blocks.BlockSource` the blocks of Dask arrays, and a source of
your own (a memory-mapped file, files read a batch at a time) plugs in the same way
by satisfying :class:`DataSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

import numpy as np  # edge: the host-side order of the examples
from array_api_compat import device

from .batches import along, epoch_batches
from .state import TrainingConfig

__all__ = ["DataSource", "InMemory"]

Array = Any


@runtime_checkable
class DataSource(Protocol):
    """What the training loop needs of its data.

    Attributes
    ----------
    m : int
        The number of examples.
    total_weight : float
        Their total weight (m without sample weights), read once, before training.
    in_memory : bool
        True when each batch's X is an array on the parameters' device: then a
        compiled step (:mod:`xpnet.compiled`) may run it.
    batch_gradients : callable or None
        None where each batch is a tuple ``(X, Y, weights)`` of arrays, X in the
        network's layout: :meth:`Network.gradients <xpnet.network.Network.gradients>`
        computes its gradients. Otherwise the function that does, with the same
        signature (network first), called by :func:`xpnet.step.train_step`.

    Examples
    --------
    Batches read from a memory-mapped file of rows, in the course's seeded order::

        class MemoryMapped:
            in_memory = True
            batch_gradients = None

            def __init__(self, X_rows, Y, xp):  # np.load(path, mmap_mode="r")
                self.X, self.Y, self.xp = X_rows, Y, xp
                self.m = self.total_weight = X_rows.shape[0]

            def batches(self, config, seed, epoch):
                order, slices = epoch_batches(self.m, config.batch_size, seed=seed, epoch=epoch)
                rows = np.arange(self.m) if order is None else order
                for s in slices:
                    index = np.sort(rows[s])  # a sorted read of the file
                    yield (xpnet.asarray(self.X[index].T), self.Y[:, index], None)
    """

    m: int
    in_memory: bool
    batch_gradients: Callable[..., Any] | None

    @property
    def total_weight(self) -> float: ...

    def batches(self, config: TrainingConfig, seed: int, epoch: int) -> Iterable[Any]:
        """The epoch's batches ``(X, Y, weights)``, in order; ``seed`` and ``epoch`` fix
        their shuffle."""
        ...


class InMemory:
    """A :class:`DataSource` of examples that live on one device, batched by slicing.

    Parameters
    ----------
    X : array of the first layer's layout, or (m, n_x) with ``rows=True``
        Its examples on the network's ``sample_axis``: (n_x, m) for dense layers. With
        ``rows=True`` (the estimators' data, samples in rows, for a network whose input
        is the course's columns) a shuffle gathers whole rows and each batch is a block
        of rows seen through ``.T``: contiguous memory, where gathering columns of a
        row-major array would stride through it.
    Y : array of shape (n_y, m)
    weights : array of shape (1, m), optional
    """

    in_memory = True
    batch_gradients: Callable[..., Any] | None = None  # Network.gradients

    def __init__(
        self, X: Array, Y: Array, weights: Array | None, xp: Any, *, rows: bool = False
    ) -> None:
        self.X, self.Y, self.weights, self.xp, self.rows = X, Y, weights, xp, rows
        self.m = Y.shape[1]
        self.total_weight = self.m if weights is None else float(xp.sum(weights))

    def full_batch(self, config: TrainingConfig) -> tuple | None:
        """The one batch (X, Y, weights) that every epoch is, where ``batch_size`` holds
        all m examples; else None."""
        if len(epoch_batches(self.m, config.batch_size, shuffle=False)[1]) > 1:
            return None
        return (self.X.T if self.rows else self.X, self.Y, self.weights)

    def axis(self, config: TrainingConfig) -> int:
        """The axis of X that holds the examples: 0 for rows, else the network's."""
        return 0 if self.rows else config.network.sample_axis

    def positions(
        self, config: TrainingConfig, seed: int, epoch: int
    ) -> tuple[np.ndarray | None, list[slice]]:
        """The epoch's order (the permutation, on the host; None: the data's own order)
        and its batches as slices of that order, without gathering any data: a compiled
        step gathers its batch itself (:meth:`xpnet.compiled.CompiledStep.indexed`), from
        the order moved to the data's device."""
        return epoch_batches(
            self.m, config.batch_size, shuffle=config.shuffle, seed=seed, epoch=epoch
        )

    def batch_shape(self, config: TrainingConfig, s: slice) -> tuple[int, ...]:
        """The shape of the batch ``s`` cuts: X's, in the network's layout."""
        shape = list(self.X.shape)
        shape[self.axis(config)] = s.stop - s.start
        return tuple(reversed(shape)) if self.rows else tuple(shape)

    def batch(self, config: TrainingConfig, order: Array | None, s: slice) -> tuple:
        """The batch (X, Y, weights) of slice ``s`` of ``order`` (``positions``' order on
        the data's device, or None), gathered here."""
        axis = self.axis(config)
        if order is None:
            return self._cut((self.X, self.Y, self.weights), axis, s)
        X, Y, weights = self._taken(order[s], axis)
        return (X.T if self.rows else X, Y, weights)

    def _taken(self, index: Array, axis: int) -> tuple:
        """(X, Y, weights) at the examples ``index`` names, in its order."""
        xp, weights = self.xp, self.weights
        return (
            xp.take(self.X, index, axis=axis),
            xp.take(self.Y, index, axis=1),
            None if weights is None else xp.take(weights, index, axis=1),
        )

    def _cut(self, data: tuple, axis: int, s: slice) -> tuple:
        """The batch that slice ``s`` cuts from ``data`` (X, Y, weights), X in the
        network's layout."""
        X, Y, weights = data
        return (
            X[s, :].T if self.rows else X[along(axis, s)],
            Y[:, s],
            None if weights is None else weights[:, s],
        )

    def batches(self, config: TrainingConfig, seed: int, epoch: int) -> Iterable[Any]:
        """The epoch's batches (X, Y, weights), X in the network's layout: the data
        itself when one batch holds it all."""
        order, slices = self.positions(config, seed, epoch)
        if len(slices) == 1:
            return (self.full_batch(config),)
        axis, data = self.axis(config), (self.X, self.Y, self.weights)
        if order is not None:  # the permutation was drawn on the host; the data moves here
            data = self._taken(self.xp.asarray(order, device=device(self.X)), axis)
        return (self._cut(data, axis, s) for s in slices)

"""Data sources: where the training loop's batches come from.

:func:`xpnet.training.run` asks a source for an epoch's batches and for each batch's
gradients, and nothing else; :class:`InMemory` serves arrays that live on one device,
:class:`xpnet.dask_arrays.BlockSource` the blocks of Dask arrays, and a source of your
own (a memory-mapped file, files read a batch at a time) plugs in the same way by
satisfying :class:`DataSource`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from array_api_compat import device

from .batches import along, epoch_batches

if TYPE_CHECKING:
    from .network import Network
    from .training import TrainingConfig

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
        True when each batch is a tuple ``(X, Y, weights)`` of arrays on the
        parameters' device, X of shape (n_x, batch): then a compiled step
        (:mod:`xpnet.step`) may take it instead of :meth:`gradients`.

    Examples
    --------
    Batches read from a memory-mapped file of rows, in the course's seeded order::

        class MemoryMapped:
            in_memory = True

            def __init__(self, X_rows, Y, xp):  # np.load(path, mmap_mode="r")
                self.X, self.Y, self.xp = X_rows, Y, xp
                self.m = self.total_weight = X_rows.shape[0]

            def batches(self, config, seed, epoch):
                order, slices = epoch_batches(self.m, config.batch_size, seed=seed, epoch=epoch)
                rows = np.arange(self.m) if order is None else order
                for s in slices:
                    index = np.sort(rows[s])  # a sorted read of the file
                    yield (xpnet.asarray(self.X[index].T), self.Y[:, index], None)

            def gradients(self, network, batch, parameters, *, rng, with_loss):
                X, Y, weights = batch
                return network.gradients(X, Y, parameters, weights=weights, rng=rng,
                                         with_loss=with_loss, xp=self.xp)
    """

    m: int
    in_memory: bool

    @property
    def total_weight(self) -> float: ...

    def batches(self, config: TrainingConfig, seed: int, epoch: int) -> Iterable[Any]:
        """The epoch's batches, in order; ``seed`` and ``epoch`` fix their shuffle."""
        ...

    def gradients(
        self,
        network: Network,
        batch: Any,
        parameters: dict[str, Array],
        *,
        rng: Any,
        with_loss: bool,
    ) -> tuple[dict[str, Array], Array | None]:
        """``(grads, m_batch · J or None)``: the batch's gradients averaged over its
        weight, and the sum of its losses if ``with_loss`` (before the update)."""
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

    def __init__(
        self, X: Array, Y: Array, weights: Array | None, xp: Any, *, rows: bool = False
    ) -> None:
        self.X, self.Y, self.weights, self.xp, self.rows = X, Y, weights, xp, rows
        self.m = Y.shape[1]
        self.total_weight = self.m if weights is None else float(xp.sum(weights))

    def batches(self, config: TrainingConfig, seed: int, epoch: int):
        """The epoch's batches (X, Y, weights), X in the network's layout: the data
        itself when one batch holds it all."""
        X, Y, weights, xp, m = self.X, self.Y, self.weights, self.xp, self.m
        axis = 0 if self.rows else config.network.sample_axis
        if config.batch_size is None or config.batch_size >= m:
            return ((X.T if self.rows else X, Y, weights),)
        order, slices = epoch_batches(
            m, config.batch_size, shuffle=config.shuffle, seed=seed, epoch=epoch
        )
        if order is not None:  # the permutation was drawn on the host; the data moves here
            order = xp.asarray(order, device=device(X))
            X = xp.take(X, order, axis=axis)
            Y = xp.take(Y, order, axis=1)
            weights = None if weights is None else xp.take(weights, order, axis=1)
        return (
            (
                X[s, :].T if self.rows else X[along(axis, s)],
                Y[:, s],
                None if weights is None else weights[:, s],
            )
            for s in slices
        )

    def gradients(self, network: Network, batch: Any, parameters: dict, *, rng, with_loss):
        X, Y, weights = batch
        return network.gradients(
            X, Y, parameters, weights=weights, rng=rng, with_loss=with_loss, xp=self.xp
        )

"""The training step: the one function every step of every fit runs, compiled or not.

One step is the gradients of a batch, their clipping if asked, then the optimiser's
``update``, nothing else::

    train_step(network, optimizer, parameters, optimizer_state, X, Y, weights, masks, rate)
        -> (parameters, optimizer_state, loss)

The eager loop calls :func:`train_step` itself; on JAX and PyTorch the loop calls it
compiled (:mod:`xpnet.compiled`). The gradients are :meth:`Network.gradients
<xpnet.network.Network.gradients>`, or for a data source whose batches are not arrays
(the blocks of Dask arrays) the source's ``batch_gradients``: the update is the same
either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .clipping import clip_gradients

__all__ = ["train_step"]

Array = Any


def train_step(
    network: Any,
    optimizer: Any,
    parameters: dict[str, Array],
    optimizer_state: dict[str, Any],
    X: Array,
    Y: Array,
    weights: Array | None,
    masks: tuple,
    rate: Any,
    /,
    *,
    with_loss: bool,
    xp: Any,
    gradients: Callable[..., Any] | None = None,
    in_place: bool = False,
    clip: tuple[float | None, float | None] = (None, None),
) -> tuple[dict[str, Array], dict[str, Any], Array | None]:
    """One step: the gradients of a batch, clipped, the optimiser's update, and m · J.

    Parameters
    ----------
    X : array in the network's layout: (n_x, m) for dense layers
    Y : array of shape (n_y, m)
    weights : array of shape (1, m), or None
    masks : tuple of arrays
        The dropout masks (:meth:`Network.draw_masks
        <xpnet.network.Network.draw_masks>`), one per dropout layer; empty without.
    rate : float or 0-d array
        α for this step.
    gradients : callable, optional
        ``gradients(network, X, Y, parameters, weights=, masks=, with_loss=, xp=)``:
        :meth:`Network.gradients <xpnet.network.Network.gradients>` (the default), or
        a data source's ``batch_gradients`` for batches that are not arrays.
    in_place : bool
        The caller alone holds ``parameters`` and ``optimizer_state`` (an
        :func:`~xpnet.optimizers.owned` copy): the update writes into them where the
        library's arrays can be written (see :meth:`Optimizer.update
        <xpnet.optimizers.Optimizer.update>`).
    clip : (clip_value, clip_norm)
        The gradients clipped by value, then by global norm, before the update
        (:func:`xpnet.clipping.clip_gradients`); None: not that one.

    Returns
    -------
    parameters, optimizer_state : the updated ones (new arrays, or the same written
        into with ``in_place``)
    loss : 0-d array, or None without ``with_loss``
        m · J of the batch before the update.
    """
    compute = type(network).gradients if gradients is None else gradients
    grads, loss = compute(
        network, X, Y, parameters, weights=weights, masks=masks, with_loss=with_loss, xp=xp
    )
    grads = clip_gradients(grads, *clip, xp=xp)  # between the gradients and the update
    parameters, optimizer_state = optimizer.update(
        parameters, grads, optimizer_state, rate, in_place=in_place, xp=xp
    )
    return parameters, optimizer_state, loss

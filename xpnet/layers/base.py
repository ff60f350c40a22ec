"""What a layer is to the engine: the :class:`Layer` protocol.

A :class:`~xpnet.network.Network` stacks layers and learns nothing else about them:
each gives its output from its input (``forward``), the gradient of its input and of
its own parameters from the gradient of its output (``backward``), and the shape of
its output from the shape of its input (``output_shape``), which sizes the dropout
masks that follow it. A layer that can come first also says which axis of its input
holds the examples (``sample_axis``): 1 for the course's columns (n_x, m), 0 for
images (m, n_H, n_W, n_C), 1 for sequences (n_x, m, T_x). The labels Y and the sample
weights keep the examples on their axis 1 whatever the input's layout.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Layer"]

Array = Any


@runtime_checkable
class Layer(Protocol):
    """One layer of a :class:`~xpnet.network.Network`.

    Attributes
    ----------
    sample_axis : int
        The axis of the layer's input that holds the examples, read from the first
        layer only (:attr:`Network.sample_axis <xpnet.network.Network.sample_axis>`).

    Examples
    --------
    A layer that flattens images (m, n_H, n_W) into the course's columns (n_H·n_W, m)::

        class Flatten:
            sample_axis = 0

            def forward(self, A_prev, parameters, *, mask=None, xp):
                m = A_prev.shape[0]
                return xp.reshape(A_prev, (m, -1)).T, A_prev.shape

            def backward(self, dA, cache, *, need_dA_prev, xp):
                return (xp.reshape(dA.T, cache) if need_dA_prev else None), {}

            def output_shape(self, input_shape, parameters):
                return (math.prod(input_shape[1:]), input_shape[0])
    """

    @property
    def sample_axis(self) -> int:
        """The axis of the input that holds the examples."""
        ...

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, Any]:
        """``(A, cache)``: the layer's output and what its backward pass needs.

        ``mask`` is a dropout mask drawn before the step (:meth:`Network.draw_masks
        <xpnet.network.Network.draw_masks>`), given to dropout layers only.
        """
        ...

    def backward(
        self, dA: Array, cache: Any, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        """``(dA_prev, grads)`` from dA = ∂J/∂A: dA_prev is None when not
        ``need_dA_prev`` (the first layer), and ``grads`` maps ``"dW{l}"``-style names
        to the gradients of the layer's parameters (empty without parameters)."""
        ...

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        """The shape of A for an input A_prev of shape ``input_shape``."""
        ...

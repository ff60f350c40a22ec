"""A convolutional image classifier: [CONV → g → POOL] × k → FLATTEN → [LINEAR → g] × j →
LINEAR → sigmoid or softmax, trained by the same engine as every estimator.

Images are the course's layout, (m, n_H, n_W, n_C): the examples lie on axis 0, where
the first layer (:class:`~xpnet.layers.Conv2D`) takes them, so the batches are cut along
that axis and the network's :attr:`~xpnet.network.Network.sample_axis` is 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, cast

import numpy as np  # edge: host images and host-side draws
from array_api_compat import array_namespace

from .._checks import COUNT, Options
from ..activations import ACTIVATIONS
from ..backend import Backend, dtype_name, is_host_data
from ..dask_arrays import check_blocks, check_known, lazy_predictions, prepare
from ..initializers import draw_parameters
from ..labels import n_outputs
from ..layers import AveragePool2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from ..network import Network
from ._classifier import BaseClassifier
from ._validation import check_X
from .fitted import Architecture, FittedState
from .hyperparameters import HIDDEN_LAYERS, HYPERPARAMETERS, hidden_sizes, sklearn_tags

__all__ = ["ConvArchitecture", "ConvBlock", "ConvNet"]

Array = Any

#: ``pooling`` → the layer that pools after each convolution.
POOLS = {"max": MaxPool2D, "average": AveragePool2D}


class ConvBlock(NamedTuple):
    """One block: ``filters`` convolutions of ``kernel_size``², then pooling (or none)."""

    filters: int
    kernel_size: int
    padding: str
    pooling: str | None
    pool_size: int


@dataclass(frozen=True)
class ConvArchitecture(Architecture):
    """Convolution blocks on images of shape ``image`` (n_H, n_W, n_C), then the dense
    layers n_flat, n_1, ..., n_L of :class:`Architecture` (n_flat: the last block's
    output, flattened)."""

    image: tuple[int, ...]
    blocks: tuple[ConvBlock, ...]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.image

    def shapes(self) -> dict[str, Any]:
        """``{"W1": (f, f, n_C_prev, n_C), "b1": (1, 1, 1, n_C), ...}`` for the blocks,
        then the dense layers' ``(n_l, n_(l−1))`` and ``(n_l, 1)``."""
        shapes: dict[str, Any] = {}
        n_C_prev = self.image[2]
        for l, block in enumerate(self.blocks, 1):  # noqa: E741 (the course's layer index)
            layer = Conv2D(l, block.filters, block.kernel_size, pad=block.padding)
            shapes |= layer.parameter_shapes(n_C_prev)
            n_C_prev = block.filters
        return shapes | _after_blocks(super().shapes(), len(self.blocks))

    def describe(self) -> str:
        blocks = ", ".join(
            f"{b.filters}×{b.kernel_size}×{b.kernel_size} {b.padding}"
            + (f" → {b.pooling} pool {b.pool_size}" if b.pooling else "")
            for b in self.blocks
        )
        return f"images {self.image} → [{blocks}] → {super().describe()}"

    def to_header(self) -> dict[str, Any]:
        blocks = [b._asdict() for b in self.blocks]
        return {**super().to_header(), "image": list(self.image), "blocks": blocks}

    @classmethod
    def from_header(cls, saved: dict[str, Any]) -> ConvArchitecture:
        dense = Architecture.from_header(saved)
        blocks = tuple(ConvBlock(**block) for block in saved["blocks"])
        image = tuple(int(n) for n in saved["image"])
        return cls(dense.dims, dense.activation, dense.output, image, blocks)


#: ConvNet's own hyperparameters → what each accepts.
CONV_LAYERS: dict[str, list[Any]] = {
    **HIDDEN_LAYERS,
    "conv_filters": HIDDEN_LAYERS["hidden_layer_sizes"],
    "kernel_size": [COUNT],
    "padding": [Options("same", "valid")],
    "pooling": [Options("max", "average", None)],
    "pool_size": [COUNT],
    "activation": [Options(*ACTIVATIONS)],
}


@dataclass(eq=False, repr=False)
class ConvNet(BaseClassifier):
    """[CONV → g → POOL] × k → FLATTEN → [LINEAR → g] × j → LINEAR → sigmoid (softmax
    for more classes), on images.

    X holds images of shape (n_samples, n_H, n_W, n_C), or (n_samples, n_H, n_W) for one
    channel. Images of dtype uint8 are scaled to [0, 1] (X / 255) wherever they come
    in (fit, predict, score); floating images are taken as they are. Dask arrays of
    images, chunked along the samples, are trained on block by block and predicted
    lazily, as :class:`xpnet.DeepNet` does with rows. Dropout
    (``keep_prob`` < 1) follows each block and each hidden dense layer. The other
    hyperparameters and their defaults are those of :class:`xpnet.DeepNet`.

    Parameters
    ----------
    conv_filters : sequence of int, or int
        n_C of each convolution block in turn, one block each (an int: one block).
    kernel_size : int
        f, the filters' height and width (f × f × n_C_prev).
    padding : {"same", "valid"}
        "same" pads each convolution with zeros to keep n_H = n_H_prev (stride 1);
        "valid" does not pad, n_H = n_H_prev − f + 1.
    pooling : {"max", "average", None}
        The pooling that follows each convolution; None: no pooling.
    pool_size : int
        The pooling windows' side and stride (windows that do not overlap): each block
        divides n_H and n_W by it, rounding down.
    hidden_layer_sizes : sequence of int, or int
        The dense hidden layers between the flattened blocks and the output layer; ()
        for none.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}
        g, of the convolutions and the hidden dense layers.
    learning_rate, num_iterations, optimizer, batch_size, ... :
        As in :class:`xpnet.models.BaseEstimator`.

    Attributes
    ----------
    parameters_ : dict
        Block l's filters ``W{l}`` of shape (f, f, n_C_prev, n_C) and biases ``b{l}`` of
        shape (1, 1, 1, n_C), then the dense layers' ``W`` (n_l, n_(l−1)) and ``b``.
    n_features_in_ : int
        n_H · n_W · n_C, the numbers of one image.
    classes_, costs_, cost_iterations_, n_iter_ :
        As in :class:`xpnet.LogisticRegression`.

    Raises
    ------
    ValueError
        For X of another rank, with NaN or infinity, or of images too small for the
        blocks (each convolution needs f × f after padding, each pooling window
        ``pool_size`` × ``pool_size``).
    """

    conv_filters: Sequence[int] | int = (16, 32)
    kernel_size: int = 3
    padding: str = "same"
    pooling: str | None = "max"
    pool_size: int = 2
    hidden_layer_sizes: Sequence[int] | int = ()
    activation: str = "relu"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {**HYPERPARAMETERS, **CONV_LAYERS}

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags, saying that X holds images, not rows of features."""
        tags = sklearn_tags(self)
        tags.input_tags.two_d_array, tags.input_tags.three_d_array = False, True
        return tags

    def _architecture(self, n_x: Any, n_y: int, output: str | None = None) -> ConvArchitecture:
        """The layers for images of shape ``n_x``, (n_H, n_W, n_C), and n_y outputs."""
        shape = n_x if isinstance(n_x, tuple) else (n_x,)
        if len(shape) != 3:  # a file's input_shape, say
            raise ValueError(
                f"Invalid input shape for {type(self).__name__}. Expected an image's shape "
                f"(n_H, n_W, n_C). Received: input_shape={shape}"
            )
        block = (self.kernel_size, self.padding, self.pooling, self.pool_size)
        blocks = tuple(ConvBlock(n, *block) for n in hidden_sizes(self.conv_filters))
        shape = (1, *n_x)
        try:
            for layer in _network(blocks, (), self.activation, "sigmoid").layers[:-1]:
                shape = layer.output_shape(shape, {})  # the blocks, then Flatten
        except ValueError as exc:
            raise ValueError(
                f"Invalid X for {type(self).__name__}. Expected images large enough for "
                f"its blocks ({len(blocks)} of f={self.kernel_size}, padding="
                f"{self.padding!r}, pooling={self.pooling!r} of {self.pool_size}). Received "
                f"images of shape {tuple(n_x)}: {exc}"
            ) from exc
        dims = (shape[0], *hidden_sizes(self.hidden_layer_sizes), n_y)
        head = output or self._output_head(n_y)
        return ConvArchitecture(dims, self.activation, head, tuple(n_x), blocks)

    def _network(
        self, architecture: Architecture, *, keep_prob: float = 1.0, l2: float = 0.0
    ) -> Network:
        arch = cast(ConvArchitecture, architecture)  # its own _architecture's
        hidden, activation = arch.dims[1:-1], arch.activation or "relu"
        return _network(arch.blocks, hidden, activation, arch.output, keep_prob, l2)

    def _initial_parameters(
        self, architecture: Architecture, rng: Any, backend: Backend
    ) -> dict[str, Array]:
        """The filters drawn as a dense layer of fan-in f·f·n_C_prev draws its weights,
        then the dense layers (as :class:`xpnet.DeepNet`'s), in layer order."""
        arch = cast(ConvArchitecture, architecture)
        filters: dict[str, np.ndarray] = {}
        n_C_prev = arch.image[2]
        for layer in self._network(arch).layers:
            if isinstance(layer, Conv2D):
                filters |= layer.draw(rng, n_C_prev, self.initialization, self.scale)
                n_C_prev = layer.n_C
        dense = draw_parameters(rng, arch.dims, self.initialization, self.scale, backend)
        filters = {name: backend.put(P, backend.dtype) for name, P in filters.items()}
        return filters | _after_blocks(dense, len(arch.blocks))

    def _input(
        self, X: Any, fitted: FittedState | None, dtype: str | None
    ) -> tuple[Array, Backend, bool, tuple[int, ...]]:
        """Images (n, n_H, n_W, n_C), or (n, n_H, n_W) as one channel, checked as
        :func:`._validation.check_X` checks rows, uint8 scaled by 1/255, and their
        shape (n_H, n_W, n_C)."""
        if is_host_data(X) and not hasattr(X, "shape"):
            X = np.asarray(X)
        image = _image(tuple(X.shape))
        uint8 = dtype_name(X.dtype) == "uint8"  # whatever the library's spelling
        rows = (np if is_host_data(X) else array_namespace(X)).reshape(
            X, (X.shape[0], math.prod(image))
        )
        X, backend, host = check_X(rows, None if fitted is None else fitted.backend, dtype)
        X = backend.xp.reshape(X, (X.shape[0], *image))
        return (X / 255 if uint8 else X), backend, host, image  # uint8: X / 255 in [0, 1]

    def _blocks(self, X: Any, y: Any, sample_weight: Any, classes: Any):
        """Dask images chunked along the samples: their rows (n, n_H·n_W·n_C) are the
        blocks the steps read, each row seen as its image; uint8 scaled by 1/255."""
        image = _image(tuple(X.shape))
        check_known(X, "X")  # before a reshape needs the sizes
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
        rows = X.reshape((X.shape[0], math.prod(image)))
        if rows.dtype == np.uint8:  # uint8: X / 255 in [0, 1], in the backend's dtype
            rows = check_blocks(rows, self.dtype)[0] / 255
        source, backend, classes = prepare(rows, y, sample_weight, classes, self.dtype, image)
        return source, backend, classes, n_outputs(classes)

    def _predict_lazy(self, X: Any, proba: bool) -> Any:
        """Lazy predictions of Dask images chunked along the samples: one block at a time."""
        self._placed()
        _image(tuple(X.shape))
        check_known(X, "X")
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
        return lazy_predictions(self, X, proba)


def _network(
    blocks: Sequence[ConvBlock],
    hidden: Sequence[int],
    activation: str,
    output: str,
    keep_prob: float = 1.0,
    l2: float = 0.0,
) -> Network:
    """The layers: each block's Conv2D, pooling and dropout, Flatten, then the dense layers."""
    dropout = (Dropout(keep_prob),) if keep_prob < 1 else ()
    layers: list[Any] = []
    for l, b in enumerate(blocks, 1):  # noqa: E741 (the course's layer index)
        layers.append(Conv2D(l, b.filters, b.kernel_size, pad=b.padding, activation=activation))
        layers += [POOLS[b.pooling](b.pool_size)] if b.pooling else []
        layers += dropout
    layers.append(Flatten())
    k = len(blocks)
    for l in range(k + 1, k + 1 + len(hidden)):  # noqa: E741
        layers += [Dense(l, activation), *dropout]
    return Network((*layers, Dense(k + len(hidden) + 1)), output, l2)


def _after_blocks(dense: dict[str, Any], k: int) -> dict[str, Any]:
    """The dense layers' ``{"W1": ..., "b1": ...}`` renumbered to follow k blocks."""
    return {f"{name[0]}{int(name[1:]) + k}": value for name, value in dense.items()}


def _image(shape: tuple[int, ...]) -> tuple[int, ...]:
    """(n_H, n_W, n_C) of images of shape (n, n_H, n_W, n_C), or (n, n_H, n_W): one channel."""
    if len(shape) not in (3, 4):
        raise ValueError(
            "Invalid X. Expected images of shape (n_samples, n_H, n_W, n_C), or "
            "(n_samples, n_H, n_W) for one channel. Received: an array of shape "
            f"{shape}" + (": reshape flat rows to images first" if len(shape) == 2 else "")
        )
    return shape[1:] if len(shape) == 4 else (*shape[1:], 1)

"""The engine: a network is a list of layers and an output head, forward and back.

Every model of xpnet trains through :class:`Network`, and the course's functions
(:mod:`xpnet.course`) are thin wrappers over it.

X's layout is the first layer's (:class:`~xpnet.layers.Layer`): the course's columns
(n_x, m) for :class:`~xpnet.layers.Dense`, its examples on :attr:`Network.sample_axis`.
Y has shape (1, m), or (K, m) one-hot with a softmax output: examples are Y's columns
whatever X's layout, as are the sample weights'. ``parameters`` is ``{"W1": (n_1, n_x), "b1": (n_1, 1), ...}``; the
hidden layers share one activation and the output layer L is a sigmoid, a softmax or,
for a regressor, the identity.

L2 regularisation lives here, in its two equations: the cost gains λ/(2m)·Σ‖W[l]‖²
and each dW[l] gains λ/m·W[l]; biases are not regularised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from array_api_compat import array_namespace, device

from ._checks import check_fraction
from .layers import Dense, Dropout, Layer
from .losses import get_output

__all__ = ["Network", "n_layers"]

Array = Any


def n_layers(parameters: dict[str, Array]) -> int:
    """L, the highest layer named among the parameters (``W{l}`` or ``b{l}``): a layer
    that lacks one of its two is then found missing, not silently dropped."""
    return max(
        (int(name[1:]) for name in parameters if name[:1] in "Wb" and name[1:].isdigit()),
        default=0,
    )


@dataclass(frozen=True)
class Network:
    """Layers, an output head and an L2 strength: everything a training step needs.

    Attributes
    ----------
    layers : tuple of Layer
        In order from the input (:class:`~xpnet.layers.Dense`,
        :class:`~xpnet.layers.Dropout`, ...); the last is the output layer ``Dense(L)``.
    output : {"sigmoid", "softmax", "identity"}
    l2 : float
        λ of L2 regularisation (0: none).
    """

    layers: tuple[Layer, ...]
    output: str = "sigmoid"
    l2: float = 0.0

    @classmethod
    def dense(
        cls,
        L: int,
        activation: str = "relu",
        output: str = "sigmoid",
        *,
        keep_prob: float = 1.0,
        l2: float = 0.0,
    ) -> Network:
        """[LINEAR → g → dropout] × (L − 1) → LINEAR → output: the course's L-layer network.

        Dropout (``keep_prob`` < 1) follows each hidden layer, never the input or output.
        """
        check_fraction("keep_prob", keep_prob)  # 0 would divide A ∗ D by zero
        layers: list[Any] = []
        for l in range(1, L):  # noqa: E741 (the course's layer index)
            layers.append(Dense(l, activation))
            if keep_prob < 1:
                layers.append(Dropout(keep_prob))
        get_output(output)  # an unknown name raises here, not mid-training
        return cls((*layers, Dense(L)), output, l2)

    @property
    def head(self) -> Any:
        return get_output(self.output)

    @property
    def sample_axis(self) -> int:
        """The axis of X that holds the examples: the first layer's."""
        return int(self.layers[0].sample_axis)

    def mask_sample_axes(self) -> tuple[int, ...]:
        """The axis of each dropout mask that holds the examples: that of the layer its
        masked activation feeds (1 before a dense layer, 0 before a convolution)."""
        layers = self.layers
        return tuple(
            next(
                int(after.sample_axis)
                for after in layers[i + 1 :]
                if not isinstance(after, Dropout)
            )
            for i, layer in enumerate(layers)
            if isinstance(layer, Dropout)
        )

    def forward(
        self,
        X: Array,
        parameters: dict[str, Array],
        /,
        *,
        rng: Any = None,
        masks: tuple | None = None,
        xp: Any = None,
    ) -> tuple[Array, list[Any]]:
        """The logits Z[L] of shape (n_L, m), and each layer's cache.

        ``masks`` (from :meth:`draw_masks`) switch dropout on, as in training; an
        ``rng`` (a NumPy RandomState or Generator) has :meth:`draw_masks` draw them
        first. Without either the pass is the prediction pass.
        """
        xp = array_namespace(X) if xp is None else xp
        if masks is None and rng is not None:
            masks = self.draw_masks(rng, parameters, tuple(X.shape), xp=xp)
        pending = iter(masks or ())
        A, caches = X, []
        for layer in self.layers:
            mask = next(pending, None) if isinstance(layer, Dropout) else None
            A, cache = layer.forward(A, parameters, mask=mask, xp=xp)
            caches.append(cache)
        return A, caches

    def draw_masks(
        self, rng: Any, parameters: dict[str, Array], input_shape: tuple[int, ...], /, *, xp: Any
    ) -> tuple[Array, ...]:
        """The dropout masks of one step, drawn on the host in layer order from ``rng``.

        One D per :class:`~xpnet.layers.Dropout` layer, in the shape of the activation
        it follows (each layer's ``output_shape``, from X's shape ``input_shape``), on
        the parameters' device and in their dtype; empty without dropout. Drawn before
        the step, so that a compiled step takes them as inputs and one seed gives the
        same masks eagerly and compiled.
        """
        masks: list[Array] = []
        like = next(iter(parameters.values()))
        shape = tuple(input_shape)
        for layer in self.layers:
            if isinstance(layer, Dropout):
                masks.append(layer.draw(rng, shape, dtype=like.dtype, device=device(like), xp=xp))
            shape = layer.output_shape(shape, parameters)
        return tuple(masks)

    def backward(
        self,
        dZL: Array,
        caches: list[Any],
        parameters: dict[str, Array],
        /,
        *,
        m: Any = None,
        xp: Any = None,
    ) -> dict[str, Array]:
        """All the gradients ``{"dW1", "db1", ...}`` from dZ[L] = ∂J/∂Z[L] (times m).

        ``m`` divides the L2 term λ/m·W: the number of examples (the default), or the
        sum of their weights. dA0, the gradient with respect to X, is not computed; each
        dA is passed down and let go, not kept.
        """
        xp = array_namespace(dZL) if xp is None else xp
        grads: dict[str, Array] = {}
        dA = dZL
        for i in reversed(range(len(self.layers))):
            dA, layer_grads = self.layers[i].backward(dA, caches[i], need_dA_prev=i > 0, xp=xp)
            grads |= layer_grads
        unused = [name for name in parameters if "d" + name not in grads]
        if unused:  # L2 would weigh them, and the update would look for their gradients
            raise ValueError(
                "Invalid parameters. Expected those this network uses "
                f"({', '.join(sorted(g[1:] for g in grads))}). Received others too: {unused}"
            )
        if self.l2:
            self.add_l2(grads, parameters, dZL.shape[1] if m is None else m)
        return grads

    def add_l2(self, grads: dict[str, Array], parameters: dict[str, Array], m: Any) -> None:
        """dW[l] += λ/m · W[l] in ``grads``, for every layer; biases are not regularised.

        ``m`` is the number of examples, or the sum of their weights.
        """
        for name, P in parameters.items():
            if name.startswith("W"):
                grads["d" + name] = grads["d" + name] + (self.l2 * P) / m  # + λ/m · W

    def l2_loss(self, parameters: dict[str, Array], /, *, xp: Any) -> Array:
        """λ/2 · Σ‖W[l]‖²: the L2 term of m · J."""
        return self.l2 / 2 * self.squared_weights(parameters, xp=xp)

    def loss_sum(
        self,
        ZL: Array,
        Y: Array,
        parameters: dict[str, Array],
        /,
        *,
        weights: Array | None = None,
        xp: Any = None,
    ) -> Array:
        """m · J: the sum of the examples' losses, plus λ/2 · Σ‖W[l]‖² (a 0-d array).

        ``weights`` of shape (1, m) scale each example's loss.
        """
        xp = array_namespace(ZL) if xp is None else xp
        losses = self.head.losses(ZL, Y, xp)
        total = xp.sum(losses if weights is None else losses * weights)
        if self.l2:
            total = total + self.l2_loss(parameters, xp=xp)
        return total

    def cost(
        self, ZL: Array, Y: Array, parameters: dict[str, Array], /, *, xp: Any = None
    ) -> Array:
        """J = the head's loss (a cross-entropy, or ½ the mean squared error) + λ/(2m)·Σ‖W[l]‖²,
        the course's cost with regularisation."""
        xp = array_namespace(ZL) if xp is None else xp
        m = ZL.shape[1]
        J = xp.sum(self.head.losses(ZL, Y, xp)) / m
        if self.l2:
            J = J + (1 / m * self.l2 / 2) * self.squared_weights(parameters, xp=xp)
        return J

    @staticmethod
    def squared_weights(parameters: dict[str, Array], *, xp: Any) -> Array:
        """Σ_l ‖W[l]‖², the Frobenius norms squared (each a dot product of W with itself:
        one pass, no array of W's size)."""
        flat = (xp.reshape(P, (-1,)) for name, P in parameters.items() if name.startswith("W"))
        return sum(w @ w for w in flat)

    def gradients(
        self,
        X: Array,
        Y: Array,
        parameters: dict[str, Array],
        /,
        *,
        weights: Array | None = None,
        rng: Any = None,
        masks: tuple | None = None,
        with_loss: bool = False,
        xp: Any = None,
    ) -> tuple[dict[str, Array], Array | None]:
        """One forward and backward pass: the gradients, and m · J if asked (before the update).

        ``weights`` of shape (1, m) weight each example as if it were repeated that many
        times: the gradient is Σ w_i·∂J_i / Σ w_i, and the L2 term is divided by Σ w_i.
        A batch whose weights are all zero holds no example: its gradient is zero, L2
        term included, rather than 0/0. Dropout takes ``masks`` (:meth:`draw_masks`),
        or draws them from ``rng``.
        """
        xp = array_namespace(X) if xp is None else xp
        ZL, caches = self.forward(X, parameters, rng=rng, masks=masks, xp=xp)
        loss = self.loss_sum(ZL, Y, parameters, weights=weights, xp=xp) if with_loss else None
        AL = self.head.activation(ZL, xp=xp)
        return self.output_backward(AL, Y, caches, parameters, weights=weights, xp=xp), loss

    def output_backward(
        self,
        AL: Array,
        Y: Array,
        caches: list[Any],
        parameters: dict[str, Array],
        /,
        *,
        weights: Array | None = None,
        xp: Any = None,
    ) -> dict[str, Array]:
        """All the gradients from the output A[L] = g(Z[L]) and the labels Y, both (n_L, m).

        With a sigmoid and binary cross-entropy, a softmax and categorical cross-entropy,
        or the identity and J = 1/(2m)·Σ (A − Y)², the output layer's gradient is
        dZ[L] = A[L] − Y: exact where the course's dA[L] = −(Y/A[L] − (1 − Y)/(1 − A[L]))
        divides by zero at saturation.
        ``weights`` of shape (1, m) weight each example as in :meth:`gradients`.
        """
        xp = array_namespace(AL) if xp is None else xp
        dZL = AL - Y  # dZ[L] = A[L] − Y
        total = None
        if weights is not None:
            total = xp.sum(weights)
            # Σ w = 0: dividing by ∞ makes every term zero, where 0/0 would make NaN.
            total = xp.where(total > 0, total, total + math.inf)
            dZL = dZL * (weights * (AL.shape[1] / total))
        return self.backward(dZL, caches, parameters, m=total, xp=xp)

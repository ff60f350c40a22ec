"""The benchmark's workloads: shapes, matrix-product FLOPs, memory, random data.

X is in the course's layout, (n_x, m). Random data of the right shape is enough for
timing; it is drawn on the host with NumPy, once per configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np  # edge: host-side data for the benchmark

__all__ = ["QUICK", "WORKLOADS", "Workload"]


@dataclass(frozen=True)
class Workload:
    """A model of ``layer_dims`` trained full-batch on ``m`` examples."""

    name: str
    kind: str  # "logistic", "two_layer" or "deep"
    layer_dims: tuple[int, ...]
    m: int
    activation: str = "tanh"
    learning_rate: float = 0.01

    @property
    def output(self) -> str:
        return "sigmoid" if self.layer_dims[-1] == 1 else "softmax"

    @property
    def flops(self) -> int:
        """Matrix-product FLOPs of one iteration: 2·m·n_l·n_(l−1) per product.

        Each layer has its forward product and dW; every layer but the first also
        has dA_prev = Wᵀ·dZ.
        """
        products = 0
        for l in range(1, len(self.layer_dims)):  # noqa: E741 (the course's layer index)
            n, n_prev = self.layer_dims[l], self.layer_dims[l - 1]
            products += (2 if l == 1 else 3) * n * n_prev
        return 2 * self.m * products

    def data_bytes(self, itemsize: int) -> int:
        return (self.layer_dims[0] + self.layer_dims[-1]) * self.m * itemsize

    def activation_bytes(self, itemsize: int) -> int:
        """A[1], ..., A[L] of one forward pass."""
        return sum(self.layer_dims[1:]) * self.m * itemsize

    def data(self, dtype: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """X (n_x, m) standard normal and Y (n_y, m): 0/1 labels or one-hot, C-ordered."""
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((self.layer_dims[0], self.m), dtype=np.float32).astype(
            dtype, copy=False
        )
        n_y = self.layer_dims[-1]
        labels = rng.integers(0, max(n_y, 2), self.m)
        Y = (labels[None, :] == 1) if n_y == 1 else (np.arange(n_y)[:, None] == labels[None, :])
        return X, Y.astype(dtype)

    def parameters(self, dtype: str, seed: int = 1) -> dict[str, np.ndarray]:
        """W = randn/√n_prev, b = 0, in the course's layout (``w``, ``b`` for logistic)."""
        rng = np.random.RandomState(seed)
        dims = self.layer_dims
        p = {}
        for l in range(1, len(dims)):  # noqa: E741
            p[f"W{l}"] = (rng.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])).astype(dtype)
            p[f"b{l}"] = np.zeros((dims[l], 1), dtype=dtype)
        if self.kind == "logistic":
            return {"w": np.ascontiguousarray(p["W1"].T), "b": p["b1"]}
        return p


WORKLOADS = [
    Workload("logistic 30×569", "logistic", (30, 1), 569),
    Workload("logistic 784×60000", "logistic", (784, 1), 60000),
    Workload("two-layer 2-4-1 ×400", "two_layer", (2, 4, 1), 400, learning_rate=1.2),
    Workload("two-layer 64-64-1 ×1797", "two_layer", (64, 64, 1), 1797),
    Workload("two-layer 784-256-1 ×60000", "two_layer", (784, 256, 1), 60000),
    Workload("deep 784-256-128-10 ×60000", "deep", (784, 256, 128, 10), 60000, activation="relu"),
]

#: Small versions, for a smoke test of the runner.
QUICK = [
    Workload("logistic 30×569", "logistic", (30, 1), 569),
    Workload("two-layer 2-4-1 ×400", "two_layer", (2, 4, 1), 400, learning_rate=1.2),
    Workload("deep 32-16-8-10 ×500", "deep", (32, 16, 8, 10), 500, activation="relu"),
]

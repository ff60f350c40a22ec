"""The ``conv`` and ``rnn`` sections: one layer's forward and backward, against PyTorch's.

``conv``: one :class:`~xpnet.layers.Conv2D` (stride 1, ``"same"``, no activation) on
images ``(m, n_H, n_W, n_C_prev)``, computing Z, dW, db and dA_prev, against PyTorch's
``nn.Conv2d`` (eager, autograd, NCHW). ``rnn``: one :class:`~xpnet.layers.LSTM` over a
sequence ``(n_x, m, T_x)``, the gradient of Σ G ∗ a with respect to the weights, against
``torch.nn.LSTM`` from the same weights. Float32; xpnet on NumPy and PyTorch (eager) and
on JAX (``jax.jit`` of the layer's forward and backward). Every builder returns a
:data:`~xpnet.bench.timing.Built` whose ``step`` runs one pass; the one-off scripts of
the repository's ``benchmarks/conv`` and ``benchmarks/rnn`` time the same builders.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

import numpy as np  # edge: host-side random data and weights

from ..backend import Backend
from ..layers import LSTM, Conv2D
from .rows import parse
from .timing import Built

__all__ = [
    "CONV",
    "PEERS",
    "QUICK_CONV",
    "QUICK_RNN",
    "RNN",
    "SECTIONS",
    "TARGETS",
    "ConvCase",
    "LSTMCase",
    "build_layer",
    "conv_data",
    "conv_peer",
    "layer_rows",
    "lstm_data",
    "lstm_peer",
    "missing",
]


@dataclass(frozen=True)
class ConvCase:
    """Images ``shape = (m, n_H, n_W, n_C_prev)`` into ``n_C`` filters of ``f`` × ``f``."""

    name: str
    shape: tuple[int, int, int, int]
    n_C: int  # noqa: N815 (the course's name)
    f: int

    @property
    def flops(self) -> int:
        """2·m·n_H·n_W·f²·n_C_prev·n_C for Z, and as much for dW and for dA_prev."""
        m, n_H, n_W, n_C_prev = self.shape
        return 3 * 2 * m * n_H * n_W * self.f**2 * n_C_prev * self.n_C


@dataclass(frozen=True)
class LSTMCase:
    """An LSTM of ``n_a`` units over ``T`` steps of ``m`` sequences of ``n_x`` features."""

    name: str
    m: int
    T: int
    n_x: int
    n_a: int

    @property
    def flops(self) -> int:
        """2·4n_a·(n_a + n_x)·m a step for the gates, and as much for dW and for d[a, x]."""
        return 3 * 2 * 4 * self.n_a * (self.n_a + self.n_x) * self.m * self.T


CONV = [
    ConvCase("conv 28×28×1 → 16 of 3×3 ×128", (128, 28, 28, 1), 16, 3),
    ConvCase("conv 64×64×3 → 8 of 5×5 ×64", (64, 64, 64, 3), 8, 5),
]
RNN = [LSTMCase("lstm T=50 n_x=27 n_a=128 ×64", 64, 50, 27, 128)]
#: Small versions, for a smoke test of the runner.
QUICK_CONV = [
    ConvCase("conv 8×8×1 → 4 of 3×3 ×8", (8, 8, 8, 1), 4, 3),
    ConvCase("conv 8×8×3 → 2 of 5×5 ×4", (4, 8, 8, 3), 2, 5),
]
QUICK_RNN = [LSTMCase("lstm T=5 n_x=27 n_a=8 ×4", 4, 5, 27, 8)]

#: Section → (full cases, quick cases).
SECTIONS: dict[str, tuple[list[Any], list[Any]]] = {
    "conv": (CONV, QUICK_CONV),
    "rnn": (RNN, QUICK_RNN),
}
#: Section → the peer every row's time is divided by.
PEERS = {"conv": "torch Conv2d", "rnn": "torch.nn.LSTM"}
#: Section → row → the largest ratio to the peer that meets the issue's target.
TARGETS = {
    "conv": {"xpnet[torch]": 2.0, "xpnet[numpy]": 3.0},
    "rnn": {"xpnet[torch]": 2.0, "xpnet[jax, compiled]": 1.5},
}
XPNET_ROWS = ("xpnet[numpy]", "xpnet[torch]", "xpnet[jax, compiled]")


def missing(library: str) -> str | None:
    """Why ``library`` cannot run here, or None when it is installed."""
    if importlib.util.find_spec(library) is None:
        return f"{library} is not installed (pip install 'xpnet[{library}]')"
    return None


def layer_rows(section: str) -> tuple[list[str], dict[str, str]]:
    """The rows of ``section`` this machine can run, the peer last, and the others' reasons."""
    rows: list[str] = []
    skipped: dict[str, str] = {}
    for name in (*XPNET_ROWS, PEERS[section]):
        library = "torch" if name == PEERS[section] else parse(name).backend
        reason = missing(library)
        if reason:
            skipped[name] = reason
        else:
            rows.append(name)
    return rows, skipped


def _torch_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _torch_sync(device: str) -> Any:
    import torch

    return (lambda state: torch.cuda.synchronize()) if device == "cuda" else (lambda state: None)


def _compiled(run: Any, args: tuple) -> Built:
    """``run(*args)`` under ``jax.jit``, waited for at every call."""
    import jax

    jitted = jax.jit(run)
    return None, lambda state: jax.block_until_ready(jitted(*args)), lambda state: None, 1


def conv_data(
    case: ConvCase, seed: int = 0
) -> tuple[Conv2D, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The layer, its He draw, X of ``case.shape`` and dZ of the output's shape."""
    layer = Conv2D(1, case.n_C, case.f, pad="same", activation=None)
    rng = np.random.RandomState(seed)
    params = layer.draw(rng, case.shape[3], "he", 1.0)
    X = rng.randn(*case.shape).astype(np.float32)
    dZ = rng.randn(*layer.output_shape(case.shape)).astype(np.float32)
    return layer, {k: v.astype(np.float32) for k, v in params.items()}, X, dZ


def conv_xpnet(case: ConvCase, backend: str, compiled: bool = False) -> Built:
    """Conv2D's forward and backward (``need_dA_prev``) on ``backend``."""
    layer, host, X_host, dZ_host = conv_data(case)
    where = Backend.load(backend, None, "float32")
    xp = where.xp
    params = {k: where.put(v) for k, v in host.items()}
    X, dZ = where.put(X_host), where.put(dZ_host)

    def run(X: Any, dZ: Any, params: dict) -> Any:
        Z, cache = layer.forward(X, params, xp=xp)
        dA_prev, grads = layer.backward(dZ, cache, need_dA_prev=True, xp=xp)
        return Z, dA_prev, grads

    if compiled:
        return _compiled(run, (X, dZ, params))
    return None, lambda state: run(X, dZ, params), where.synchronize, 1


def conv_peer(case: ConvCase) -> tuple[Any, Any, Any, str]:
    """PyTorch's ``nn.Conv2d`` holding the draw of :func:`conv_data`, X (requiring its
    gradient) and dZ in NCHW, and the device they are on."""
    import torch

    _, host, X_host, dZ_host = conv_data(case)
    device = _torch_device()
    net: Any = torch.nn.Conv2d(case.shape[3], case.n_C, case.f, padding="same").to(device)
    with torch.no_grad():  # W (f, f, n_C_prev, n_C) → (n_C, n_C_prev, f, f)
        net.weight.copy_(torch.asarray(np.transpose(host["W1"], (3, 2, 0, 1)).copy()))
        net.bias.copy_(torch.asarray(host["b1"].reshape(-1).copy()))
    X = torch.asarray(np.transpose(X_host, (0, 3, 1, 2)).copy(), device=device)
    dZ = torch.asarray(np.transpose(dZ_host, (0, 3, 1, 2)).copy(), device=device)
    return net, X.requires_grad_(True), dZ, device


def conv_torch(case: ConvCase) -> Built:
    """PyTorch's ``nn.Conv2d`` on NCHW, the same weights, ``backward(dZ)`` by autograd."""
    net, X, dZ, device = conv_peer(case)

    def step(state: Any) -> Any:
        net.zero_grad(set_to_none=True)
        X.grad = None
        net(X).backward(dZ)

    return None, step, _torch_sync(device), 1


def lstm_data(
    case: LSTMCase, seed: int = 0
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The gates' weights ``W{g}1 (n_a, n_a + n_x)``, ``b{g}1 (n_a, 1)`` (g in f, i, c, o),
    x ``(n_x, m, T)`` and G ``(n_a, m, T)``, float32."""
    rng = np.random.RandomState(seed)
    shapes = {"W": (case.n_a, case.n_a + case.n_x), "b": (case.n_a, 1)}
    W = {f"{p}{g}1": rng.randn(*shapes[p]) * 0.1 for g in "fico" for p in "Wb"}
    x, G = rng.randn(case.n_x, case.m, case.T), rng.randn(case.n_a, case.m, case.T)
    return (
        {k: v.astype(np.float32) for k, v in W.items()},
        x.astype(np.float32),
        G.astype(np.float32),
    )


def lstm_xpnet(case: LSTMCase, backend: str, compiled: bool = False) -> Built:
    """LSTM's forward and backward through time on ``backend``: the weights' gradients."""
    host, x_host, G_host = lstm_data(case)
    where = Backend.load(backend, None, "float32")
    xp, layer = where.xp, LSTM(1)
    P = {k: where.put(v) for k, v in host.items()}
    x, G = where.put(x_host), where.put(G_host)

    def run(P: dict, x: Any, G: Any) -> Any:
        _, cache = layer.forward(x, P, xp=xp)
        return layer.backward(G, cache, need_dA_prev=False, xp=xp)[1]

    if compiled:
        return _compiled(run, (P, x, G))
    return None, lambda state: run(P, x, G), where.synchronize, 1


def lstm_peer(case: LSTMCase) -> tuple[Any, Any, Any, str]:
    """``torch.nn.LSTM`` holding the weights of :func:`lstm_data` (its gate order i, f,
    g, o; one bias), x and G as ``(T, m, ·)``, and the device they are on."""
    import torch

    host, x_host, G_host = lstm_data(case)
    device = _torch_device()
    net: Any = torch.nn.LSTM(case.n_x, case.n_a).to(device)
    order, n_a = ("i", "f", "c", "o"), case.n_a
    with torch.no_grad():
        W = np.concatenate([host[f"W{g}1"] for g in order])  # rows: [a, x] of each gate
        net.weight_hh_l0.copy_(torch.asarray(W[:, :n_a].copy()))
        net.weight_ih_l0.copy_(torch.asarray(W[:, n_a:].copy()))
        net.bias_ih_l0.copy_(torch.asarray(np.concatenate([host[f"b{g}1"][:, 0] for g in order])))
        net.bias_hh_l0.zero_()
    x = torch.asarray(np.transpose(x_host, (2, 1, 0)).copy(), device=device)  # (T, m, n_x)
    G = torch.asarray(np.transpose(G_host, (2, 1, 0)).copy(), device=device)
    return net, x, G, device


def lstm_torch(case: LSTMCase) -> Built:
    """``torch.nn.LSTM`` from the same weights, ``(out * G).sum().backward()``."""
    net, x, G, device = lstm_peer(case)

    def step(state: Any) -> Any:
        net.zero_grad(set_to_none=True)
        out, _ = net(x)
        (out * G).sum().backward()

    return None, step, _torch_sync(device), 1


def build_layer(section: str, name: str, case: Any) -> Built:
    """Row ``name`` of ``section`` (``"conv"`` or ``"rnn"``) on ``case``."""
    if name == PEERS[section]:
        return conv_torch(case) if section == "conv" else lstm_torch(case)
    row = parse(name)
    builder = conv_xpnet if section == "conv" else lstm_xpnet
    return builder(case, row.backend, row.compiled)

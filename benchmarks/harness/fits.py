"""Epochs and whole fits, timed in alternation in one process.

- **an epoch**: epochs of mini-batch Adam through :meth:`xpnet.DeepNet.fit` against the
  same epochs written by hand in NumPy (the course's loop, cost included); and, in a
  group of their own, the compiled rows against their peers (``xpnet[jax, compiled]``
  beside Keras 3 on JAX, ``xpnet[torch, compiled]`` beside the PyTorch loop), each a
  warm model training one more epoch a call, as :mod:`benchmarks.harness.curves` trains it.
  The seconds are per epoch.
- **a whole fit**: the course's planar model, ``TwoLayerNet(**PLANAR).fit``, on NumPy
  and compiled on JAX, against the course's loop written by hand in NumPy. A compiled
  fit is timed as a user calls it: a new estimator each time, its compilation included
  where the compiled step is not cached beyond the estimator.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np  # edge: the hand-written references, timing

from xpnet.bench.rows import parse

from .curves import RECIPE, TASKS, load, make

__all__ = ["epoch_ratio", "fit_ratio"]

#: The rows that the numpy pair of :func:`epoch_ratio` and :func:`fit_ratio` always time.
NUMPY_PAIR = ["xpnet[numpy]", "numpy (by hand)"]


def _alternate(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    best = dict.fromkeys(fns, float("inf"))
    for fn in fns.values():  # warm-up
        fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _hand_adam_epoch(X: np.ndarray, Y: np.ndarray, p: dict, state: dict, seed: int, epoch: int):
    """One epoch of mini-batch Adam, ReLU hidden layers and a softmax, by hand in NumPy."""
    m, batch, lr, L = X.shape[1], RECIPE["batch_size"], RECIPE["learning_rate"], len(p) // 2
    order = np.random.RandomState(seed + 1 + epoch).permutation(m)
    Xs, Ys = np.take(X, order, axis=1), np.take(Y, order, axis=1)
    for k in range(0, m, batch):
        As = [Xs[:, k : k + batch]]
        Yb = Ys[:, k : k + batch]
        for l in range(1, L + 1):  # noqa: E741
            Z = p[f"W{l}"] @ As[-1] + p[f"b{l}"]
            As.append(np.maximum(Z, 0) if l < L else Z)
        shifted = As[-1] - As[-1].max(axis=0, keepdims=True)
        E = np.exp(shifted)
        total = E.sum(axis=0, keepdims=True)
        # The course sums each batch's cost (here with its L2 term) over the epoch.
        squares = sum(np.sum(p[f"W{l}"] * p[f"W{l}"]) for l in range(1, L + 1))  # noqa: E741
        state["cost"] += -np.sum(Yb * (shifted - np.log(total))) + RECIPE["l2"] / 2 * squares
        dZ, mb, grads = E / total - Yb, Yb.shape[1], {}
        for l in range(L, 0, -1):  # noqa: E741
            grads[f"W{l}"] = dZ @ As[l - 1].T / mb + RECIPE["l2"] * p[f"W{l}"] / mb
            grads[f"b{l}"] = dZ.sum(axis=1, keepdims=True) / mb
            if l > 1:
                dZ = (p[f"W{l}"].T @ dZ) * (As[l - 1] > 0)
        state["t"] += 1
        t = state["t"]
        for name, g in grads.items():
            state["v"][name] = 0.9 * state["v"][name] + 0.1 * g
            state["s"][name] = 0.999 * state["s"][name] + 0.001 * (g * g)
            v_hat = state["v"][name] / (1 - 0.9**t)
            s_hat = state["s"][name] / (1 - 0.999**t)
            p[name] = p[name] - lr * v_hat / (np.sqrt(s_hat) + 1e-8)
    return p


def _numpy_epochs(hidden: tuple[int, ...], data: Any, dtype: str, epochs: int) -> dict:
    """``epochs`` epochs of DeepNet.fit on NumPy, and the same loop by hand from its start."""
    import xpnet

    X_train, y_train, _, _ = data
    classes = np.unique(y_train)
    settings: dict[str, Any] = {**RECIPE, "num_iterations": epochs, "tol": None, "random_state": 0}
    settings["jit_compile"] = False
    with xpnet.use_backend("numpy", dtype=dtype):
        # The hand-written loop starts from xpnet's initial weights (one step of rate ~0).
        start = xpnet.DeepNet(hidden, **{**settings, "num_iterations": 1, "learning_rate": 1e-300})
        fitted = start.fit(X_train, y_train).parameters_
    p0 = {k: xpnet.to_numpy(v).copy() for k, v in fitted.items()}
    Y = (classes[:, None] == y_train[None, :]).astype(dtype)
    X = X_train.T

    def by_hand() -> None:
        p = dict(p0)
        zeros = {k: 0 * v for k, v in p.items()}
        state: dict[str, Any] = {"t": 0, "v": dict(zeros), "s": dict(zeros), "cost": 0.0}
        for epoch in range(epochs):
            p = _hand_adam_epoch(X, Y, p, state, 0, epoch)
            float(state["cost"]) / X.shape[1]  # read once an epoch, as xpnet does

    def fit() -> None:
        with xpnet.use_backend("numpy", dtype=dtype):
            xpnet.DeepNet(hidden, **settings).fit(X_train, y_train)

    return {"xpnet[numpy]": fit, "numpy (by hand)": by_hand}


def epoch_ratio(config: dict[str, Any]) -> dict[str, Any]:
    """Seconds per epoch of mini-batch Adam, the rows of ``config["implementations"]``
    timed in alternation (by default xpnet[numpy] against the same loop by hand)."""
    loader, hidden, _ = TASKS[config["task"]]
    dtype, epochs = config["dtype"], config.get("epochs", 5)
    names = config.get("implementations", NUMPY_PAIR)
    data = load(loader, dtype)
    runs = _numpy_epochs(hidden, data, dtype, epochs) if set(NUMPY_PAIR) & set(names) else {}
    for name in names:
        if name not in runs:
            epoch, _ = make(name, hidden, data, dtype)
            runs[name] = lambda epoch=epoch: [epoch() for _ in range(epochs)]
    seconds = _alternate({name: runs[name] for name in names}, config.get("rounds", 3))
    return {**config, "seconds": {k: v / epochs for k, v in seconds.items()}}


def _hand_planar(X: np.ndarray, Y: np.ndarray, iterations: int) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(2)  # the course's start, in the data's dtype
    W1, W2 = (rng.randn(4, 2) * 0.01).astype(X.dtype), (rng.randn(1, 4) * 0.01).astype(X.dtype)
    b1, b2 = np.zeros((4, 1), X.dtype), np.zeros((1, 1), X.dtype)
    m = X.shape[1]
    for i in range(iterations):
        A1 = np.tanh(W1 @ X + b1)
        A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
        if i % 100 == 0:  # the course records the cost every 100 iterations
            float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)
        dZ2 = A2 - Y
        dW2, db2 = dZ2 @ A1.T / m, np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = (W2.T @ dZ2) * (1 - A1 * A1)
        dW1, db1 = dZ1 @ X.T / m, np.sum(dZ1, axis=1, keepdims=True) / m
        W1, b1, W2, b2 = W1 - 1.2 * dW1, b1 - 1.2 * db1, W2 - 1.2 * dW2, b2 - 1.2 * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def fit_ratio(config: dict[str, Any]) -> dict[str, Any]:
    """The whole planar fit, ``TwoLayerNet(**PLANAR).fit`` on the rows of
    ``config["implementations"]``, against the course's loop by hand, alternated."""
    import xpnet
    from xpnet.datasets import make_planar

    X, y = make_planar()
    dtype, iterations = config["dtype"], config.get("iterations", 10000)
    X = X.astype(dtype)
    recipe = {**xpnet.recipes.PLANAR, "num_iterations": iterations, "progress": False}

    def fit(name: str) -> Callable[[], Any]:
        row = parse(name)
        settings = {**recipe, "jit_compile": row.compiled}

        def run() -> None:
            with xpnet.use_backend(row.backend, row.device, dtype=dtype):
                xpnet.TwoLayerNet(**settings).fit(X, y)

        return run

    fns = {
        name: fit(name)
        if name.startswith("xpnet[")
        else lambda: _hand_planar(X.T, y.reshape(1, -1).astype(dtype), iterations)
        for name in config.get("implementations", NUMPY_PAIR)
    }
    return {**config, "seconds": _alternate(fns, config.get("rounds", 3))}

"""Speed of training, not only of a step: time to accuracy, an epoch, a whole fit.

Each measurement runs in a process of its own (``python -m xpnet.bench.worker``):

- **time to accuracy**: xpnet (Adam on mini-batches), scikit-learn's
  ``MLPClassifier(solver="adam")`` and a hand-written PyTorch loop train the same
  architecture with the same recipe (rate 0.001, batches of 200, L2 1e-4), epoch by
  epoch; the test accuracy is taken after each epoch, off the clock. The target is the
  accuracy MLPClassifier ends with; each row reports the training time it took to
  first reach it.
- **an epoch**: epochs of mini-batch Adam through :meth:`xpnet.DeepNet.fit` against the
  same epochs written by hand in NumPy (the course's loop, cost included), timed in
  alternation; the ratio is per epoch.
- **a whole fit**: the course's planar model, ``TwoLayerNet(**PLANAR).fit``, against
  the course's loop written by hand in NumPy, timed in alternation.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np  # edge: data, the hand-written references, timing

__all__ = ["TASKS", "epoch_ratio", "fit_ratio", "time_to_accuracy"]

#: Task name → (loader, hidden layers, epochs for the reference to train).
TASKS: dict[str, tuple[str, tuple[int, ...], int]] = {
    "digits": ("digits", (100,), 60),
    "mnist-shaped": ("mnist_shaped", (256, 128), 12),
}
RECIPE = {"learning_rate": 0.001, "batch_size": 200, "l2": 1e-4}


def _digits() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-12
    return (X_train - mean) / std, y_train, (X_test - mean) / std, y_test


def _mnist_shaped() -> tuple[np.ndarray, ...]:
    """scikit-learn's make_classification(70000, 784, ...): 60,000 to train, 10,000 to test."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        70000,
        784,
        n_informative=60,
        n_redundant=40,
        n_classes=10,
        n_clusters_per_class=2,
        flip_y=0.01,
        random_state=0,
    )
    return X[:60000], y[:60000], X[60000:], y[60000:]


def _load(name: str, dtype: str) -> tuple[np.ndarray, ...]:
    X_train, y_train, X_test, y_test = {"digits": _digits, "mnist_shaped": _mnist_shaped}[name]()
    return X_train.astype(dtype), y_train, X_test.astype(dtype), y_test


def _curve(epoch: Callable[[], None], score: Callable[[], float], epochs: int):
    """Train ``epochs`` epochs; after each, the training seconds so far and the score."""
    seconds, curve = 0.0, []
    for _ in range(epochs):
        start = time.perf_counter()
        epoch()
        seconds += time.perf_counter() - start
        curve.append((seconds, score()))
    return curve


def _xpnet(hidden, X_train, y_train, X_test, y_test, dtype, epochs, backend):
    import xpnet

    classes = np.unique(y_train)
    with xpnet.use_backend(backend, dtype=dtype) as where:
        model = xpnet.DeepNet(hidden, **RECIPE, random_state=0, progress=False)
        Xb, yb, Xt = where.put(X_train), where.put(y_train), where.put(X_test)

        def epoch():
            model.partial_fit(Xb, yb, classes=classes)
            where.synchronize(model.parameters_)

        def score():
            return float(np.mean(xpnet.to_numpy(model.predict(Xt)) == y_test))

        return _curve(epoch, score, epochs)


def _sklearn(hidden, X_train, y_train, X_test, y_test, dtype, epochs):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden, solver="adam", random_state=0, alpha=RECIPE["l2"])
    model.set_params(batch_size=RECIPE["batch_size"], learning_rate_init=RECIPE["learning_rate"])
    classes = np.unique(y_train)
    return _curve(
        lambda: model.partial_fit(X_train, y_train, classes=classes),
        lambda: float(model.score(X_test, y_test)),
        epochs,
    )


def _torch(hidden, X_train, y_train, X_test, y_test, dtype, epochs):
    import torch

    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tdtype = getattr(torch, dtype)
    sizes = [X_train.shape[1], *hidden, int(y_train.max()) + 1]
    layers: list[Any] = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1]).to(device, tdtype)
    optimizer = torch.optim.Adam(
        net.parameters(),
        lr=RECIPE["learning_rate"],
        weight_decay=RECIPE["l2"] / RECIPE["batch_size"],
    )
    X, y = torch.asarray(X_train, device=device), torch.asarray(y_train, device=device)
    Xt = torch.asarray(X_test, device=device)
    generator = torch.Generator().manual_seed(0)

    def epoch():
        for batch in torch.randperm(len(X), generator=generator).split(RECIPE["batch_size"]):
            batch = batch.to(device)
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(X[batch]), y[batch]).backward()
            optimizer.step()
        if device == "cuda":
            torch.cuda.synchronize()

    def score():
        with torch.no_grad():
            return float((net(Xt).argmax(dim=1).cpu().numpy() == y_test).mean())

    return _curve(epoch, score, epochs)


def time_to_accuracy(config: dict[str, Any]) -> dict[str, Any]:
    """One implementation's accuracy curve on one task: [(seconds, accuracy), ...]."""
    loader, hidden, epochs = TASKS[config["task"]]
    epochs = config.get("epochs") or epochs
    data = _load(loader, config["dtype"])
    implementation = config["implementation"]
    if implementation.startswith("xpnet["):
        curve = _xpnet(hidden, *data, config["dtype"], epochs, implementation[6:-1])
    elif implementation == "scikit-learn":
        curve = _sklearn(hidden, *data, config["dtype"], epochs)
    else:
        curve = _torch(hidden, *data, config["dtype"], epochs)
    return {**config, "curve": curve}


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


def epoch_ratio(config: dict[str, Any]) -> dict[str, Any]:
    """Epochs of mini-batch Adam: DeepNet.fit against the same loop by hand, alternated."""
    import xpnet

    loader, hidden, _ = TASKS[config["task"]]
    X_train, y_train, _, _ = _load(loader, config["dtype"])
    classes = np.unique(y_train)
    epochs = config.get("epochs", 5)
    settings = {**RECIPE, "num_iterations": epochs, "tol": None, "random_state": 0}
    with xpnet.use_backend("numpy", dtype=config["dtype"]):
        # The hand-written loop starts from xpnet's initial weights (one step of rate ~0).
        start = xpnet.DeepNet(hidden, **{**settings, "num_iterations": 1, "learning_rate": 1e-300})
        p0 = {
            k: xpnet.to_numpy(v).copy() for k, v in start.fit(X_train, y_train).parameters_.items()
        }
        Y = (classes[:, None] == y_train[None, :]).astype(config["dtype"])
        X = X_train.T

        def by_hand():
            p = dict(p0)
            zeros = {k: 0 * v for k, v in p.items()}
            state = {"t": 0, "v": dict(zeros), "s": dict(zeros), "cost": 0.0}
            for epoch in range(epochs):
                p = _hand_adam_epoch(X, Y, p, state, 0, epoch)
                float(state["cost"]) / X.shape[1]  # read once an epoch, as xpnet does

        seconds = _alternate(
            {
                "xpnet[numpy]": lambda: xpnet.DeepNet(hidden, **settings).fit(X_train, y_train),
                "numpy (by hand)": by_hand,
            },
            config.get("rounds", 3),
        )
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
    """The whole planar fit: TwoLayerNet(**PLANAR).fit against the course's loop by hand."""
    import xpnet
    from xpnet.datasets import make_planar

    X, y = make_planar()
    iterations = config.get("iterations", 10000)
    recipe = {**xpnet.recipes.PLANAR, "num_iterations": iterations, "progress": False}
    with xpnet.use_backend("numpy", dtype=config["dtype"]):
        X = X.astype(config["dtype"])
        seconds = _alternate(
            {
                "xpnet[numpy]": lambda: xpnet.TwoLayerNet(**recipe).fit(X, y),
                "numpy (by hand)": lambda: _hand_planar(
                    X.T, y.reshape(1, -1).astype(config["dtype"]), iterations
                ),
            },
            config.get("rounds", 3),
        )
    return {**config, "seconds": seconds}

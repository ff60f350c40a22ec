"""Time to accuracy: each row trains the same network with the same recipe, epoch by epoch.

xpnet (Adam on mini-batches, eager or compiled), scikit-learn's
``MLPClassifier(solver="adam")``, a PyTorch loop (autograd, ``torch.optim.Adam``) and
Keras 3 on JAX (``Model.fit``, one epoch a call) train the same architecture on the same
data and split with the same recipe: ReLU, Adam at 0.001, batches of 128, L2 1e-4 in
the course's scaling. The test accuracy is taken after each epoch, off the clock; a
curve is ``[(training seconds so far, test accuracy), ...]``. The first epoch includes
any compilation (xpnet's compiled step, Keras's train function), as a user's does.

:func:`make` builds one row's ``(epoch, score)`` pair; the epoch timings of
:mod:`benchmarks.harness.fits` run the same epochs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np  # edge: data, the references, timing

from xpnet.bench.rows import KERAS, import_keras, parse

__all__ = ["RECIPE", "TASKS", "load", "make", "mnist_shaped", "time_to_accuracy"]

#: Task name → (loader, hidden layers, epochs for a full run).
TASKS: dict[str, tuple[str, tuple[int, ...], int]] = {
    "digits": ("digits", (100,), 60),
    "mnist-shaped": ("mnist_shaped", (256, 128), 30),
}
RECIPE: dict[str, Any] = {"learning_rate": 0.001, "batch_size": 128, "l2": 1e-4}

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Row = tuple[Callable[[], Any], Callable[[], float]]


def _digits() -> Data:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    return X_train, y_train, X_test, y_test


def mnist_shaped(n_train: int = 60_000) -> Data:
    """scikit-learn's make_classification(n_train + 10,000, 784, ...): the first
    ``n_train`` rows to train, the 10,000 others to test (the bench's is 70,000)."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_train + 10_000,
        784,
        n_informative=60,
        n_redundant=40,
        n_classes=10,
        n_clusters_per_class=2,
        flip_y=0.01,
        random_state=0,
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def load(name: str, dtype: str) -> Data:
    """A task's split, standardised with the training rows' mean and deviation."""
    X_train, y_train, X_test, y_test = {"digits": _digits, "mnist_shaped": mnist_shaped}[name]()
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-12
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train.astype(dtype), y_train, X_test.astype(dtype), y_test


def _curve(epoch: Callable[[], Any], score: Callable[[], float], epochs: int):
    """Train ``epochs`` epochs; after each, the training seconds so far and the score."""
    seconds, curve = 0.0, []
    for _ in range(epochs):
        start = time.perf_counter()
        epoch()
        seconds += time.perf_counter() - start
        curve.append((seconds, score()))
    return curve


def _xpnet(name: str, hidden: tuple[int, ...], data: Data, dtype: str) -> Row:
    import xpnet

    X_train, y_train, X_test, y_test = data
    row = parse(name)
    where = xpnet.set_backend(row.backend, row.device, dtype)
    model = xpnet.DeepNet(
        hidden, **RECIPE, jit_compile=row.compiled, random_state=0, progress=False
    )
    Xb, yb, Xt = where.put(X_train), where.put(y_train), where.put(X_test)
    classes = np.unique(y_train)

    def epoch() -> None:
        model.partial_fit(Xb, yb, classes=classes)
        where.synchronize(model.parameters_)

    def score() -> float:
        return float(np.mean(xpnet.to_numpy(model.predict(Xt)) == y_test))

    return epoch, score


def _sklearn(hidden: tuple[int, ...], data: Data) -> Row:
    from sklearn.neural_network import MLPClassifier

    X_train, y_train, X_test, y_test = data
    model = MLPClassifier(hidden, solver="adam", random_state=0, alpha=RECIPE["l2"])
    model.set_params(batch_size=RECIPE["batch_size"], learning_rate_init=RECIPE["learning_rate"])
    classes = np.unique(y_train)
    return (
        lambda: model.partial_fit(X_train, y_train, classes=classes),
        lambda: float(model.score(X_test, y_test)),
    )


def _torch(hidden: tuple[int, ...], data: Data, dtype: str) -> Row:
    """The PyTorch loop: ``nn.Sequential``, cross-entropy from the logits, ``optim.Adam``."""
    import torch

    X_train, y_train, X_test, y_test = data
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    sizes = [X_train.shape[1], *hidden, int(y_train.max()) + 1]
    layers: list[Any] = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1]).to(device, getattr(torch, dtype))
    optimizer = torch.optim.Adam(
        net.parameters(),
        lr=RECIPE["learning_rate"],
        weight_decay=RECIPE["l2"] / RECIPE["batch_size"],  # λ/m·W, the course's L2 gradient
    )
    X, y = torch.asarray(X_train, device=device), torch.asarray(y_train, device=device)
    Xt = torch.asarray(X_test, device=device)
    generator = torch.Generator().manual_seed(0)

    def epoch() -> None:
        for batch in torch.randperm(len(X), generator=generator).split(RECIPE["batch_size"]):
            batch = batch.to(device)
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(X[batch]), y[batch]).backward()
            optimizer.step()
        if device == "cuda":
            torch.cuda.synchronize()

    def score() -> float:
        with torch.no_grad():
            return float((net(Xt).argmax(dim=1).cpu().numpy() == y_test).mean())

    return epoch, score


def _keras(hidden: tuple[int, ...], data: Data, dtype: str) -> Row:
    """Keras 3 on JAX: ``Sequential`` of ``Dense`` layers, ``fit`` one epoch a call."""
    keras = import_keras(dtype)
    X_train, y_train, X_test, y_test = data
    batch = RECIPE["batch_size"]
    # Keras adds l·ΣW² to each batch's mean loss: l = λ/(2·batch) gives the course's λ/m·W.
    l2 = keras.regularizers.L2(RECIPE["l2"] / (2 * batch))
    layers = [keras.layers.Dense(n, activation="relu", kernel_regularizer=l2) for n in hidden]
    n_classes = int(y_train.max()) + 1
    model = keras.Sequential(
        [keras.Input((X_train.shape[1],)), *layers, keras.layers.Dense(n_classes)]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=RECIPE["learning_rate"], epsilon=1e-8),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )

    def epoch() -> None:
        model.fit(X_train, y_train, batch_size=batch, epochs=1, shuffle=True, verbose=0)

    def score() -> float:
        logits = model.predict(X_test, batch_size=4096, verbose=0)
        return float(np.mean(np.argmax(logits, axis=1) == y_test))

    return epoch, score


def make(name: str, hidden: tuple[int, ...], data: Data, dtype: str) -> Row:
    """One row's ``(epoch, score)``: ``epoch()`` trains one more epoch; ``score()`` is the
    test accuracy."""
    if name.startswith("xpnet["):
        return _xpnet(name, hidden, data, dtype)
    if name == "scikit-learn":
        return _sklearn(hidden, data)
    if name == KERAS:
        return _keras(hidden, data, dtype)
    if name == "torch autograd":
        return _torch(hidden, data, dtype)
    raise ValueError(
        "Invalid implementation for a training curve. Expected 'xpnet[...]', "
        f"'scikit-learn', 'torch autograd' or {KERAS!r}. Received: {name!r}"
    )


def time_to_accuracy(config: dict[str, Any]) -> dict[str, Any]:
    """One implementation's accuracy curve on one task: [(seconds, accuracy), ...]."""
    loader, hidden, epochs = TASKS[config["task"]]
    data = load(loader, config["dtype"])
    epoch, score = make(config["implementation"], hidden, data, config["dtype"])
    return {**config, "curve": _curve(epoch, score, config.get("epochs") or epochs)}

"""What the benchmark times: xpnet, and the peers it is measured against.

Each builder returns a :data:`~xpnet.bench.timing.Built`, ``(state, step, sync,
iterations)``: ``step(state)`` runs ``iterations`` full-batch iterations (forward, cost,
backward, update; one, but for scikit-learn's lbfgs) and returns the next state;
``sync(state)`` waits until the device has finished. The hand-written NumPy and PyTorch
references live here, in the benchmark, and nowhere in the package's models.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np  # edge: the hand-written reference is NumPy on purpose

from ..backend import Backend
from ..models import DeepNet, LogisticRegression, TwoLayerNet
from ..network import Network
from ..optimizers import GradientDescent
from .rows import KERAS, REFERENCE, import_keras, parse
from .timing import Built
from .workloads import Workload

__all__ = ["IMPLEMENTATIONS", "build"]


def _no_sync(state: Any) -> None:
    return None


def xpnet_step(w: Workload, dtype: str, backend: str, device: str | None) -> Built:
    """One full-batch iteration through xpnet's public engine: the estimators' step.

    :meth:`xpnet.network.Network.gradients` (forward, the cost, backward) and the
    optimiser's update, as the estimators run them on each batch.
    """
    where = Backend.load(backend, device, dtype)
    xp = where.xp
    network = Network.dense(len(w.layer_dims) - 1, w.activation, w.output)
    optimizer = GradientDescent()
    X, Y = (where.put(a) for a in w.data(dtype))
    parameters = {k: where.put(v) for k, v in w.parameters(dtype).items()}
    if w.kind == "logistic":  # the course's w is the engine's W1 transposed
        parameters = {"W1": parameters["w"].T, "b1": parameters["b"]}

    def step(p: dict) -> dict:
        grads, _ = network.gradients(X, Y, p, with_loss=True, xp=xp)
        return optimizer.update(p, grads, {}, w.learning_rate, xp=xp)[0]

    return parameters, step, where.synchronize, 1


def numpy_step(w: Workload, dtype: str) -> Built:
    """The same equations written by hand in NumPy, as a course learner would."""
    X, Y = w.data(dtype)
    m, lr, L = X.shape[1], w.learning_rate, len(w.layer_dims) - 1

    def output(Z: np.ndarray) -> np.ndarray:
        if w.output == "sigmoid":
            return 1 / (1 + np.exp(-Z))
        E = np.exp(Z - Z.max(axis=0, keepdims=True))
        return E / E.sum(axis=0, keepdims=True)

    def cost(A: np.ndarray) -> float:
        if w.output == "sigmoid":
            return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
        return float(-np.sum(Y * np.log(A)) / m)

    if w.kind == "logistic":

        def logistic_step(p: dict) -> dict:
            A = output(p["w"].T @ X + p["b"])
            cost(A)
            dZ = A - Y
            dw, db = X @ dZ.T / m, dZ.sum(axis=1, keepdims=True) / m
            return {"w": p["w"] - lr * dw, "b": p["b"] - lr * db}

        return w.parameters(dtype), logistic_step, _no_sync, 1

    tanh = w.activation == "tanh"

    def step(p: dict) -> dict:
        As, Zs = [X], []
        for l in range(1, L + 1):  # noqa: E741
            Z = p[f"W{l}"] @ As[-1] + p[f"b{l}"]
            Zs.append(Z)
            As.append(output(Z) if l == L else np.tanh(Z) if tanh else np.maximum(Z, 0))
        cost(As[-1])
        dZ, new = As[-1] - Y, {}
        for l in range(L, 0, -1):  # noqa: E741
            new[f"W{l}"] = p[f"W{l}"] - lr * (dZ @ As[l - 1].T / m)
            new[f"b{l}"] = p[f"b{l}"] - lr * (dZ.sum(axis=1, keepdims=True) / m)
            if l > 1:
                dA = p[f"W{l}"].T @ dZ
                dZ = dA * (1 - As[l - 1] * As[l - 1]) if tanh else dA * (Zs[l - 2] > 0)
        return new

    return w.parameters(dtype), step, _no_sync, 1


def _torch_setup(w: Workload, dtype: str, requires_grad: bool):
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    X, Y = (torch.asarray(a, device=device) for a in w.data(dtype))
    p = {
        k: torch.asarray(v, device=device).requires_grad_(requires_grad)
        for k, v in w.parameters(dtype).items()
    }
    sync = (lambda state: torch.cuda.synchronize()) if device == "cuda" else _no_sync
    return torch, X, Y, p, sync


def torch_eager_step(w: Workload, dtype: str) -> Built:
    """PyTorch eager with the gradients written by hand."""
    torch, X, Y, p0, sync = _torch_setup(w, dtype, False)
    m, lr, L = X.shape[1], w.learning_rate, len(w.layer_dims) - 1
    g = torch.tanh if w.activation == "tanh" else torch.relu
    names = ("w", "b") if w.kind == "logistic" else None

    def step(p: dict) -> dict:
        if names:
            p = {"W1": p["w"].T, "b1": p["b"]}
        As, Zs = [X], []
        for l in range(1, L + 1):  # noqa: E741
            Z = p[f"W{l}"] @ As[-1] + p[f"b{l}"]
            Zs.append(Z)
            last = torch.sigmoid(Z) if w.output == "sigmoid" else torch.softmax(Z, dim=0)
            As.append(last if l == L else g(Z))
        A = As[-1]
        if w.output == "sigmoid":
            (-(Y * torch.log(A) + (1 - Y) * torch.log(1 - A)).mean())
        else:
            (-(Y * torch.log(A)).sum() / m)
        dZ, new = A - Y, {}
        for l in range(L, 0, -1):  # noqa: E741
            new[f"W{l}"] = p[f"W{l}"] - lr * (dZ @ As[l - 1].T / m)
            new[f"b{l}"] = p[f"b{l}"] - lr * (dZ.sum(dim=1, keepdim=True) / m)
            if l > 1:
                dA = p[f"W{l}"].T @ dZ
                dZ = (
                    dA * (1 - As[l - 1] * As[l - 1])
                    if w.activation == "tanh"
                    else dA * (Zs[l - 2] > 0)
                )
        return {"w": new["W1"].T, "b": new["b1"]} if names else new

    return p0, step, sync, 1


def torch_autograd_step(w: Workload, dtype: str) -> Built:
    """PyTorch autograd: the loss from the logits, ``backward()``, an update without grad."""
    torch, X, Y, p, sync = _torch_setup(w, dtype, True)
    F = torch.nn.functional
    L = len(w.layer_dims) - 1
    g = torch.tanh if w.activation == "tanh" else torch.relu
    labels = Y.argmax(dim=0)

    def step(state: dict) -> dict:
        if w.kind == "logistic":
            Z = state["w"].T @ X + state["b"]
        else:
            A = X
            for l in range(1, L + 1):  # noqa: E741
                Z = state[f"W{l}"] @ A + state[f"b{l}"]
                A = g(Z) if l < L else None
        if w.output == "sigmoid":
            loss = F.binary_cross_entropy_with_logits(Z, Y)
        else:
            loss = F.cross_entropy(Z.T, labels)
        loss.backward()
        with torch.no_grad():
            for v in state.values():
                v -= w.learning_rate * v.grad
                v.grad = None
        return state

    return p, step, sync, 1


def sklearn_step(w: Workload, dtype: str) -> Built:
    """scikit-learn: MLPClassifier (plain SGD, batch = m), or LogisticRegression (lbfgs)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    X, Y = w.data(dtype)
    X, y = np.ascontiguousarray(X.T), Y.argmax(axis=0) if Y.shape[0] > 1 else Y[0]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if w.kind == "logistic":
        # lbfgs is not gradient descent: this is its time per iteration.
        def lbfgs_step(state: Any) -> Any:
            return LogisticRegression(max_iter=10, C=1e6).fit(X, y)

        return None, lbfgs_step, _no_sync, int(lbfgs_step(None).n_iter_[0])
    model = MLPClassifier(
        hidden_layer_sizes=w.layer_dims[1:-1],
        activation=w.activation,
        solver="sgd",
        batch_size=w.m,
        learning_rate_init=w.learning_rate,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        shuffle=False,
        random_state=0,
    )
    model.partial_fit(X, y, classes=np.unique(y))

    def step(state: Any) -> Any:
        return model.partial_fit(X, y)

    return None, step, _no_sync, 1


def xpnet_compiled_step(w: Workload, dtype: str, backend: str, device: str | None) -> Built:
    """Full-batch iterations through an estimator with ``jit_compile=True``.

    A warm-started ``fit`` of ``k`` iterations a call (gradient descent at the workload's
    rate, no L2, the cost every iteration), so that the estimator's checks of X are shared
    by ``k`` compiled steps: at least 5, and up to 100 while a call stays under a GFLOP.
    """
    where = Backend.load(backend, device, dtype)
    X, Y = w.data(dtype)
    y = Y[0] if Y.shape[0] == 1 else Y.argmax(axis=0)
    k = min(100, max(5, int(1e9 / w.flops)))
    settings: dict[str, Any] = {
        "optimizer": "gd",
        "batch_size": None,
        "learning_rate": w.learning_rate,
        "l2": 0.0,
        "tol": None,
        "cost_every": 1,
        "num_iterations": k,
        "warm_start": True,
        "random_state": 0,
        "progress": False,
        "jit_compile": True,
    }
    model: Any
    if w.kind == "logistic":
        model = LogisticRegression(**settings)
    elif w.kind == "two_layer":
        model = TwoLayerNet(n_h=w.layer_dims[1], activation=w.activation, **settings)
    else:
        model = DeepNet(w.layer_dims[1:-1], activation=w.activation, **settings)
    X_rows, y = where.put(np.ascontiguousarray(X.T)), where.put(y)

    def step(state: Any) -> Any:
        return model.fit(X_rows, y).parameters_

    return None, step, where.synchronize, k


def keras_step(w: Workload, dtype: str) -> Built:
    """Keras 3 on JAX: ``train_on_batch`` of the whole set, SGD at the workload's rate,
    from the workload's parameters; the data placed on the device once."""
    keras = import_keras(dtype)
    import jax.numpy as jnp

    X, Y = w.data(dtype)
    p = w.parameters(dtype)
    if w.kind == "logistic":
        p = {"W1": p["w"].T, "b1": p["b"]}
    L = len(w.layer_dims) - 1
    layers = [keras.layers.Dense(n, activation=w.activation) for n in w.layer_dims[1:-1]]
    model = keras.Sequential(
        [keras.Input((w.layer_dims[0],)), *layers, keras.layers.Dense(Y.shape[0], w.output)]
    )
    model.set_weights([a for l in range(1, L + 1) for a in (p[f"W{l}"].T, p[f"b{l}"][:, 0])])  # noqa: E741
    loss = "binary_crossentropy" if w.output == "sigmoid" else "categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=w.learning_rate), loss=loss)
    X_rows, Y_rows = jnp.asarray(np.ascontiguousarray(X.T)), jnp.asarray(np.ascontiguousarray(Y.T))

    def step(state: Any) -> Any:
        return model.train_on_batch(X_rows, Y_rows)  # the loss, read back: a synchronisation

    return None, step, _no_sync, 1


#: Implementation name → (builder, library it needs).
IMPLEMENTATIONS = {
    REFERENCE: (numpy_step, "numpy"),
    "torch eager (by hand)": (torch_eager_step, "torch"),
    "torch autograd": (torch_autograd_step, "torch"),
    "scikit-learn": (sklearn_step, "sklearn"),
    KERAS: (keras_step, "keras"),
}


def build(implementation: str, w: Workload, dtype: str) -> Built:
    """``xpnet[BACKEND]``, ``xpnet[BACKEND:DEVICE]``, ``xpnet[BACKEND, compiled]``, or one
    of :data:`IMPLEMENTATIONS`."""
    if implementation.startswith("xpnet["):
        row = parse(implementation)
        builder = xpnet_compiled_step if row.compiled else xpnet_step
        return builder(w, dtype, row.backend, row.device)
    return IMPLEMENTATIONS[implementation][0](w, dtype)

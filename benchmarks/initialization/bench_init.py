"""PyTorch's start against Glorot's, under gradient descent, momentum and Adam.

Each cell trains a public estimator (``DeepRegressor``/``DeepNet`` with
``initialization=``) one epoch per ``partial_fit`` and scores it at the checkpoints,
for a few seeds (``random_state``); the table gives the mean score and its range.

Tasks:

- ``sklearn-regression``: scikit-learn's ``test_partial_fit_regression`` data
  (``make_regression(200, 10, random_state=7)``, y standardised), 10-100-1 ReLU,
  full batch, R² on the training data as that test takes it (it asks R² > 0.65 after
  100 steps of SGD at η = 0.01);
- ``friedman``: the bench's Friedman #1 (standardised), 10-100-1, batches of 128,
  R² on the test part;
- ``mnist-shaped``: the bench's make_classification task, 784-256-128-10, batches of
  128, test accuracy (``--mnist-rows`` of its training rows, float32).

Rates: gradient descent η = 0.01 (and 0.1); momentum β = 0.9 with α = η/(1 − β) = 0.1 (xpnet's
v = β·v + (1 − β)·dW moves 1/(1 − β) less than scikit-learn's v = β·v − η·dW, so these
are scikit-learn's momentum steps at η = 0.01); Adam α = 0.001. L2 1e-4 throughout.

Run from the repository root: ``PYTHONPATH=. python benchmarks/initialization/bench_init.py``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import xpnet
from xpnet.bench.curves import mnist_shaped
from xpnet.bench.regression import friedman

OPTIMIZERS = {
    "gd": {"optimizer": "gd", "learning_rate": 0.01},
    "gd (α = 0.1)": {"optimizer": "gd", "learning_rate": 0.1},
    "momentum": {"optimizer": "momentum", "beta": 0.9, "learning_rate": 0.1},
    "adam": {"optimizer": "adam", "learning_rate": 0.001},
}
STARTS = ("pytorch", "glorot")


def sklearn_regression():
    from sklearn.datasets import make_regression
    from sklearn.preprocessing import scale

    X, y = make_regression(n_samples=200, n_features=10, random_state=7)
    y = scale(y)
    return X, y, X, y


def tasks(mnist_rows: int) -> dict:
    """Name → (data, hidden layers, batch size, checkpoints (epochs), classifier?)."""
    X, y, Xt, yt = mnist_shaped(mnist_rows)
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-12
    mnist = ((X - mean) / std, y, (Xt - mean) / std, yt)
    mnist = tuple(a.astype(np.float32) if a.ndim == 2 else a for a in mnist)
    return {
        "sklearn-regression": (sklearn_regression(), (100,), None, (20, 100), False),
        "friedman": (friedman(5_000, 2_000), (100,), 128, (1, 5, 20), False),
        "mnist-shaped": (mnist, (256, 128), 128, (1, 3, 5), True),
    }


def curve(data, hidden, batch_size, checkpoints, classifier, start, optimizer, seed):
    X, y, Xt, yt = data
    kind = xpnet.DeepNet if classifier else xpnet.DeepRegressor
    model = kind(
        hidden,
        initialization=start,
        batch_size=batch_size,
        l2=1e-4,
        random_state=seed,
        tol=None,
        progress=False,
        **OPTIMIZERS[optimizer],
    )
    extra = {"classes": np.unique(y)} if classifier else {}
    scores = []
    for epoch in range(1, max(checkpoints) + 1):
        model.partial_fit(X, y, **extra)
        if epoch in checkpoints:
            scores.append(float(model.score(Xt, yt)))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--mnist-rows", type=int, default=20_000)
    parser.add_argument("--json", default=None, help="write the raw scores here")
    args = parser.parse_args()
    raw = {}
    for task, (data, hidden, batch, checkpoints, classifier) in tasks(args.mnist_rows).items():
        for optimizer in OPTIMIZERS:
            for start in STARTS:
                begin = time.perf_counter()
                runs = [
                    curve(data, hidden, batch, checkpoints, classifier, start, optimizer, s)
                    for s in range(args.seeds)
                ]
                raw[task, optimizer, start] = (checkpoints, runs)
                print(
                    f"# {task} {optimizer} {start}: {time.perf_counter() - begin:.0f} s",
                    flush=True,
                )
    print(f"\n{args.seeds} seeds; mean score (min–max) after each number of epochs.\n")
    print("| task | optimizer | start | epochs: mean score (min–max) |")
    print("|---|---|---|---|")
    for (task, optimizer, start), (checkpoints, runs) in raw.items():
        cells = []
        for k, epoch in enumerate(checkpoints):
            scores = [run[k] for run in runs]
            cells.append(f"{epoch}: {np.mean(scores):.3f} ({min(scores):.3f}–{max(scores):.3f})")
        print(f"| {task} | {optimizer} | {start} | " + "; ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({" | ".join(k): v for k, v in raw.items()}, f, indent=1)


if __name__ == "__main__":
    main()

"""Time to accuracy of a small CNN: xpnet's ConvNet against a PyTorch loop and Keras 3 on JAX.

The task (issue 23, section 4): 3×3×16 → max pool 2 → 3×3×32 → max pool 2 → dense
(10 classes, or one sigmoid), "same" padding, ReLU, Adam at 0.001, batches of 64, no
L2, float32, one epoch per warm-started fit, the test accuracy read after each epoch
(its time not counted). Data: digits (8×8×1, standardised on a 75/25 stratified split)
and the course's cats (64×64×3, /255, the course's 209/50 split).

Rows run interleaved, round by round, in one process per data set; the figures are the
medians over the rounds. Usage:

    KERAS_BACKEND=jax OMP_NUM_THREADS=1 python bench_conv_training.py --rounds 3 \
        --cats-dir DIR --out results.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np

TARGET_DIGITS = 0.97


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    shape = (-1, 8, 8, 1)
    X_train, X_test = (scaler.transform(a).reshape(shape) for a in (X_train, X_test))
    return X_train.astype(np.float32), y_train, X_test.astype(np.float32), y_test


def cats(directory):
    from xpnet.datasets import load_catvnoncat

    X_train, y_train, X_test, y_test, _ = load_catvnoncat(directory)
    shape = (-1, 64, 64, 3)
    return (
        X_train.reshape(shape).astype(np.float32),
        y_train,
        X_test.reshape(shape).astype(np.float32),
        y_test,
    )


class XpnetRow:
    def __init__(self, backend, jit, seed):
        import xpnet

        self.backend = backend
        self.model = xpnet.ConvNet(
            conv_filters=(16, 32),
            batch_size=64,
            learning_rate=0.001,
            l2=0.0,
            num_iterations=1,
            warm_start=True,
            tol=None,
            dtype="float32",
            jit_compile=jit,
            progress=False,
            random_state=seed,
        )

    def epoch(self, X, y):
        import xpnet

        with xpnet.use_backend(self.backend):
            self.model.fit(X, y)

    def accuracy(self, X, y):
        import xpnet

        with xpnet.use_backend(self.backend):
            return self.model.score(X, y)


class TorchRow:
    def __init__(self, n_C, n_y, image, seed):
        import torch
        from torch import nn

        torch.manual_seed(seed)
        H, W, _ = image
        flat = 32 * (H // 4) * (W // 4)
        self.net = nn.Sequential(
            nn.Conv2d(n_C, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(flat, n_y),
        )  # fmt: skip
        self.opt = torch.optim.Adam(self.net.parameters(), lr=0.001)
        self.n_y, self.rng = n_y, np.random.RandomState(seed)
        self.loss = nn.BCEWithLogitsLoss() if n_y == 1 else nn.CrossEntropyLoss()
        self.torch = torch

    def _tensors(self, X, y):
        torch = self.torch
        X = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2)))
        y = torch.from_numpy(y.astype(np.float32 if self.n_y == 1 else np.int64))
        return X, y

    def epoch(self, X, y):
        X, y = self._tensors(X, y)
        order = self.rng.permutation(len(y))
        for k in range(0, len(y), 64):
            batch = order[k : k + 64]
            self.opt.zero_grad()
            out = self.net(X[batch])
            loss = self.loss(out[:, 0] if self.n_y == 1 else out, y[batch])
            loss.backward()
            self.opt.step()

    def accuracy(self, X, y):
        X, _ = self._tensors(X, y)
        with self.torch.no_grad():
            out = self.net(X).numpy()
        predicted = (out[:, 0] > 0).astype(int) if self.n_y == 1 else out.argmax(1)
        return float((predicted == y).mean())


class KerasRow:
    def __init__(self, n_y, image, seed):
        import keras
        from keras import layers

        keras.utils.set_random_seed(seed)
        self.model = keras.Sequential(
            [
                keras.Input(image),
                layers.Conv2D(16, 3, padding="same", activation="relu"),
                layers.MaxPooling2D(2),
                layers.Conv2D(32, 3, padding="same", activation="relu"),
                layers.MaxPooling2D(2),
                layers.Flatten(),
                layers.Dense(n_y, activation="sigmoid" if n_y == 1 else "softmax"),
            ]
        )
        loss = "binary_crossentropy" if n_y == 1 else "sparse_categorical_crossentropy"
        self.model.compile(keras.optimizers.Adam(0.001), loss, metrics=["accuracy"])
        self.n_y = n_y

    def epoch(self, X, y):
        self.model.fit(X, y, batch_size=64, epochs=1, shuffle=True, verbose=0)

    def accuracy(self, X, y):
        out = self.model.predict(X, batch_size=256, verbose=0)
        predicted = (out[:, 0] > 0.5).astype(int) if self.n_y == 1 else out.argmax(1)
        return float((predicted == y).mean())


def rows(n_y, image, seed):
    """Each row's name → a fresh model of the task."""
    return {
        "xpnet[numpy]": lambda: XpnetRow("numpy", False, seed),
        "xpnet[torch, eager]": lambda: XpnetRow("torch", False, seed),
        "xpnet[jax, compiled]": lambda: XpnetRow("jax", True, seed),
        "PyTorch loop": lambda: TorchRow(image[2], n_y, image, seed),
        "Keras 3 on JAX": lambda: KerasRow(n_y, image, seed),
    }


def run(name, data, epochs, target, rounds):
    X_train, y_train, X_test, y_test = data
    n_y = 1 if len(set(y_train)) == 2 else len(set(y_train))
    runs = {}
    for r in range(rounds):
        makers = list(rows(n_y, X_train.shape[1:], seed=r).items())
        makers = makers[r % len(makers) :] + makers[: r % len(makers)]  # rotate the order
        for row, make in makers:
            model, seconds, curve = make(), 0.0, []
            for _ in range(epochs):
                start = time.perf_counter()
                model.epoch(X_train, y_train)
                seconds += time.perf_counter() - start
                curve.append((round(seconds, 3), model.accuracy(X_test, y_test)))
                if target is not None and curve[-1][1] >= target:
                    break
            runs.setdefault(row, []).append(curve)
            print(name, row, r, curve[-1], f"best {max(a for _, a in curve):.4f}", flush=True)
    summary = {}
    for row, curves in runs.items():
        reached = [next((t for t, a in c if a >= target), None) for c in curves] if target else []
        summary[row] = {
            "best_test_accuracy_median": statistics.median(max(a for _, a in c) for c in curves),
            "epochs_median": statistics.median(len(c) for c in curves),
            "seconds_to_target_median": (
                statistics.median(reached) if reached and None not in reached else None
            ),
            "reached_target": f"{sum(t is not None for t in reached)}/{len(curves)}"
            if target
            else None,
            "curves": curves,
        }
    return summary


def deepnet_cats(directory):
    import xpnet
    from xpnet.datasets import load_catvnoncat

    X_train, y_train, X_test, y_test, _ = load_catvnoncat(directory)
    model = xpnet.DeepNet(**xpnet.recipes.CATS_DEEP, progress=False).fit(X_train, y_train)
    return model.score(X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--digits-epochs", type=int, default=40)
    parser.add_argument("--cats-epochs", type=int, default=20)
    parser.add_argument("--cats-dir")
    parser.add_argument("--out", default="results.json")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    results = {
        "task": "3x3x16 same, relu, maxpool 2, 3x3x32 same, relu, maxpool 2, dense; Adam "
        "0.001, batch 64, float32, one epoch per warm-started fit",
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "rounds": args.rounds,
        "python": sys.version.split()[0],
    }
    results["digits"] = run("digits", digits(), args.digits_epochs, TARGET_DIGITS, args.rounds)
    if args.cats_dir:
        results["cats_deepnet_recipe_test_accuracy"] = deepnet_cats(args.cats_dir)
        results["cats"] = run("cats", cats(args.cats_dir), args.cats_epochs, None, args.rounds)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

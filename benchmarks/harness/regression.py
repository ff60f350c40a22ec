"""Time to R²: :class:`xpnet.DeepRegressor` beside scikit-learn's ``MLPRegressor``.

Both train the same network (one hidden layer of 100 ReLU units, a linear output) with
the same recipe as the classification race (Adam at 0.001, batches of 128, L2 1e-4) on
Friedman's first regression problem (``make_friedman1``: y = 10·sin(π·x₁x₂) +
20·(x₃ − ½)² + 10·x₄ + 5·x₅ + noise, 10 features of which 5 matter), 20,000 examples to
train and 5,000 to test, features and target standardised on the training part. The
test R² is taken after each epoch, off the clock; a curve is
``[(training seconds so far, test R²), ...]``.
"""

from __future__ import annotations

import time
from typing import Any

from xpnet.bench.rows import parse

from .curves import RECIPE
from .verdicts import Item, reach

__all__ = ["friedman", "race", "time_to_r2"]

HIDDEN, EPOCHS = (100,), 40


def friedman(n_train: int = 20_000, n_test: int = 5_000):
    """The split, standardised with the training part's mean and deviation (X and y)."""
    from sklearn.datasets import make_friedman1

    X, y = make_friedman1(n_train + n_test, n_features=10, noise=1.0, random_state=0)
    X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    y_mean, y_std = y_train.mean(), y_train.std()
    return (
        (X_train - mean) / std,
        (y_train - y_mean) / y_std,
        (X_test - mean) / std,
        (y_test - y_mean) / y_std,
    )


def _row(name: str, data: tuple, dtype: str):
    X_train, y_train, X_test, y_test = (a.astype(dtype) for a in data)
    if name == "scikit-learn":
        from sklearn.neural_network import MLPRegressor

        model = MLPRegressor(
            hidden_layer_sizes=HIDDEN, solver="adam", random_state=0, alpha=RECIPE["l2"]
        )
        model.set_params(
            batch_size=RECIPE["batch_size"], learning_rate_init=RECIPE["learning_rate"]
        )
        return lambda: model.partial_fit(X_train, y_train), lambda: model.score(X_test, y_test)
    import xpnet

    row = parse(name)
    where = xpnet.set_backend(row.backend, row.device, dtype)
    regressor = xpnet.DeepRegressor(
        hidden_layer_sizes=HIDDEN, **RECIPE, jit_compile=row.compiled, random_state=0
    )
    Xb, yb, Xt = where.put(X_train), where.put(y_train), where.put(X_test)

    def epoch() -> None:
        regressor.partial_fit(Xb, yb)
        where.synchronize(regressor.parameters_)

    return epoch, lambda: regressor.score(Xt, y_test)


def time_to_r2(config: dict[str, Any]) -> dict[str, Any]:
    """One implementation's test-R² curve: [(seconds, R²), ...]."""
    epoch, score = _row(config["implementation"], friedman(), config["dtype"])
    seconds, curve = 0.0, []
    for _ in range(config.get("epochs") or EPOCHS):
        start = time.perf_counter()
        epoch()
        seconds += time.perf_counter() - start
        curve.append((seconds, float(score())))
    return {**config, "curve": curve}


def race(curves: list[dict[str, Any]]) -> list[Item]:
    """xpnet[numpy]'s time to the test R² MLPRegressor ends with, ÷ MLPRegressor's."""
    by_name = {c["implementation"]: c["curve"] for c in curves if "curve" in c}
    if "scikit-learn" not in by_name or "xpnet[numpy]" not in by_name:
        return []
    target = by_name["scikit-learn"][-1][1]
    theirs, ours = reach(by_name["scikit-learn"], target), reach(by_name["xpnet[numpy]"], target)
    ratio = float("inf") if ours is None or not theirs else ours / theirs
    when = " vs ".join(f"{t:.2f} s" if t is not None else "never" for t in (ours, theirs))
    return [(f"Friedman #1 to R² {target:.3f} ({when})", ratio, 1.0)]

"""What the command line runs: ``info``, ``train`` and ``evaluate`` (``bench`` is
:mod:`xpnet.bench`). Each takes the parsed arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from ._version import __version__

__all__ = ["evaluate", "info", "select_backend", "train"]

_DEFAULTS = {  # the course's settings for each model
    "two_layer": {"learning_rate": 1.2, "iterations": 10000},
    "logistic": {"learning_rate": 0.005, "iterations": 2000},
    "deep": {"learning_rate": 0.0075, "iterations": 2500},
}


def select_backend(args: argparse.Namespace) -> Any:
    from .backend import get_backend, set_backend

    if args.backend or args.device or args.dtype:
        name = args.backend or os.environ.get("XPNET_BACKEND") or "numpy"
        return set_backend(name.lower(), args.device, args.dtype)
    return get_backend()


def info(args: argparse.Namespace) -> int:
    import array_api_compat
    import numpy as np

    from .backend import describe_backends

    backend = select_backend(args)  # a bad selection fails first, in one line
    print(
        f"xpnet {__version__} (array-api-compat {array_api_compat.__version__}, numpy {np.__version__})"
    )
    for row in describe_backends():
        if row["available"]:
            print(
                f"  {row['name']:<17} {row['version']:<12} devices: {', '.join(row['devices'])}; "
                f"default float: {row['dtype']}"
            )
        else:
            print(f"  {row['name']:<17} {'unavailable':<12} {row['reason']}")
    print(f"selected: {backend}")
    return 0


def _load_data(args: argparse.Namespace, name: str) -> tuple:
    from .datasets import load_dataset

    return load_dataset(
        name, test_size=args.test_size, random_state=args.seed, data_dir=args.data_dir
    )


def _estimator(args: argparse.Namespace) -> Any:
    import xpnet

    defaults = _DEFAULTS[args.model]
    common = {
        "learning_rate": defaults["learning_rate"]
        if args.learning_rate is None
        else args.learning_rate,
        "num_iterations": defaults["iterations"] if args.iterations is None else args.iterations,
        "random_state": args.random_state,
        "progress": False if args.no_progress else None,
    }
    if args.init:
        common["initialization"] = args.init
    if args.activation:
        common["activation"] = args.activation
    try:
        hidden = [int(n) for n in args.hidden.split(",")] if args.hidden else None
    except ValueError:
        raise ValueError(
            f"Invalid --hidden. Expected sizes like 4 or 20,7,5. Received: {args.hidden!r}"
        ) from None
    if args.model == "two_layer":
        return xpnet.TwoLayerNet(**({"n_h": hidden[0]} if hidden else {}), **common)
    if args.model == "deep":
        return xpnet.DeepNet(**({"hidden_layer_sizes": hidden} if hidden else {}), **common)
    common.pop("activation", None)
    return xpnet.LogisticRegression(**common)


def train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    import xpnet

    from .datasets import StandardScaler

    backend = select_backend(args)
    X_train, y_train, X_test, y_test = _load_data(args, args.data)
    scale = args.data not in ("planar", "catvnoncat")
    metadata = {"data": args.data, "test_size": args.test_size, "seed": args.seed}
    if args.resume:
        model = xpnet.load(args.resume)
        model.set_params(warm_start=True, progress=False if args.no_progress else None)
        if args.iterations:
            model.set_params(num_iterations=args.iterations)
        metadata = model.metadata_ or metadata
    else:
        model = _estimator(args)
    if scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        metadata["standardize"] = {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}

    def report(iteration: int, cost: float) -> None:
        if iteration % args.print_every == 0:
            tqdm.write(f"Cost after iteration {iteration}: {cost:f}")

    print(
        f"Training {model!r} on {args.data} ({X_train.shape[0]} samples, {X_train.shape[1]} features) with {backend}"
    )
    start = time.perf_counter()
    model.fit(X_train, y_train, callback=report)
    seconds = time.perf_counter() - start
    print(f"Train accuracy: {100 * model.score(X_train, y_train):.2f}%")
    print(f"Test accuracy:  {100 * model.score(X_test, y_test):.2f}%")
    print(
        f"Backend: {model.backend_}, device: {model.device_}, dtype: {model.dtype_}; {model.n_iter_} iterations in {seconds:.2f} s"
    )
    if args.save:
        print(f"Saved to {model.save(args.save, metadata=metadata)}")
    if args.plot:
        _plots(model, Path(args.plot), X_train, y_train, cost=True)
    return 0


def _plots(
    model: Any, folder: Path, X: Any, y: Any, *, cost: bool = False, confusion: Any = None
) -> None:
    import matplotlib

    from . import plot

    matplotlib.use("Agg")  # files only, no window
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if cost:
        plot.save_figure(plot.plot_cost(model), folder / "cost.png")
        written.append("cost.png")
    if X.shape[1] == 2:
        plot.save_figure(plot.plot_decision_boundary(model, X, y), folder / "boundary.png")
        written.append("boundary.png")
    if confusion is not None:
        plot.save_figure(
            plot.plot_confusion_matrix(confusion, model.classes_), folder / "confusion.png"
        )
        written.append("confusion.png")
    print(f"Plots written to {folder}: {', '.join(written)}")


def evaluate(args: argparse.Namespace) -> int:
    import numpy as np

    import xpnet

    from .metrics import classification_report, format_report

    select_backend(args)
    model = xpnet.load(args.model_file)
    meta = model.metadata_
    name = args.data or meta.get("data")
    if not name:
        raise ValueError(
            "Expected --data: the model file does not say which data it was trained on"
        )
    if args.data is None:  # the split the model was trained with
        args.test_size, args.seed = (
            meta.get("test_size", args.test_size),
            meta.get("seed", args.seed),
        )
    X_train, y_train, X_test, y_test = _load_data(args, name)
    X, y = {
        "train": (X_train, y_train),
        "test": (X_test, y_test),
        "all": (np.r_[X_train, X_test], np.r_[y_train, y_test]),
    }[args.subset]
    if "standardize" in meta:
        X = (X - np.asarray(meta["standardize"]["mean"])) / np.asarray(
            meta["standardize"]["scale"]
        )
    report = classification_report(y, model.predict(X), labels=model.classes_)
    if args.json:
        print(
            json.dumps(
                {"model": args.model_file, "data": name, "subset": args.subset, **report}, indent=2
            )
        )
    else:
        print(
            f"{type(model).__name__} from {args.model_file} on {name} ({args.subset}, {len(y)} samples)\n"
        )
        print(format_report(report))
        print("\nConfusion matrix (rows: true, columns: predicted):")
        print(np.asarray(report["confusion_matrix"]))
    if args.plot:
        _plots(model, Path(args.plot), X, y, confusion=np.asarray(report["confusion_matrix"]))
    return 0

"""The command line: ``xpnet info``, ``xpnet train``, ``xpnet evaluate``, ``xpnet bench``.

Every error a user can cause prints one line on stderr and exits with status 2; no
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from ._version import __version__

__all__ = ["main"]

MODELS = {"two_layer": "TwoLayerNet", "logistic": "LogisticRegression", "deep": "DeepNet"}
_DEFAULTS = {  # the course's settings for each model
    "two_layer": {"learning_rate": 1.2, "iterations": 10000},
    "logistic": {"learning_rate": 0.005, "iterations": 2000},
    "deep": {"learning_rate": 0.0075, "iterations": 2500},
}
_EPILOG = """\
The backend comes from --backend, else XPNET_BACKEND (numpy, cupy, torch, jax,
array_api_strict; numpy by default); the device from --device, else XPNET_DEVICE.
"""


def _backend_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where to compute")
    group.add_argument(
        "--backend", help="array library: numpy, cupy, torch, jax, array_api_strict"
    )
    group.add_argument("--device", help="device of that library, e.g. cpu, cuda:0, device1")
    group.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        help="float dtype (default: float64 where supported)",
    )


def _data_options(parser: argparse.ArgumentParser, default: str | None) -> None:
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data",
        default=default,
        help="planar, moons, circles, blobs, gaussian_quantiles, breast_cancer, digits, "
        "catvnoncat, or a CSV file (last column: the label) (default: %(default)s)",
    )
    group.add_argument(
        "--data-dir", help="folder of the catvnoncat HDF5 files (or XPNET_DATA_DIR)"
    )
    group.add_argument(
        "--test-size",
        type=float,
        default=0.2,
        help="held-out fraction of tables and CSV files (default: %(default)s)",
    )
    group.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the split and of the generated data (default: %(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xpnet",
        description="The course's neural networks on NumPy, CuPy, PyTorch, JAX and array-api-strict.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xpnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    info = commands.add_parser(
        "info", help="versions, backends and devices on this machine", epilog=_EPILOG
    )
    _backend_options(info)

    train = commands.add_parser(
        "train",
        help="train a model and report its accuracy",
        description="Train a model, print its cost as it goes, then its train and test accuracy. "
        "With no options: the course's two-layer tanh network (4 hidden units, learning "
        "rate 1.2, 10,000 iterations) on the planar flower data.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    model = train.add_argument_group("model")
    model.add_argument(
        "--model", choices=list(MODELS), default="two_layer", help="(default: %(default)s)"
    )
    model.add_argument(
        "--hidden",
        default=None,
        help="hidden sizes: '4' for two_layer (default), '20,7,5' for deep (default)",
    )
    model.add_argument(
        "--activation",
        default=None,
        help="hidden activation: tanh, relu, leaky_relu, sigmoid (default: tanh for two_layer, relu for deep)",
    )
    model.add_argument(
        "--learning-rate",
        type=float,
        help="(default: the course's for the model: 1.2, 0.005, 0.0075)",
    )
    model.add_argument(
        "--iterations", type=int, help="gradient-descent steps (default: 10000, 2000, 2500)"
    )
    model.add_argument(
        "--init",
        choices=["zeros", "normal", "xavier", "he"],
        help="initialisation (default: the course's for the model)",
    )
    model.add_argument(
        "--random-state",
        type=int,
        default=2,
        help="seed of the initial weights (default: %(default)s, as the course)",
    )
    _data_options(train, "planar")
    out = train.add_argument_group("output")
    out.add_argument(
        "--print-every",
        type=int,
        default=1000,
        help="print the cost every N iterations (default: %(default)s)",
    )
    out.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )
    out.add_argument("--save", metavar="PATH", help="write the trained model to PATH (.npz)")
    out.add_argument("--resume", metavar="PATH", help="continue training the model saved at PATH")
    out.add_argument(
        "--plot", metavar="DIR", help="write cost.png and boundary.png (2-D data) to DIR"
    )
    _backend_options(train)

    evaluate = commands.add_parser(
        "evaluate",
        help="report a saved model's precision, recall, F1 and confusion matrix",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument(
        "model_file", metavar="MODEL_FILE", help="a model written by xpnet train --save"
    )
    _data_options(evaluate, None)
    evaluate.add_argument(
        "--subset",
        choices=["test", "train", "all"],
        default="test",
        help="which part of the data (default: %(default)s)",
    )
    evaluate.add_argument("--json", action="store_true", help="print the numbers as JSON")
    evaluate.add_argument(
        "--plot", metavar="DIR", help="write confusion.png (and boundary.png for 2-D data) to DIR"
    )
    _backend_options(evaluate)

    from .bench import add_arguments

    bench = commands.add_parser(
        "bench",
        help="time a training iteration against hand-written NumPy and PyTorch",
        description="Time one full-batch training iteration of each workload on every backend, "
        "beside hand-written NumPy, PyTorch and scikit-learn, after measuring the machine's "
        "matrix-product rate and memory bandwidth.",
    )
    add_arguments(bench)
    return parser


def _select_backend(args: argparse.Namespace) -> Any:
    from .backend import get_backend, set_backend

    if args.backend or args.device or args.dtype:
        name = args.backend or os.environ.get("XPNET_BACKEND") or "numpy"
        return set_backend(name.lower(), args.device, args.dtype)
    return get_backend()


def _info(args: argparse.Namespace) -> int:
    import array_api_compat
    import numpy as np

    from .backend import BACKENDS, _devices, _import, _load, device_name, dtype_name

    backend = _select_backend(args)  # a bad selection fails first, in one line
    print(
        f"xpnet {__version__} (array-api-compat {array_api_compat.__version__}, numpy {np.__version__})"
    )
    for name in BACKENDS:
        try:
            module = _import(name)
            devices = ", ".join(
                dict.fromkeys(device_name(d) for d in _devices(name, module).values())
            )
            dtype = dtype_name(_load(name, None, None).dtype)
            print(
                f"  {name:<17} {getattr(module, '__version__', '?'):<12} devices: {devices}; default float: {dtype}"
            )
        except ImportError as exc:
            print(f"  {name:<17} {'unavailable':<12} {exc}")
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


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    import xpnet

    from .datasets import StandardScaler

    backend = _select_backend(args)
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


def _evaluate(args: argparse.Namespace) -> int:
    import numpy as np

    import xpnet

    from .metrics import classification_report, format_report

    _select_backend(args)
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    command = {"info": _info, "train": _train, "evaluate": _evaluate}.get(args.command)
    if command is None:
        from .bench import run

        command = run
    # Overflow on the way to a diverged cost is reported as such, in one line.
    warnings.filterwarnings(
        "ignore", r"(overflow|invalid value|divide by zero) encountered", RuntimeWarning
    )
    try:
        return command(args)
    except (ValueError, TypeError, ImportError, OSError, FloatingPointError) as exc:
        print(f"xpnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"xpnet {args.command}: interrupted", file=sys.stderr)
        return 130

"""The command line: ``xpnet info``, ``xpnet train``, ``xpnet evaluate``, ``xpnet bench``.

Every error a user can cause prints one line on stderr and exits with status 2; no
traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from ._version import __version__

__all__ = ["main"]

MODELS = ("two_layer", "logistic", "deep")
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    from . import commands

    command = {"info": commands.info, "train": commands.train, "evaluate": commands.evaluate}.get(
        args.command
    )
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

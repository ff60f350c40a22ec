"""The command line: ``xpnet info``, ``xpnet train``, ``xpnet evaluate``, ``xpnet bench``.

Every error a user can cause prints one line on stderr and exits with status 2; no
traceback.
"""

from __future__ import annotations

import argparse
import sys

from ._version import __version__

__all__ = ["main"]

MODELS = ("two_layer", "logistic", "deep")
_EPILOG = """\
The backend comes from --backend, else XPNET_BACKEND (numpy, cupy, torch, jax,
array_api_strict; numpy by default); the device from --device, else XPNET_DEVICE; the
dtype from --dtype, else XPNET_DTYPE.
"""
_TRAIN_EPILOG = """\
Defaults follow the data and the model. Where the course published a result, its
recipe is the default (full-batch gradient descent, the course's rate, steps and seed):
  planar     + two_layer   tanh, 4 units, rate 1.2, 10,000 steps, seed 2
  catvnoncat + logistic    rate 0.005, 2,000 steps, from zeros
  catvnoncat + two_layer   ReLU, 7 units, rate 0.0075, 2,500 steps, seed 1
  catvnoncat + deep        ReLU, (20, 7, 5), rate 0.0075, 2,500 steps, seed 1
Everything else starts from the estimators' defaults, which serve real data as
scikit-learn's MLPClassifier does: Adam at rate 0.001 on mini-batches of 200, L2 of
1e-4, up to 200 epochs with a stopping rule, seed 0. Any option overrides either.

Example: xpnet train --data digits --model deep --optimizer adam --batch-size 64 \
             --epochs 50 --l2 1e-4 --early-stopping
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
        "catvnoncat, a CSV file (last column: the label), or a Zarr store PATH.zarr "
        "with arrays X and y, read lazily with Dask (default: planar, or the data a saved "
        "model was trained on)",
    )
    group.add_argument(
        "--data-dir", help="folder of the catvnoncat HDF5 files (or XPNET_DATA_DIR)"
    )
    group.add_argument(
        "--test-size",
        type=float,
        default=None,
        help="held-out fraction of tables and CSV files (default: 0.2)",
    )
    group.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the split and of the generated data (default: 0)",
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
        description="Train a model, print its cost as it goes, then its train and test "
        "accuracy. With no options: the course's week-3 network (tanh, 4 hidden units, "
        "learning rate 1.2, 10,000 full-batch steps) on the planar flower, which reaches "
        "90.75%% in the course and 90.5-90.75%% here, depending on the machine's "
        "floating-point paths (the run is chaotic after about 7,500 steps).",
        epilog=_TRAIN_EPILOG + _EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    model = train.add_argument_group("model")
    model.add_argument(
        "--model", choices=list(MODELS), default="two_layer", help="(default: %(default)s)"
    )
    model.add_argument(
        "--hidden", default=None, help="hidden sizes: '4' for two_layer, '20,7,5' for deep"
    )
    model.add_argument(
        "--activation", default=None, help="hidden activation: relu, tanh, leaky_relu, sigmoid"
    )
    model.add_argument(
        "--init",
        choices=["zeros", "random", "normal", "xavier", "he", "glorot"],
        help="initialisation of the weights",
    )
    model.add_argument("--random-state", type=int, help="seed of the weights and the shuffles")
    opt = train.add_argument_group("optimisation (the course's second part)")
    opt.add_argument("--learning-rate", type=float, help="the initial step size α")
    opt.add_argument(
        "--epochs",
        "--iterations",
        dest="iterations",
        type=int,
        help="passes over the data (with full batches: gradient-descent steps)",
    )
    opt.add_argument("--optimizer", choices=["gd", "momentum", "rmsprop", "adam"])
    opt.add_argument(
        "--batch-size",
        help="examples per step: a number, 'auto' (min(200, n)) or 'full' (the whole set)",
    )
    opt.add_argument("--lr-decay", choices=["inverse_time", "scheduled", "exponential"])
    opt.add_argument("--decay-rate", type=float, help="the decay's rate (default: 1; 0.95)")
    opt.add_argument("--l2", type=float, help="λ of L2 regularisation")
    opt.add_argument("--keep-prob", type=float, help="dropout: the probability to keep a unit")
    opt.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out 10%% of the training data; stop when its score stops improving",
    )
    _data_options(train, None)
    out = train.add_argument_group("output")
    out.add_argument(
        "--print-every",
        type=int,
        default=None,
        help="print the cost every N epochs (default: 1000 for the course's recipes, else 10)",
    )
    out.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )
    out.add_argument("--save", metavar="PATH", help="write the trained model to PATH (.npz)")
    out.add_argument(
        "--resume",
        metavar="PATH",
        help="continue training the model saved at PATH, on the data it was trained on",
    )
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


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


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
    try:
        return command(args)
    except (ValueError, TypeError, ImportError, OSError, FloatingPointError) as exc:
        print(f"xpnet {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (MemoryError, RuntimeError) as exc:  # out of memory, CUDA runtime errors
        print(
            f"xpnet {args.command}: error: {type(exc).__name__}: {_one_line(exc)}. "
            "Try a smaller --batch-size, --dtype float32, or another --device",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"xpnet {args.command}: interrupted", file=sys.stderr)
        return 130

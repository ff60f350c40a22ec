"""The command line: ``xpnet info``, ``xpnet train``, ``xpnet evaluate``, ``xpnet bench``.
Every error and warning prints one line on stderr (:mod:`.cli_errors`).
"""

from __future__ import annotations

import argparse
import warnings
from typing import Any, NoReturn

from . import cli_errors
from ._version import __version__
from .initializers import METHODS

__all__ = ["main"]

MODELS = ("two_layer", "logistic", "deep", "deep_regressor", "char_rnn", "sequence", "conv")
_EPILOG = """\
The backend comes from --backend, else XPNET_BACKEND (numpy, cupy, torch, jax,
array_api_strict; numpy by default); the device from --device, else XPNET_DEVICE; the
dtype from --dtype, else XPNET_DTYPE. An error prints one line and exits with status 2;
XPNET_TRACEBACK=1 adds the traceback of an error xpnet did not expect.
"""
_TRAIN_DESCRIPTION = """\
Train a model, print its cost as it goes, then its train and test accuracy (a
regressor's R² and root mean squared error).

With no options: the course's week-3 network (tanh, 4 hidden units, learning rate 1.2,
10,000 full-batch steps) on the planar flower, which reaches 90.75% in the course and
90.5-90.75% here, depending on the machine's floating-point paths (the run is chaotic
after about 7,500 steps).
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

Example: xpnet train --data digits --model deep --optimizer adam --batch-size 64 \\
             --epochs 50 --l2 1e-4 --early-stopping

Regression: --model deep_regressor on diabetes, or on a CSV file whose last column is
the target. Features and target are standardised with the training part's mean and
standard deviation; the model file keeps both, and the errors are reported in the
target's own units.

"""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are one line and a pointer to ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _backend_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where to compute")
    group.add_argument(
        "--backend",
        metavar="NAME",
        help="array library: numpy, cupy, torch, jax, array_api_strict",
    )
    group.add_argument(
        "--device", metavar="NAME", help="device of that library, e.g. cpu, cuda:0, device1"
    )
    group.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        help="float dtype (default: float64 where the device has it)",
    )


def _data_options(parser: argparse.ArgumentParser, default_help: str) -> None:
    group = parser.add_argument_group("data")
    group.add_argument(
        "--data",
        metavar="NAME_OR_PATH",
        help="planar, moons, circles, blobs, gaussian_quantiles, breast_cancer, digits, "
        "diabetes (a regression target), catvnoncat, a CSV file (last column: the label or "
        "target), or a Zarr store PATH.zarr "
        f"with arrays X and y, read lazily with Dask (default: {default_help})",
    )
    group.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder of the catvnoncat HDF5 files (default: XPNET_DATA_DIR)",
    )
    group.add_argument(
        "--test-size",
        type=float,
        metavar="FRACTION",
        help="held-out fraction of the tables and CSV files (default: 0.2); generated "
        "data sets draw a fresh test set of the training set's size",
    )
    group.add_argument(
        "--seed", type=int, help="seed of the split and of the generated data (default: 0)"
    )


def _train_parser(commands: Any) -> None:
    train = commands.add_parser(
        "train",
        help="train a model and report its accuracy",
        description=_TRAIN_DESCRIPTION,
        epilog=_TRAIN_EPILOG + _EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    model = train.add_argument_group("model")
    model.add_argument(
        "--model",
        choices=list(MODELS),
        help="logistic regression, a network of one hidden layer (two_layer), or of any "
        "number (deep); deep_regressor, the deep network with a linear output for a real "
        "target; conv, a convolutional network of images (digits, catvnoncat) "
        "(default: two_layer)",
    )
    model.add_argument(
        "--hidden",
        metavar="SIZES",
        help="units of the hidden layers: '4' for two_layer, '20,7,5' for deep and "
        "deep_regressor, the dense layers after the convolutions for conv (default: the "
        "course's recipe, else 100 for two_layer, none for conv and 100,50 for the others)",
    )
    model.add_argument(
        "--activation",
        metavar="NAME",
        help="activation of the hidden layers: relu, leaky_relu, tanh, sigmoid, identity",
    )
    model.add_argument(
        "--init",
        choices=sorted(METHODS),
        metavar="NAME",
        help="initialisation of the weights: " + ", ".join(sorted(METHODS)) + " (default: "
        "the course's recipe, else pytorch, torch.nn.Linear's start)",
    )
    model.add_argument(
        "--random-state",
        type=int,
        metavar="SEED",
        help="seed of the weights, the shuffles and dropout",
    )
    opt = train.add_argument_group("optimisation (the course's second part)")
    opt.add_argument(
        "--learning-rate", type=float, metavar="RATE", help="α, the initial step size"
    )
    opt.add_argument(
        "--epochs",
        "--iterations",
        dest="iterations",
        type=int,
        metavar="N",
        help="passes over the data, the estimators' num_iterations (with full batches: "
        "steps of gradient descent)",
    )
    opt.add_argument(
        "--optimizer",
        choices=["gd", "momentum", "rmsprop", "adam"],
        help="the update rule (default: gd for the course's recipes, else adam)",
    )
    opt.add_argument(
        "--batch-size",
        metavar="SIZE",
        help="examples per step: a number, 'auto' (min(200, n)) or 'full' (the whole set)",
    )
    opt.add_argument(
        "--lr-decay",
        choices=["inverse_time", "scheduled", "exponential"],
        help="decay of the learning rate over the epochs (default: none)",
    )
    opt.add_argument(
        "--decay-rate",
        type=float,
        metavar="RATE",
        help="the decay's rate (default: 1, or 0.95 for the exponential decay)",
    )
    opt.add_argument("--l2", type=float, metavar="LAMBDA", help="λ of L2 regularisation")
    opt.add_argument(
        "--keep-prob",
        type=float,
        metavar="P",
        help="dropout: the probability of keeping each hidden unit",
    )
    opt.add_argument(
        "--compile",
        choices=["auto", "on", "off"],
        help="compile the training step (jax.jit, torch.compile); auto compiles on JAX "
        "only (default: XPNET_COMPILE, else auto)",
    )
    opt.add_argument(
        "--early-stopping",
        action="store_true",
        default=None,
        help="hold out 10%% of the training data; stop when its score stops improving",
    )
    _data_options(train, "planar, or the data a resumed model was trained on")
    out = train.add_argument_group("output")
    out.add_argument(
        "--print-every",
        type=int,
        metavar="N",
        help="print the cost every N epochs (default: 1000 for the course's recipes, else 10)",
    )
    out.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )
    out.add_argument("--save", metavar="PATH", help="write the trained model to PATH, a .npz file")
    out.add_argument(
        "--resume",
        metavar="PATH",
        help="continue training the model saved at PATH, with the hyperparameters saved "
        "there (only --epochs changes), on the data it was trained on",
    )
    out.add_argument(
        "--plot",
        metavar="DIR",
        help="write cost.png, and boundary.png for 2-D data, into the folder DIR",
    )
    _backend_options(train)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xpnet",
        description="The course's neural networks on NumPy, CuPy, PyTorch, JAX and "
        "array-api-strict.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xpnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    info = commands.add_parser(
        "info",
        help="versions, backends and devices on this machine",
        description="Print xpnet's version; each backend's version, devices and default\n"
        "float, or why it is unavailable; and the backend the options select.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _backend_options(info)

    _train_parser(commands)

    evaluate = commands.add_parser(
        "evaluate",
        help="report a saved model's precision, recall, F1 and confusion matrix",
        description="Report a saved model's accuracy, each class's precision, recall and F1,\n"
        "and the confusion matrix; by default on the test part of the data it was\n"
        "trained on, standardised as it was in training.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument(
        "model_file", metavar="MODEL_FILE", help="a model written by xpnet train --save"
    )
    _data_options(evaluate, "the data the model was trained on")
    evaluate.add_argument(
        "--subset",
        choices=["test", "train", "all"],
        default="test",
        help="which part of the data (default: %(default)s)",
    )
    evaluate.add_argument("--json", action="store_true", help="print the numbers as JSON")
    evaluate.add_argument(
        "--plot",
        metavar="DIR",
        help="write confusion.png, and boundary.png for 2-D data, into the folder DIR",
    )
    _backend_options(evaluate)

    from .bench import add_arguments

    bench = commands.add_parser(
        "bench",
        help="time a training iteration against hand-written NumPy and the peers",
        description="Time one full-batch training iteration of each workload on every backend, "
        "beside hand-written NumPy and the peers installed here (PyTorch, scikit-learn, "
        "Keras 3 on JAX), interleaved in one process, after measuring the machine's "
        "matrix-product rate.",
    )
    add_arguments(bench)
    return parser


def _refuse_empty(args: argparse.Namespace) -> None:
    """An option given an empty value (``--backend ""``), which would read as unset."""
    for dest, value in vars(args).items():
        if isinstance(value, str) and not value.strip():
            name = "MODEL_FILE" if dest == "model_file" else f"--{dest.replace('_', '-')}"
            message = f"argument {name}: expected a value, received an empty string"
            _Parser(prog=f"xpnet {args.command}").error(message)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        _refuse_empty(args)
    except SystemExit as stop:  # --help, --version, or a usage error, already printed
        return stop.code if isinstance(stop.code, int) else 2
    from . import commands
    from .exceptions import TrainingInterrupted

    command = getattr(commands, args.command)  # info, train, evaluate or bench
    with warnings.catch_warnings():
        warnings.simplefilter("always", TrainingInterrupted)  # never an error: the model is kept
        warnings.showwarning = cli_errors.show_warning(args.command)
        return cli_errors.run(command, args)

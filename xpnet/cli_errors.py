"""What the command line refuses, and how it says so.

Before any work: the options training could not honour, every path a command will
write, and a model file's metadata (it may have been edited). Then every failure and
warning as one line on stderr, with exit status 2 for an error.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from numbers import Integral
from pathlib import Path
from typing import Any, TypeGuard

from ._checks import Interval, check_param
from .exceptions import InvalidParameterError

__all__ = [
    "check_folder",
    "check_outputs",
    "check_seed",
    "check_train_options",
    "one_line",
    "recorded_metadata",
    "run",
    "settings",
    "show_warning",
]

#: Options that define a model, which a resumed model takes from its file instead.
_MODEL_OPTIONS: tuple[str, ...] = ("model", "hidden", "activation", "init", "random_state")
_MODEL_OPTIONS += ("learning_rate", "optimizer", "batch_size", "lr_decay", "decay_rate", "l2")
_MODEL_OPTIONS += ("keep_prob", "early_stopping", "dtype")


#: --compile's words → the estimators' jit_compile.
COMPILE = {"auto": "auto", "on": True, "off": False}


def settings(args: argparse.Namespace, base: dict, **chosen: Any) -> dict[str, Any]:
    """``base`` updated with the hyperparameters the options give: those every estimator
    takes, and ``chosen``; an option not given (None) leaves its hyperparameter alone,
    and ``--batch-size full`` is the full batch (None)."""
    shared = ("learning_rate", "random_state", "optimizer", "l2", "keep_prob")
    chosen |= {k: getattr(args, k) for k in shared} | {
        "batch_size": _batch_size(args.batch_size),
        "num_iterations": args.iterations,
        "early_stopping": args.early_stopping or None,
        "jit_compile": COMPILE.get(args.compile),
    }
    given = {k: v for k, v in chosen.items() if v is not None}
    if args.batch_size == "full":
        given["batch_size"] = None
    return base | given | {"progress": False if args.no_progress else None}


def _batch_size(text: str | None) -> Any:
    if text in (None, "auto", "full"):
        return None if text == "full" else text
    try:
        size = int(text)
    except ValueError:
        size = 0
    if size < 1:
        raise InvalidParameterError(
            "Invalid --batch-size. Expected a positive int, 'auto' or 'full'. "
            f"Received: --batch-size={text!r}"
        )
    return size


def check_train_options(args: argparse.Namespace) -> None:
    """Refuse what training could not honour, before it starts."""
    for flag, value in (("--print-every", args.print_every), ("--epochs", args.iterations)):
        if value is not None:
            check_param(flag, value, [Interval(Integral, 1, None, closed="left")])
    check_seed(args.random_state, "--random-state")
    check_seed(args.seed, "--seed")
    _batch_size(args.batch_size)
    if args.resume:
        given = [
            f"--{d}".replace("_", "-") for d in _MODEL_OPTIONS if getattr(args, d) is not None
        ]
        if given:
            raise ValueError(
                f"Invalid {', '.join(given)} with --resume. Expected only --epochs to change: "
                f"a resumed model keeps the hyperparameters saved in {args.resume!r}. Leave "
                f"{'them' if len(given) > 1 else 'it'} out, or train a new model without --resume"
            )
    check_outputs(args, plots="cost.png")


def check_seed(seed: int | None, flag: str) -> None:
    """A seed NumPy takes, refused by the option's name rather than ``random_state``."""
    if seed is not None:
        check_param(flag, seed, [Interval(Integral, 0, 2**32 - 1, closed="both")])


def check_outputs(args: argparse.Namespace, plots: str) -> None:
    """Every path the command will write, checked before any work: named as given."""
    from .io import check_writable

    if getattr(args, "save", None) is not None:
        check_writable(args.save, suffixes=(".npz",), name="--save")
    if args.plot is not None:
        check_folder(args.plot, "--plot", plots)
        try:
            import matplotlib  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "Invalid --plot: plotting needs matplotlib. Install it with: "
                "pip install 'xpnet[plot]'"
            ) from exc


#: Suffixes of files, which a folder option is not meant to name.
_FILE_SUFFIXES = {".png", ".pdf", ".svg", ".jpg", ".jpeg", ".csv", ".npz", ".json", ".txt", ".md"}


def check_folder(folder: str, flag: str, first: str) -> None:
    """A folder that exists or can be made, and can be written; not a file's name."""
    from .io import check_writable

    path = Path(folder)
    if not path.is_dir() and (path.exists() or path.suffix.lower() in _FILE_SUFFIXES):
        raise NotADirectoryError(
            f"Invalid {flag}. Expected a folder to write {first} and the others into. "
            f"Received: {flag}={folder!r}, which "
            + ("is a file" if path.is_file() else "names a file")
        )
    check_writable(path, name=flag, folder=True)


def recorded_metadata(meta: Any, path: str) -> dict:
    """A model file's metadata (data, split, standardisation), checked: it may be edited."""
    from .io import invalid

    if not isinstance(meta, dict):
        raise invalid(path, f"its metadata is {type(meta).__name__}; expected a JSON object")
    expected = {
        "data": (lambda v: isinstance(v, str) and v.strip(), "a data set's name or a path"),
        "test_size": (lambda v: _is_real(v) and 0 < v < 1, "a fraction in (0, 1)"),
        "seed": (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2**32 - 1,
            "an int between 0 and 2**32 - 1",
        ),
    }
    for key, (valid, what) in expected.items():
        if meta.get(key) is not None and not valid(meta[key]):
            raise invalid(path, f"its metadata {key}={meta[key]!r}; expected {what}")
    scaling = meta.get("standardize", {"mean": [0.0], "scale": [1.0]})
    mean, scale = (
        scaling.get(k) if isinstance(scaling, dict) else None for k in ("mean", "scale")
    )
    if not (
        _finite_numbers(mean)
        and _finite_numbers(scale)
        and len(mean) == len(scale)
        and all(v > 0 for v in scale)
    ):
        raise invalid(
            path,
            "its metadata standardize is not {'mean': [...], 'scale': [...]}, two lists "
            "of finite numbers of one length with positive scales",
        )
    return meta


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite_numbers(values: Any) -> TypeGuard[list[float]]:
    return (
        isinstance(values, list)
        and bool(values)
        and all(_is_real(v) and math.isfinite(v) for v in values)
    )


def one_line(exc: BaseException) -> str:
    """An error's message on one line, said for a user of the command line."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename:  # no "[Errno 2]"
        return f"{exc.strerror}: {str(exc.filename)!r}"
    if isinstance(exc, OverflowError | ZeroDivisionError) and not isinstance(
        exc, FloatingPointError
    ):
        detail = exc.args[-1] if exc.args and isinstance(exc.args[-1], str) else exc
        return (
            f"{type(exc).__name__}: {' '.join(str(detail).split())}. A number left the "
            "float range: try a smaller --learning-rate or --decay-rate, or --l2"
        )
    return " ".join(str(exc).split()) or type(exc).__name__


def show_warning(command: str) -> Any:
    """Warnings as one plain line: no file, no source line; an interruption as news."""
    from .exceptions import TrainingInterrupted

    def show(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        kind = "" if issubclass(category, TrainingInterrupted) else "warning: "
        print(f"xpnet {command}: {kind}{' '.join(str(message).split())}", file=sys.stderr)

    return show


def run(command: Any, args: argparse.Namespace | None, *, prog: str | None = None) -> int:
    """Run ``command(args)``; every error it raises becomes one line and exit status 2,
    each line starting with ``prog`` (by default ``xpnet <the command>``); 0 where the
    command returns anything but a status. The training scripts run their ``main``
    through it: ``raise SystemExit(run(main, None, prog=...))``."""
    prog = prog or f"xpnet {args.command if args is not None else ''}".strip()
    prefix = f"{prog}: error:"
    try:
        status = command(args)
        return status if isinstance(status, int) else 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except (MemoryError, RuntimeError) as exc:  # out of memory, CUDA runtime errors
        if isinstance(exc, NotImplementedError | RecursionError):
            return _unexpected(exc, prefix)
        print(
            f"{prefix} {type(exc).__name__}: {one_line(exc)}. "
            "Try a smaller --batch-size, --dtype float32, or another --device",
            file=sys.stderr,
        )
        return 2
    except (ValueError, TypeError, ImportError, OSError, ArithmeticError) as exc:
        print(f"{prefix} {one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        return _unexpected(exc, prefix)


def positive_int(text: str) -> int:
    """An argparse ``type``: a whole number ≥ 1, else argparse's one-line usage error."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, received {text!r}")
    return value


def _unexpected(exc: Exception, prefix: str) -> int:
    """An error xpnet did not foresee: one line still, and the traceback on request."""
    if os.environ.get("XPNET_TRACEBACK"):
        raise exc
    print(
        f"{prefix} {type(exc).__name__}: {one_line(exc)} (unexpected: please report it; "
        "XPNET_TRACEBACK=1 shows where it happened)",
        file=sys.stderr,
    )
    return 2

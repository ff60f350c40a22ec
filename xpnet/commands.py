"""What the command line runs: ``info``, ``train``, ``evaluate`` and ``bench`` (whose
work is :mod:`xpnet.bench`). Each takes the parsed arguments and returns the exit status.

Whatever a command will write (a model file, plots, benchmark results) is checked before
the work starts, so that a long training run is never lost to a mistyped path.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from ._version import __version__

__all__ = ["bench", "evaluate", "info", "select_backend", "train"]

#: (data, model) → the course's recipe: where the course published a result, its
#: hyperparameters are the command line's defaults.
COURSE_RECIPES = {
    ("planar", "two_layer"): "PLANAR",
    ("catvnoncat", "logistic"): "CATS_LOGISTIC",
    ("catvnoncat", "two_layer"): "CATS_TWO_LAYER",
    ("catvnoncat", "deep"): "CATS_DEEP",
}
_COURSE_CLAIMS = {  # what the course reports, said once the run is done
    "PLANAR": "the course: 90.75%; 90.5-90.75% depending on the machine's floating-point "
    "paths, since the run is chaotic after about 7,500 steps",
    "CATS_LOGISTIC": "the course: 99.04% / 70%",
    "CATS_TWO_LAYER": "the course: 100% / 72%",
    "CATS_DEEP": "the course: 98.56% / 80%",
}


def select_backend(args: argparse.Namespace) -> Any:
    """The backend of --backend/--device/--dtype; each one not given comes from the
    environment (XPNET_BACKEND, XPNET_DEVICE, XPNET_DTYPE), as without any flag."""
    from .backend import get_backend, set_backend

    given = (args.backend, args.device, args.dtype)
    if any(value is not None for value in given):  # an empty value is refused, not unset
        backend, device, dtype = given
        return set_backend(
            (os.environ.get("XPNET_BACKEND") or "numpy" if backend is None else backend)
            .strip()
            .lower(),
            os.environ.get("XPNET_DEVICE") or None if device is None else device,
            os.environ.get("XPNET_DTYPE") or None if dtype is None else dtype,
        )
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
        name,
        test_size=0.2 if args.test_size is None else args.test_size,
        random_state=args.seed or 0,
        data_dir=args.data_dir,
    )


def _batch_size(text: str | None) -> Any:
    if text in (None, "auto"):
        return text
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"Invalid --batch-size. Expected a number, 'auto' or 'full'. Received: {text!r}"
        ) from None


def _estimator(args: argparse.Namespace, recipe: str | None) -> Any:
    import xpnet

    args.model = args.model or "two_layer"
    settings = dict(getattr(xpnet.recipes, recipe)) if recipe else {"random_state": 0}
    settings = {k: v for k, v in settings.items() if k not in ("n_h", "hidden_layer_sizes")}
    if args.model == "logistic":
        settings.pop("activation", None)
    try:
        hidden = [int(n) for n in args.hidden.split(",")] if args.hidden else None
    except ValueError:
        raise ValueError(
            f"Invalid --hidden. Expected sizes like 4 or 20,7,5. Received: {args.hidden!r}"
        ) from None
    chosen = {
        "learning_rate": args.learning_rate,
        "num_iterations": args.iterations,
        "random_state": args.random_state,
        "initialization": args.init,
        "activation": args.activation,
        "optimizer": args.optimizer,
        "lr_decay": args.lr_decay,
        "decay_rate": args.decay_rate,
        "l2": args.l2,
        "keep_prob": args.keep_prob,
        "early_stopping": args.early_stopping or None,
    }
    if args.batch_size is not None:
        chosen["batch_size"] = _batch_size(args.batch_size)
    settings |= {k: v for k, v in chosen.items() if v is not None}
    settings["progress"] = False if args.no_progress else None
    recipe_model = getattr(xpnet.recipes, recipe) if recipe else {}
    if args.model == "two_layer":
        n_h = hidden[0] if hidden else recipe_model.get("n_h", 100)
        return xpnet.TwoLayerNet(n_h=n_h, **settings)
    if args.model == "deep":
        sizes = hidden or recipe_model.get("hidden_layer_sizes", (100, 50))
        return xpnet.DeepNet(hidden_layer_sizes=tuple(sizes), **settings)
    if args.activation:
        raise ValueError("Invalid --activation for --model logistic: it has no hidden layer")
    return xpnet.LogisticRegression(**settings)


#: Options that define a model, which a resumed model takes from its file instead.
_MODEL_OPTIONS = {
    "model": "--model",
    "hidden": "--hidden",
    "activation": "--activation",
    "init": "--init",
    "random_state": "--random-state",
    "learning_rate": "--learning-rate",
    "optimizer": "--optimizer",
    "batch_size": "--batch-size",
    "lr_decay": "--lr-decay",
    "decay_rate": "--decay-rate",
    "l2": "--l2",
    "keep_prob": "--keep-prob",
    "early_stopping": "--early-stopping",
}


def _check_train_options(args: argparse.Namespace) -> None:
    """Refuse what training could not honour, before it starts."""
    if args.print_every is not None and args.print_every < 1:
        raise ValueError(
            f"Invalid --print-every. Expected a positive integer. Received: {args.print_every}"
        )
    if args.iterations is not None and args.iterations < 1:
        raise ValueError(
            f"Invalid --epochs. Expected a positive integer. Received: {args.iterations}"
        )
    _check_seed(args.random_state, "--random-state")
    _check_seed(args.seed, "--seed")
    if args.resume:
        given = [flag for dest, flag in _MODEL_OPTIONS.items() if getattr(args, dest) is not None]
        if given:
            raise ValueError(
                f"Invalid {', '.join(given)} with --resume. Expected only --epochs to change: "
                f"a resumed model keeps the hyperparameters saved in {args.resume!r}. Leave "
                f"{'them' if len(given) > 1 else 'it'} out, or train a new model without --resume"
            )
    _check_outputs(args, plots="cost.png")


def _check_seed(seed: int | None, flag: str) -> None:
    if seed is not None and not 0 <= seed <= 2**32 - 1:
        raise ValueError(
            f"Invalid {flag}. Expected an int between 0 and 2**32 - 1. Received: {seed}"
        )


def _check_outputs(args: argparse.Namespace, plots: str) -> None:
    """Every path the command will write, checked before any work: named as given."""
    from .io import check_writable

    if getattr(args, "save", None) is not None:
        check_writable(args.save, suffixes=(".npz",), name="--save")
    if args.plot is not None:
        _check_folder(args.plot, "--plot", plots)
        try:
            import matplotlib  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "Invalid --plot: plotting needs matplotlib. Install it with: "
                "pip install 'xpnet[plot]'"
            ) from exc


#: Suffixes of files, which a folder option is not meant to name.
_FILE_SUFFIXES = {".png", ".pdf", ".svg", ".jpg", ".jpeg", ".csv", ".npz", ".json", ".txt", ".md"}


def _check_folder(folder: str, flag: str, first: str) -> None:
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


def _recorded(meta: Any, path: str) -> dict:
    """A model file's metadata (data, split, standardisation), checked: it may be edited."""
    from .io import invalid

    if not isinstance(meta, dict):
        raise invalid(path, f"its metadata is {type(meta).__name__}; expected a JSON object")
    expected = {
        "data": (lambda v: isinstance(v, str) and v.strip(), "a data set's name or a path"),
        "test_size": (
            lambda v: _is_real(v) and 0 < v < 1,
            "a fraction in (0, 1)",
        ),
        "seed": (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2**32 - 1,
            "an int between 0 and 2**32 - 1",
        ),
    }
    for key, (valid, what) in expected.items():
        if meta.get(key) is not None and not valid(meta[key]):
            raise invalid(path, f"its metadata {key}={meta[key]!r}; expected {what}")
    if "standardize" in meta:
        scaling = meta["standardize"]
        parts = [scaling.get(k) if isinstance(scaling, dict) else None for k in ("mean", "scale")]
        if (
            not all(
                isinstance(part, list)
                and part
                and all(_is_real(v) and math.isfinite(v) for v in part)
                for part in parts
            )
            or len(parts[0]) != len(parts[1])
            or not all(v > 0 for v in parts[1])
        ):
            raise invalid(
                path,
                "its metadata standardize is not {'mean': [...], 'scale': [...]}, two lists "
                "of finite numbers of one length with positive scales",
            )
    return meta


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _standardizer(meta: dict, n_features: int, path: str) -> Any:
    """The StandardScaler recorded in a model file, for data of ``n_features`` columns."""
    import numpy as np

    from .datasets import StandardScaler
    from .io import invalid

    scaler = StandardScaler()
    scaler.mean_ = np.asarray(meta["standardize"]["mean"], dtype=np.float64)
    scaler.scale_ = np.asarray(meta["standardize"]["scale"], dtype=np.float64)
    if scaler.mean_.shape != (n_features,):
        raise invalid(
            path,
            f"its metadata standardize has {scaler.mean_.shape[0]} features and the data "
            f"{n_features}",
        )
    return scaler


def _check_diverged(model: Any) -> None:
    """A fit whose parameters are not finite failed, whatever the record of its costs."""
    import numpy as np

    from .backend import to_numpy

    for name, value in model.parameters_.items():
        if not np.all(np.isfinite(to_numpy(value))):
            raise FloatingPointError(
                f"Training diverged: {name} holds NaN or infinity after {model.n_iter_} "
                f"epochs. Try a smaller --learning-rate (now {model.learning_rate})"
            )


def train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    import xpnet

    from .backend import to_numpy
    from .datasets import StandardScaler

    _check_train_options(args)
    backend = select_backend(args)
    recipe = None
    if args.resume:
        model = xpnet.load(args.resume)
        recorded = _recorded(model.metadata_, args.resume)
        # The data it was trained on, unless told otherwise.
        args.data = args.data or recorded.get("data")
        args.test_size = recorded.get("test_size") if args.test_size is None else args.test_size
        args.seed = recorded.get("seed") if args.seed is None else args.seed
        changes = {"num_iterations": args.iterations} if args.iterations is not None else {}
        model.set_params(warm_start=True, progress=False if args.no_progress else None, **changes)
    args.data = args.data or "planar"
    if not args.resume:
        recipe = COURSE_RECIPES.get((args.data, args.model or "two_layer"))
        model = _estimator(args, recipe)
    metadata = {"data": args.data, "test_size": args.test_size, "seed": args.seed}
    print_every = args.print_every or (1000 if recipe else 10)
    # Record the cost at least as often as it is printed: every gcd of the two.
    model.set_params(cost_every=math.gcd(model.cost_every, print_every))
    X_train, y_train, X_test, y_test = _load_data(args, args.data)
    if args.data not in ("planar", "catvnoncat"):
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        metadata["standardize"] = {  # for a Dask array: one pass over the data, here
            "mean": to_numpy(scaler.mean_).tolist(),
            "scale": to_numpy(scaler.scale_).tolist(),
        }

    def report(event: Any) -> None:
        if event.cost is not None and event.epoch % print_every == 0:
            tqdm.write(f"Cost after iteration {event.epoch}: {event.cost:f}")

    print(
        f"Training {model!r} on {args.data} ({X_train.shape[0]} samples, "
        f"{X_train.shape[1]} features) with {backend}"
    )
    start = time.perf_counter()
    model.fit(X_train, y_train, callback=report)
    seconds = time.perf_counter() - start
    _check_diverged(model)
    train_score, test_score = model.score(X_train, y_train), model.score(X_test, y_test)
    print(f"Train accuracy: {100 * train_score:.2f}%")
    print(f"Test accuracy:  {100 * test_score:.2f}%")
    if recipe:
        print(f"({_COURSE_CLAIMS[recipe]})")
    print(
        f"Backend: {model.backend_.name}, device: {model.device_}, dtype: {model.dtype_}; "
        f"{model.n_iter_} iterations in {seconds:.2f} s"
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

    _check_seed(args.seed, "--seed")
    _check_outputs(args, plots="confusion.png")
    select_backend(args)
    model = xpnet.load(args.model_file)
    meta = _recorded(model.metadata_, args.model_file)
    name = args.data or meta.get("data")
    if not name:
        raise ValueError(
            "Expected --data: the model file does not say which data it was trained on"
        )
    if args.data is None:  # the split the model was trained with
        args.test_size = meta.get("test_size") if args.test_size is None else args.test_size
        args.seed = meta.get("seed") if args.seed is None else args.seed
    X_train, y_train, X_test, y_test = _load_data(args, name)
    X, y = {
        "train": (X_train, y_train),
        "test": (X_test, y_test),
        "all": (np.r_[X_train, X_test], np.r_[y_train, y_test]),
    }[args.subset]
    if "standardize" in meta:
        X = _standardizer(meta, X.shape[1], args.model_file).transform(X)
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


def bench(args: argparse.Namespace) -> int:
    from .bench import run

    if args.out is not None:
        _check_folder(args.out, "--out", "results.json")
    return run(args)

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

from . import cli_errors
from ._version import __version__
from .exceptions import InvalidParameterError

__all__ = ["bench", "evaluate", "info", "select_backend", "train"]

#: (data, model) → the course's recipe and what the course reports of it: where the
#: course published a result, its hyperparameters are the command line's defaults.
COURSE_RECIPES = {
    ("planar", "two_layer"): (
        "PLANAR",
        "the course: 90.75%; 90.5-90.75% depending on the machine's floating-point paths, "
        "since the run is chaotic after about 7,500 steps",
    ),
    ("catvnoncat", "logistic"): ("CATS_LOGISTIC", "the course: 99.04% / 70%"),
    ("catvnoncat", "two_layer"): ("CATS_TWO_LAYER", "the course: 100% / 72%"),
    ("catvnoncat", "deep"): ("CATS_DEEP", "the course: 98.56% / 80%"),
}
#: Data sets of images → the shape of one image, which ``--model conv`` takes its rows to.
IMAGE_SHAPES = {"digits": (8, 8, 1), "catvnoncat": (64, 64, 3)}


def select_backend(args: argparse.Namespace) -> Any:
    """The backend of --backend/--device/--dtype; each one not given comes from the
    environment (XPNET_BACKEND, XPNET_DEVICE, XPNET_DTYPE), as without any flag."""
    from .backend import get_backend, set_backend

    given = {"XPNET_BACKEND": args.backend, "XPNET_DEVICE": args.device, "XPNET_DTYPE": args.dtype}
    if all(value is None for value in given.values()):
        return get_backend()
    # A flag given empty is refused by the command line, never read as unset.
    name, device, dtype = (os.environ.get(k) or None if v is None else v for k, v in given.items())
    return set_backend((name or "numpy").strip().lower(), device, dtype)


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


def _estimator(args: argparse.Namespace, recipe: str | None) -> Any:
    import xpnet

    args.model = args.model or "two_layer"
    course: dict[str, Any] = getattr(xpnet.recipes, recipe) if recipe else {"random_state": 0}
    base = {k: v for k, v in course.items() if k not in ("n_h", "hidden_layer_sizes")}
    if args.model == "logistic":
        base.pop("activation", None)
    try:
        hidden = [int(n) for n in args.hidden.split(",")] if args.hidden else None
    except ValueError:
        raise InvalidParameterError(
            f"Invalid --hidden. Expected sizes like 4 or 20,7,5. Received: --hidden={args.hidden!r}"
        ) from None
    settings = cli_errors.settings(
        args,
        base,
        activation=args.activation,
        lr_decay=args.lr_decay,
        decay_rate=args.decay_rate,
        initialization=args.init,
    )
    if args.model == "two_layer":
        if hidden and len(hidden) > 1:
            raise InvalidParameterError(
                "Invalid --hidden. Expected one size for --model two_layer, which has one "
                f"hidden layer (--model deep takes several). Received: --hidden={args.hidden!r}"
            )
        return xpnet.TwoLayerNet(n_h=hidden[0] if hidden else course.get("n_h", 100), **settings)
    if args.model == "conv":
        return xpnet.ConvNet(hidden_layer_sizes=tuple(hidden or ()), **settings)
    if args.model in ("deep", "deep_regressor"):
        sizes = tuple(hidden or course.get("hidden_layer_sizes", (100, 50)))
        if args.model == "deep_regressor":
            return xpnet.DeepRegressor(hidden_layer_sizes=sizes, **settings)
        return xpnet.DeepNet(hidden_layer_sizes=sizes, **settings)
    for given, option in ((args.activation, "--activation"), (args.hidden, "--hidden")):
        if given:
            raise InvalidParameterError(
                f"Invalid {option}. Expected none for --model logistic, which has no hidden "
                f"layer. Received: {option}={given!r}"
            )
    return xpnet.LogisticRegression(**settings)


def train(args: argparse.Namespace) -> int:
    import numpy as np
    from tqdm import tqdm

    from .backend import device_name, to_numpy
    from .datasets.preprocessing import StandardScaler, target_scaling
    from .metrics import r2_score

    cli_errors.check_train_options(args)
    backend = select_backend(args)
    if args.model in ("char_rnn", "sequence"):  # lines of text, or sequences (n, T, n_x)
        from .sequence_cli import train_char_rnn, train_sequence

        if args.plot:
            raise ValueError(
                f"Invalid --plot with --model {args.model}. Expected none: the plots are a "
                "classifier's or regressor's cost, boundary and confusion matrix. Received: "
                f"--plot={args.plot!r}"
            )

        return (train_char_rnn if args.model == "char_rnn" else train_sequence)(args)
    recipe = claim = None
    if args.resume:  # on the data it was trained on, unless told otherwise
        model = _estimator_file(args.resume, "--resume")
        recorded = cli_errors.recorded_metadata(model.metadata_, args.resume)
        args.data = args.data or recorded.get("data") or "planar"
        args.test_size = recorded.get("test_size") if args.test_size is None else args.test_size
        args.seed = recorded.get("seed") if args.seed is None else args.seed
        # Only --epochs, --compile and --no-progress: the other options are refused.
        model.set_params(**cli_errors.settings(args, {"warm_start": True}))
    else:
        args.data = args.data or "planar"
        recipe, claim = COURSE_RECIPES.get((args.data, args.model or "two_layer"), (None, None))
        model = _estimator(args, recipe)
    metadata = {"data": args.data, "test_size": args.test_size, "seed": args.seed}
    images = _example_shape(model, args.data)
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
    target = None
    if model._estimator_type == "regressor":  # the target in units of its spread
        target = target_scaling(metadata, y_train, args.resume)
        y_train, y_test = target.transform(y_train), target.transform(y_test)

    def report(event: Any) -> None:
        if event.cost is not None and event.epoch % print_every == 0:
            tqdm.write(f"Cost after iteration {event.epoch}: {event.cost:f}")

    # The dtype is the data's (a floating host array's, a Dask array's blocks'), unless
    # one was chosen: the line after training says which.
    where = f"{backend.name} on {device_name(backend.device)}"
    print(
        f"Training {model!r} on {args.data} ({X_train.shape[0]} samples, "
        f"{X_train.shape[1]} features) with {where}"
    )
    if images is not None:  # rows of pixels → images, for a network of convolutions
        X_train, X_test = X_train.reshape(-1, *images), X_test.reshape(-1, *images)
    start = time.perf_counter()
    model.fit(X_train, y_train, callback=report)
    seconds = time.perf_counter() - start
    if target is None:
        train_score, test_score = model.score(X_train, y_train), model.score(X_test, y_test)
        print(f"Train accuracy: {100 * train_score:.2f}%")
        print(f"Test accuracy:  {100 * test_score:.2f}%")
    else:
        for part, X, y in (("Train", X_train, y_train), ("Test ", X_test, y_test)):
            predicted = to_numpy(model.predict(X)).astype(np.float64)  # one forward pass
            r2, error = r2_score(y, predicted), target.rmse(y, predicted)
            print(f"{part} R²: {r2:.4f}, RMSE: {error:.4g}")
    if claim:
        print(f"({claim})")
    print(
        f"Backend: {model.backend_.name}, device: {model.device_}, dtype: {model.dtype_}; "
        f"{model.n_iter_} iterations in {seconds:.2f} s"
        + (f", {model.epochs_trained_} in all" if args.resume else "")
    )
    if args.save:
        print(f"Saved to {model.save(args.save, metadata=metadata)}")
    if args.plot:
        _plots(model, Path(args.plot), X_train, y_train, cost=True)
    return 0


def _example_shape(model: Any, data: str) -> tuple[int, ...] | None:
    """The image shape that a model of images takes each row of ``data`` to; None for
    a model of features."""
    import xpnet

    fitted = model.__dict__.get("fitted_")
    if fitted is not None:
        shape = fitted.architecture.input_shape
        return shape if len(shape) > 1 else None
    if not isinstance(model, xpnet.ConvNet):
        return None
    if data not in IMAGE_SHAPES:
        raise InvalidParameterError(
            "Invalid --data for --model conv. Expected a data set of images, one of "
            f"{sorted(IMAGE_SHAPES)}. Received: --data={data!r}"
        )
    return IMAGE_SHAPES[data]


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
    if X.shape[1] == 2 and model._estimator_type == "classifier":
        plot.save_figure(plot.plot_decision_boundary(model, X, y), folder / "boundary.png")
        written.append("boundary.png")
    if confusion is not None:
        plot.save_figure(
            plot.plot_confusion_matrix(confusion, model.classes_), folder / "confusion.png"
        )
        written.append("confusion.png")
    print(f"Plots written to {folder}: {', '.join(written)}")


def _estimator_file(path: str, name: str) -> Any:
    """The estimator saved at ``path``; a language model's file is refused by name."""
    import xpnet

    model = xpnet.load(path)
    if isinstance(model, xpnet.CharRNN):
        raise ValueError(
            f"Invalid {name}. Expected a classifier's or regressor's file. Received: a "
            f"CharRNN's file {path!r}; sample from it with xpnet.load({path!r}).sample(), "
            "or train a new one with xpnet train --model char_rnn"
        )
    if isinstance(model, xpnet.SequenceClassifier):
        raise ValueError(
            f"Invalid {name}. Expected a classifier's or regressor's file of rows or images. "
            f"Received: a SequenceClassifier's file {path!r}; score it on sequences with "
            f"xpnet.load({path!r}).score(X, y), or train it again with xpnet train --model "
            "sequence"
        )
    return model


def evaluate(args: argparse.Namespace) -> int:
    import numpy as np

    from .datasets.preprocessing import recorded_scaler
    from .metrics import classification_report, format_report

    cli_errors.check_seed(args.seed, "--seed")
    cli_errors.check_outputs(args, plots="confusion.png")
    select_backend(args)
    model = _estimator_file(args.model_file, "model_file")
    meta = cli_errors.recorded_metadata(model.metadata_, args.model_file)
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
        X = recorded_scaler(meta, X.shape[1], args.model_file).transform(X)
    images = _example_shape(model, name)
    if images is not None:
        X = X.reshape(-1, *images)
    regressor = model._estimator_type == "regressor"
    if regressor:
        report, confusion = _regression_report(model, meta, args.model_file, X, y), None
        text = f"R²:   {report['r2']:.4f}\nRMSE: {report['rmse']:.4g}\nMAE:  {report['mae']:.4g}"
    else:
        report = classification_report(y, model.predict(X), labels=model.classes_)
        confusion = np.asarray(report["confusion_matrix"])
        text = f"{format_report(report)}\n\nConfusion matrix (rows: true, columns: predicted):"
        text += f"\n{confusion}"
    if args.json:
        described = {"model": args.model_file, "data": name, "subset": args.subset, **report}
        print(json.dumps(described, indent=None if regressor else 2))
    else:
        print(
            f"{type(model).__name__} from {args.model_file} on {name} ({args.subset}, {len(y)} samples)\n"
        )
        print(text)
    if args.plot:
        _plots(model, Path(args.plot), X, y, confusion=confusion)
    return 0


def _regression_report(model: Any, meta: dict, path: str, X: Any, y: Any) -> dict[str, Any]:
    """R², and the errors in the target's own units, of a saved regressor."""
    import numpy as np

    from .backend import to_numpy
    from .datasets.preprocessing import real_target, target_scaling
    from .metrics import r2_score

    target, y = target_scaling(meta, None, path), real_target(y)
    scaled = to_numpy(model.predict(X)).astype(np.float64)  # one forward pass
    predicted = target.inverse(scaled)
    return {
        "r2": r2_score(target.transform(y), scaled),
        "rmse": float(np.sqrt(np.mean((predicted - y) ** 2))),
        "mae": float(np.mean(np.abs(predicted - y))),
        "n_samples": int(y.shape[0]),
    }


def bench(args: argparse.Namespace) -> int:
    from .bench import run

    if args.out is not None:
        cli_errors.check_folder(args.out, "--out", "results.json")
    return run(args)

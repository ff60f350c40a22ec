"""The command line under hostile options and data: exit 0 with a sound model, or one
line on stderr and status 2. Never a traceback, never a leaked warning, never a model
lost to an output path that was bad from the start."""

from __future__ import annotations

import contextlib
import io
import itertools
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

import xpnet
from xpnet import backend as xb
from xpnet import cli

from .oracle import assert_finite_model, attempt, refused
from .strategies import PROFILES, check_all


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``xpnet ARGV`` as a user runs it: (status, stdout, stderr).

    A warning that reaches Python's own display (a file path, a class name and a source
    line on stderr) is a leak, and so is an exception that escapes ``main`` (a
    traceback): either fails the test. The command line may show warnings its own way.
    """
    out, err = io.StringIO(), io.StringIO()
    leaked = []

    def show(message, category, filename, lineno, file=None, line=None):
        leaked.append(f"{category.__name__}: {message} ({filename}:{lineno})")
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    saved = xb._select._override
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("always")  # every warning shown, as a user sees it
            warnings.showwarning = show
            try:
                status = cli.main(argv)
            except SystemExit as exc:  # argparse's own exit
                status = exc.code
            except BaseException as exc:
                raise AssertionError(
                    f"xpnet {' '.join(argv)} would print a traceback: {type(exc).__name__}: {exc}"
                ) from exc
    finally:
        xb._select._override = saved
    assert not leaked, f"xpnet {' '.join(argv)} leaked a warning: {leaked[0]}"
    return status, out.getvalue(), err.getvalue()


def assert_honest_exit(argv: list[str], status: int, out: str, err: str) -> None:
    """Status 0, or status 2 with one line on stderr (and at most a pointer to --help)."""
    command = " ".join(argv)
    assert "Traceback" not in err, f"xpnet {command} printed a traceback:\n{err}"
    assert "Warning" not in err, f"xpnet {command} leaked a warning:\n{err}"
    assert status in (0, 2), f"xpnet {command} exited {status}:\n{err}"
    if status == 2:
        lines = err.strip().splitlines()
        extra = [line for line in lines[1:] if "--help" not in line]
        assert lines and "error:" in lines[0] and len(lines) <= 2 and not extra, (
            f"xpnet {command}: the error is not one line:\n{err}"
        )


def _csv(folder: Path, X: np.ndarray, y, name: str = "data.csv") -> Path:
    path = folder / name
    lines = [
        ",".join([*(repr(float(v)) for v in row), str(label)])
        for row, label in zip(X, y, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> Path:
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    return _csv(tmp_path_factory.mktemp("data"), X, (X[:, 0] > 0).astype(int))


#: Options and the values a hostile user gives them that argparse lets through (None: the
#: flag alone); xpnet itself must check them.
OPTIONS = {
    "--model": ["two_layer", "logistic", "deep"],
    "--hidden": ["2", "2,2", "0", "", "2.5", "a", "-1"],
    "--activation": ["tanh", "relu", "softmax", ""],
    "--init": ["he", "zeros"],
    "--random-state": ["0", "-1", str(2**40)],
    "--learning-rate": ["0.1", "1e308", "-1", "nan", "inf", "0"],
    "--epochs": ["1", "2", "0", "-1"],
    "--optimizer": ["gd", "adam"],
    "--batch-size": ["auto", "full", "4", "0", "-3", "x"],
    "--lr-decay": ["exponential", "inverse_time"],
    "--decay-rate": ["0.5", "2", "1e308", "-1", "nan"],
    "--l2": ["0", "1e308", "-1", "nan"],
    "--keep-prob": ["0.5", "0", "2"],
    "--early-stopping": [None],
    "--test-size": ["0.25", "0", "1", "2", "-0.1", "nan"],
    "--seed": ["0", "-1"],
    "--print-every": ["1", "0", "-1"],
    "--backend": ["numpy", "", "nope", "NumPy"],
    "--device": ["", "cpu", "cuda:7"],
    "--dtype": ["float32"],
}
#: (option, value) pairs that no command can honour: the run must exit 2, not ignore them.
MUST_REFUSE = {
    *(("--hidden", v) for v in ["0", "", "2.5", "a", "-1"]),
    *(("--activation", v) for v in ["softmax", ""]),
    *(("--random-state", v) for v in ["-1", str(2**40)]),
    *(("--learning-rate", v) for v in ["-1", "nan", "inf", "0"]),
    *(("--epochs", v) for v in ["0", "-1"]),
    *(("--batch-size", v) for v in ["0", "-3", "x"]),
    *(("--decay-rate", v) for v in ["-1", "nan"]),
    *(("--l2", v) for v in ["-1", "nan"]),
    *(("--keep-prob", v) for v in ["0", "2"]),
    *(("--test-size", v) for v in ["0", "1", "2", "-0.1", "nan"]),
    *(("--print-every", v) for v in ["0", "-1"]),
    *(("--backend", v) for v in ["", "nope"]),
    *(("--device", v) for v in ["", "cuda:7"]),
}


#: What argparse itself refuses: usage errors, which are one line too.
USAGE_ERRORS = {
    "unknown model": ["train", "--model", "cnn"],
    "unknown optimizer": ["train", "--optimizer", "sgd"],
    "unknown decay": ["train", "--lr-decay", "cosine"],
    "float16": ["train", "--dtype", "float16"],
    "text for an int": ["train", "--epochs", "x"],
    "text for a float": ["train", "--learning-rate", "fast"],
    "unknown flag": ["train", "--fast"],
    "no command": [],
    "unknown command": ["fit"],
    "evaluate without a file": ["evaluate"],
}


@pytest.mark.parametrize(("option", "value"), sorted(MUST_REFUSE))
def test_a_value_no_run_can_honour_is_refused(option, value, data_file, tmp_path):
    """--print-every 0, --backend "", --learning-rate nan ...: status 2, not silently ignored."""
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(data_file), option, value]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2, f"xpnet train {option} {value!r} exited {status}"


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_are_one_line(case):
    """argparse's errors: the line that matters (and a pointer to --help), not the usage block."""
    argv = USAGE_ERRORS[case]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2, f"xpnet {' '.join(argv)} exited {status}"


@st.composite
def train_argv(draw) -> list[str]:
    names = draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=4, unique=True))
    argv = ["train", "--no-progress"]
    for name in names:
        value = draw(st.sampled_from(OPTIONS[name]))
        argv += [name] if value is None else [name, value]
    if "--epochs" not in names:
        argv += ["--epochs", "2"]
    return argv


@pytest.mark.parametrize("profile", PROFILES)
def test_train_with_any_options(profile, data_file):
    """Any options: a sound, loadable model and status 0, or one line and status 2."""

    def check(argv):
        with tempfile.TemporaryDirectory() as folder:
            saved = Path(folder) / "model.npz"
            full = [*argv, "--data", str(data_file), "--save", str(saved)]
            status, out, err = run_cli(full)
            assert_honest_exit(full, status, out, err)
            pairs = set(itertools.pairwise(argv))
            wrong = sorted(pairs & MUST_REFUSE)
            assert status == 2 or not wrong, f"xpnet {' '.join(full)} exited 0, ignoring {wrong}"
            if status == 0:
                model = attempt(xpnet.load, saved)
                assert not refused(model), f"xpnet {' '.join(full)} saved {model}"
                assert_finite_model(model)

    check_all(profile, train_argv(), check, 4)


#: Output paths that are bad before training starts: name → folder ↦ path.
BAD_OUTPUTS = {
    "--save to a folder": ("--save", lambda f: f),
    "--save under a file": ("--save", lambda f: f / "data.csv" / "model.npz"),
    "--plot to a file": ("--plot", lambda f: f / "data.csv"),
}


@pytest.mark.parametrize("case", sorted(BAD_OUTPUTS))
def test_bad_output_paths_are_refused_before_training(case, data_file):
    """The model is not lost after a whole run: the path is checked first, and named."""
    option, make = BAD_OUTPUTS[case]
    path = make(data_file.parent)
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(data_file), option, str(path)]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2, f"xpnet {' '.join(argv)} exited {status}"
    assert "Train accuracy" not in out, f"{case}: refused only after training"
    assert ".tmp" not in err and str(path).rstrip("/") in err, f"{case}: {err.strip()}"


def _text(v: float) -> str:
    return repr(float(v))


#: CSV contents a user may hand over: name → rows of text.
CSV_KINDS = {
    "finite": lambda X, y: [[*map(_text, r), str(t)] for r, t in zip(X, y, strict=True)],
    "1e300": lambda X, y: [
        [*(_text(v * 1e300) for v in r), str(t)] for r, t in zip(X, y, strict=True)
    ],
    "NaN": lambda X, y: [["nan", *map(_text, r[1:]), str(t)] for r, t in zip(X, y, strict=True)],
    "text feature": lambda X, y: [
        ["a", *map(_text, r[1:]), str(t)] for r, t in zip(X, y, strict=True)
    ],
    "one class": lambda X, y: [[*map(_text, r), "1"] for r in X],
    "text labels": lambda X, y: [[*map(_text, r), "ab"[t]] for r, t in zip(X, y, strict=True)],
    "continuous labels": lambda X, y: [
        [*map(_text, r), str(t + 0.5)] for r, t in zip(X, y, strict=True)
    ],
    "ragged": lambda X, y: [
        [*map(_text, r), str(t)][: 2 + i % 2] for i, (r, t) in enumerate(zip(X, y, strict=True))
    ],
    "empty": lambda X, y: [],
    "header only": lambda X, y: [["a", "b", "label"]],
}


@pytest.mark.parametrize("kind", sorted(CSV_KINDS))
def test_train_on_any_csv(kind, tmp_path):
    """A CSV file of any content: a sound model, or one line and status 2."""
    rng = np.random.RandomState(0)
    X = rng.randn(20, 2)
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "data.csv"
    path.write_text("".join(",".join(row) + "\n" for row in CSV_KINDS[kind](X, y)))
    saved = tmp_path / "model.npz"
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(path), "--save", str(saved)]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    if kind in ("NaN", "text feature", "one class", "continuous labels", "ragged", "empty"):
        assert status == 2, f"xpnet train on a CSV with {kind}: exited {status}"
    if status == 0:
        model = xpnet.load(saved)
        assert_finite_model(model)
        scale = np.asarray(model.metadata_.get("standardize", {}).get("scale", [1.0]))
        mean = np.asarray(model.metadata_.get("standardize", {}).get("mean", [0.0]))
        assert np.isfinite(scale).all() and (scale > 0).all() and np.isfinite(mean).all(), (
            f"a CSV with {kind} standardised with mean {mean} and scale {scale}"
        )


@pytest.mark.parametrize("profile", PROFILES)
def test_evaluate_a_hand_edited_model_file(profile, data_file, tmp_path):
    """Any metadata a user writes into a model's header: a report, or one line and status 2."""
    import json

    path = tmp_path / "model.npz"
    argv = [
        "train",
        "--no-progress",
        "--epochs",
        "2",
        "--data",
        str(data_file),
        "--save",
        str(path),
    ]
    assert run_cli(argv)[0] == 0
    good = path.read_bytes()
    values = st.none() | st.booleans() | st.integers(-2, 2) | st.floats() | st.text(max_size=4)
    values = values | st.lists(values, max_size=2) | st.dictionaries(st.text(max_size=3), values)
    fields = st.sampled_from(["data", "test_size", "seed", "standardize", "mean", "scale"])

    def check(case):
        field, value = case
        path.write_bytes(good)
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        header = json.loads(str(arrays.pop("header")))
        meta = header["metadata"]
        if field in ("mean", "scale"):
            meta.setdefault("standardize", {})[field] = value
        else:
            meta[field] = value
        with open(path, "wb") as f:
            np.savez(f, header=np.asarray(json.dumps(header)), **arrays)
        full = ["evaluate", str(path)]
        status, out, err = run_cli(full)
        assert_honest_exit(full, status, out, err)

    check_all(profile, st.tuples(fields, values), check, 2)

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import xpnet
from xpnet.cli import main


def run(*args, env=None):
    """``python -m xpnet ARGS`` in a child process, as a user would run it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("XPNET_")}
    return subprocess.run(
        [sys.executable, "-m", "xpnet", *args],
        capture_output=True,
        text=True,
        env={**environment, **(env or {})},
    )


def test_help_explains_every_command():
    out = run("--help")
    assert out.returncode == 0
    for command in ("info", "train", "evaluate", "bench"):
        assert command in out.stdout
    train = run("train", "--help").stdout
    for words in ("week-3 network", "90.5-90.75%", "--learning-rate", "XPNET_BACKEND"):
        assert words in train
    for words in (
        "--optimizer",
        "--batch-size",
        "--epochs",
        "--l2",
        "--keep-prob",
        "deep_regressor",
    ):
        assert words in train
    assert "catvnoncat + deep        ReLU, (20, 7, 5)" in train


def test_info_lists_the_backends(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xpnet ")
    for name in ("numpy", "cupy", "torch", "jax", "array_api_strict"):
        assert f"\n  {name}" in out
    assert "selected: numpy on cpu (float64)" in out or os.environ.get("XPNET_BACKEND")


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"XPNET_BACKEND": "nonsense"},
            "Expected one of ['array_api_strict', 'cupy', 'jax', 'numpy', 'torch']",
        ),
        ({"XPNET_BACKEND": "numpy", "XPNET_DEVICE": "cuda:3"}, "Invalid XPNET_DEVICE"),
    ],
)
def test_bad_environment_is_one_line_and_an_exit_status(env, message):
    out = run("info", env=env)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_missing_cupy_names_the_fix():
    try:
        import cupy  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("CuPy is installed here")
    out = run("info", env={"XPNET_BACKEND": "cupy"})
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "pip install 'xpnet[cuda12]'" in out.stderr


def test_train_with_no_arguments_reaches_the_course_accuracy():
    out = run("train", "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "Cost after iteration 0: 0.693048" in out.stdout
    assert "Cost after iteration 9000: 0.218" in out.stdout
    # Chaotic after ~7,500 steps: 90.75% in the course, 90.5% on some CPUs' SIMD paths.
    assert "Train accuracy: 90.75%" in out.stdout or "Train accuracy: 90.50%" in out.stdout
    assert "90.5-90.75% depending on the machine's floating-point paths" in out.stdout
    assert "Test accuracy:" in out.stdout and "Backend: numpy, device: cpu" in out.stdout


def test_train_save_evaluate_plot(tmp_path, capsys):
    model = tmp_path / "model.npz"
    assert (
        main(
            [
                "train",
                "--iterations",
                "500",
                "--no-progress",
                "--save",
                str(model),
                "--plot",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "cost.png").stat().st_size > 0 and (
        tmp_path / "boundary.png"
    ).stat().st_size > 0
    capsys.readouterr()
    assert main(["evaluate", str(model), "--json", "--plot", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out.split("\nPlots written")[0])
    assert report["data"] == "planar" and report["subset"] == "test"
    assert set(report["classes"]) == {"0", "1"} and 0.5 < report["accuracy"] <= 1
    assert (tmp_path / "confusion.png").stat().st_size > 0
    assert main(["evaluate", str(model)]) == 0
    text = capsys.readouterr().out
    assert "precision" in text and "Confusion matrix" in text


def test_resume_continues_training(tmp_path, capsys):
    model = tmp_path / "m.npz"
    main(["train", "--iterations", "200", "--no-progress", "--save", str(model)])
    main(
        [
            "train",
            "--resume",
            str(model),
            "--iterations",
            "300",
            "--no-progress",
            "--save",
            str(model),
        ]
    )
    assert "500 in all" in capsys.readouterr().out


def test_train_on_a_csv_file_with_text_labels(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    rows = [",".join(f"{v:.5f}" for v in x) + ("," + ("yes" if x[0] > 0 else "no")) for x in X]
    path = tmp_path / "data.csv"
    path.write_text("a,b,c,label\n" + "\n".join(rows) + "\n")
    assert (
        main(
            [
                "train",
                "--data",
                str(path),
                "--model",
                "logistic",
                "--learning-rate",
                "0.5",
                "--iterations",
                "300",
                "--no-progress",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Test accuracy:" in out


def test_train_on_another_backend_and_model(capsys):
    assert (
        main(
            [
                "train",
                "--backend",
                "array_api_strict",
                "--device",
                "device1",
                "--model",
                "deep",
                "--hidden",
                "5,3",
                "--iterations",
                "50",
                "--learning-rate",
                "0.1",
                "--no-progress",
            ]
        )
        == 0
    )
    assert "Backend: array_api_strict, device: device1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--data", "mnist"], "Invalid data set"),
        (["train", "--data", "missing.csv"], "does not exist"),
        (
            ["train", "--model", "two_layer", "--learning-rate", "-1", "--iterations", "5"],
            "Invalid learning_rate. Expected a float in the range (0, inf). Received: learning_rate=-1.0",
        ),
        (["train", "--hidden", "a,b", "--iterations", "5"], "Invalid --hidden"),
        (["train", "--data", "catvnoncat"], "pass --data-dir DIR or set XPNET_DATA_DIR"),
        (
            [
                "train",
                "--optimizer",
                "gd",
                "--l2",
                "1",
                "--learning-rate",
                "1e12",
                "--model",
                "deep",
                "--hidden",
                "50,50",
                "--iterations",
                "200",
            ],
            "Try a smaller learning_rate",
        ),
        (["evaluate", "nothing.npz"], "does not exist"),
        (["train", "--backend", "nonsense"], "Invalid backend name"),
    ],
    ids=["dataset", "csv", "learning-rate", "hidden", "cats", "diverged", "model-file", "backend"],
)
def test_user_errors_are_one_line_on_stderr(args, message, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("XPNET_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main([*args, "--no-progress"] if args[0] == "train" else args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_malformed_csv_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,0\n3,4\n")
    assert main(["train", "--data", str(path)]) == 2
    assert "Expected a CSV file of equal-length rows" in capsys.readouterr().err


def test_flags_keep_the_environment_they_do_not_override(capsys, monkeypatch):
    monkeypatch.setenv("XPNET_DEVICE", "device1")
    monkeypatch.setenv("XPNET_DTYPE", "float32")
    pytest.importorskip("array_api_strict")
    args = ["train", "--backend", "array_api_strict", "--iterations", "3", "--no-progress"]
    assert main(args) == 0
    assert "device: device1, dtype: float32" in capsys.readouterr().out
    assert main([*args, "--dtype", "float64"]) == 0
    assert "device: device1, dtype: float64" in capsys.readouterr().out


def test_print_every_is_honoured_exactly(capsys):
    args = ["train", "--iterations", "1000", "--print-every", "250", "--no-progress"]
    assert main(args) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if "Cost after" in line]
    assert [line.split()[3] for line in printed] == ["0:", "250:", "500:", "750:"]


def test_resume_trains_on_the_data_recorded_in_the_file(tmp_path, capsys):
    model = tmp_path / "m.npz"
    args = ["--no-progress", "--save", str(model)]
    assert main(["train", "--data", "moons", "--seed", "3", "--epochs", "5", *args]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(model), "--epochs", "5", *args]) == 0
    out = capsys.readouterr().out
    assert "on moons (200 samples" in out and "10 in all" in out


def test_a_real_data_set_starts_from_the_estimators_defaults(capsys):
    assert main(["train", "--data", "breast_cancer", "--epochs", "30", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "TwoLayerNet(num_iterations=30, random_state=0" in out
    accuracy = float(out.split("Test accuracy:")[1].split("%")[0])
    assert accuracy > 90


def test_the_cats_deep_network_defaults_to_the_courses_recipe(catvnoncat_dir, capsys):
    args = ["train", "--data", "catvnoncat", "--data-dir", str(catvnoncat_dir)]
    assert main([*args, "--model", "deep", "--epochs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "hidden_layer_sizes=(20, 7, 5)" in out and "random_state=1" in out
    assert "optimizer='gd'" in out and "initialization='xavier'" in out


@pytest.mark.parametrize("error", [MemoryError("out of memory"), RuntimeError("CUDA error")])
def test_out_of_memory_and_device_errors_are_one_line(error, capsys, monkeypatch):
    import xpnet

    def fail(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(xpnet.TwoLayerNet, "fit", fail)
    assert main(["train", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(error) in err and "--batch-size" in err


def test_every_help_reads_as_written():
    for command in ("", "info", "train", "evaluate", "bench"):
        out = run(*command.split(), "--help")
        assert out.returncode == 0 and out.stderr == ""
        text = out.stdout
        assert "%%" not in text  # a description argparse does not %-format
        for line in text.splitlines():
            assert len(line) <= 100, line  # written out, not one unwrapped paragraph
            assert not re.search(r"\S {4,}--", line), line  # no line continuation's spaces
    train = run("train", "--help").stdout
    assert "reaches 90.75% in the course" in train and "--epochs N, --iterations N" in train
    assert "the update rule" in train and "decay of the learning rate" in train


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--epochs", "x"], "xpnet train: error: argument --epochs/--iterations"),
        (["train", "--model", "nope"], "xpnet train: error: argument --model: invalid choice"),
        (["train", "--frobnicate"], "xpnet: error: unrecognized arguments: --frobnicate"),
        (["evaluate"], "xpnet evaluate: error: the following arguments are required"),
        ([], "xpnet: error: the following arguments are required: COMMAND"),
    ],
    ids=["type", "choice", "unknown", "missing-file", "no-command"],
)
def test_usage_errors_are_one_line_and_a_pointer_to_help(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(message) and "--help'" in err
    assert "usage:" not in err


def test_usage_errors_from_the_command_line_itself():
    out = run("train", "--epochs", "x")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "see 'xpnet train --help'" in out.stderr


@pytest.fixture
def no_training(monkeypatch):
    """Training that fails the test if it starts: these errors come before it."""
    import xpnet

    def fit(self, *args, **kwargs):
        raise AssertionError("training started")

    for model in (xpnet.TwoLayerNet, xpnet.DeepNet, xpnet.LogisticRegression):
        monkeypatch.setattr(model, "fit", fit)


@pytest.mark.parametrize(
    "option, path, message",
    [
        ("--save", "folder", "Invalid --save. Expected a file to write, not a folder"),
        ("--save", "folder/", "Invalid --save. Expected a file to write, not a folder"),
        ("--save", "x.npz/", "Invalid --save. Expected a file to write, not a folder"),
        ("--save", "model.csv", "Invalid --save. Expected a file name ending in .npz"),
        ("--save", "plain.txt/m.npz", "Expected a path in a folder"),
        ("--plot", "plain.txt", "Invalid --plot. Expected a folder"),
        ("--plot", "cost.png", "Invalid --plot. Expected a folder"),
        ("--plot", "plain.txt/plots", "Expected a path in a folder"),
    ],
)
def test_output_paths_are_refused_before_training(
    option, path, message, tmp_path, monkeypatch, capsys, no_training
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "plain.txt").write_text("")
    assert main(["train", option, path, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and repr(path) in err
    assert ".tmp" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "plain.txt"]


def test_an_unwritable_folder_is_refused_before_training(
    tmp_path, capsys, monkeypatch, no_training
):
    from xpnet import io

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", f"{dir}/.m.npz.abcd.tmp")

    monkeypatch.setattr(io.tempfile, "mkstemp", denied)
    assert main(["train", "--save", str(tmp_path / "m.npz"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Permission denied" in err and "--save=" in err
    assert ".tmp" not in err


def test_evaluate_checks_its_plot_folder_first(tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["train", "--epochs", "3", "--no-progress", "--save", str(model)]) == 0
    (tmp_path / "plain.txt").write_text("")
    capsys.readouterr()
    assert main(["evaluate", str(model), "--plot", str(tmp_path / "plain.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Invalid --plot" in err and "which is a file" in err


def test_a_saved_model_has_the_mode_a_plain_open_gives(tmp_path, capsys):
    import stat

    previous = os.umask(0o027)
    try:
        assert (
            main(["train", "--epochs", "3", "--no-progress", "--save", str(tmp_path / "m.npz")])
            == 0
        )
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "m.npz").stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--print-every", "0"],
            "Invalid --print-every. Expected an int in the range [1, inf). Received: --print-every=0",
        ),
        (["--print-every", "-5"], "Invalid --print-every. Expected an int in the range [1, inf)"),
        (
            ["--epochs", "0"],
            "Invalid --epochs. Expected an int in the range [1, inf). Received: --epochs=0",
        ),
        (["--seed", "-1"], "Invalid --seed. Expected an int in the range [0, 4294967295]"),
        (
            ["--random-state", "-1"],
            "Invalid --random-state. Expected an int in the range [0, 4294967295]",
        ),
        (["--backend", ""], "argument --backend: expected a value, received an empty string"),
        (["--device", " "], "argument --device: expected a value"),
        (["--data", ""], "argument --data: expected a value"),
        (["--save", ""], "argument --save: expected a value"),
        (["--hidden", ""], "argument --hidden: expected a value"),
    ],
)
def test_values_that_would_be_ignored_are_refused(args, message, capsys, no_training):
    assert main(["train", *args, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_resume_refuses_the_options_it_would_ignore(tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["train", "--epochs", "3", "--no-progress", "--save", str(model)]) == 0
    capsys.readouterr()
    args = ["train", "--resume", str(model), "--no-progress"]
    assert main([*args, "--model", "deep", "--hidden", "5,3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Invalid --model, --hidden with --resume" in err
    assert main([*args, "--learning-rate", "0.1"]) == 2
    assert "Invalid --learning-rate with --resume" in capsys.readouterr().err
    assert main([*args, "--dtype", "float32"]) == 2  # the file's dtype is kept
    assert "Invalid --dtype with --resume" in capsys.readouterr().err
    assert main([*args, "--epochs", "2"]) == 0  # what it does change
    assert "5 in all" in capsys.readouterr().out


def rewrite_metadata(path, change):
    """Rewrite a saved model's header metadata, as a hand edit would."""
    with np.load(path) as f:
        arrays = dict(f)
    header = json.loads(str(arrays["header"]))
    change(header)
    arrays["header"] = np.asarray(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda h: h["metadata"]["standardize"].update(mean=[0.0], scale=[1.0]),
            "standardize has 1 features and the data 2",
        ),
        (lambda h: h["metadata"]["standardize"].update(mean=["a", 1]), "metadata standardize"),
        (lambda h: h["metadata"]["standardize"].update(scale=[1.0, 0.0]), "positive scales"),
        (lambda h: h["metadata"]["standardize"].update(scale=5), "metadata standardize"),
        (lambda h: h["metadata"].update(standardize=[1, 2]), "metadata standardize"),
        (lambda h: h["metadata"].update(test_size="abc"), "metadata test_size='abc'"),
        (lambda h: h["metadata"].update(seed=-3), "metadata seed=-3"),
        (lambda h: h["metadata"].update(data=5), "metadata data=5"),
        (lambda h: h.update(metadata=[1, 2]), "its metadata is list"),
    ],
    ids=[
        "mean-length",
        "mean-type",
        "scale-zero",
        "scale-type",
        "scaling-type",
        "test-size",
        "seed",
        "data",
        "not-a-dict",
    ],
)
def test_hand_edited_metadata_is_one_line(tmp_path, capsys, change, message):
    model = tmp_path / "m.npz"
    args = ["train", "--data", "moons", "--epochs", "3", "--no-progress", "--save", str(model)]
    assert main(args) == 0
    rewrite_metadata(model, change)
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Invalid xpnet model file" in err and message in err


def test_resume_refuses_hand_edited_metadata(tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["train", "--epochs", "3", "--no-progress", "--save", str(model)]) == 0
    rewrite_metadata(model, lambda h: h["metadata"].update(seed="x"))
    capsys.readouterr()
    assert main(["train", "--resume", str(model), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "its metadata seed='x'" in err


def failing_fit(error):
    def fit(self, *args, **kwargs):
        raise error

    return fit


@pytest.mark.parametrize(
    "error, message",
    [
        (FloatingPointError("Training diverged: the cost became nan"), "Training diverged"),
        (OverflowError(34, "Numerical result out of range"), "OverflowError: Numerical result"),
        (ZeroDivisionError("float division by zero"), "ZeroDivisionError: float division"),
        (KeyError("W3"), "KeyError: 'W3' (unexpected: please report it"),
        (AttributeError("no attribute"), "AttributeError: no attribute (unexpected"),
        (NotImplementedError("not yet"), "NotImplementedError: not yet (unexpected"),
    ],
)
def test_every_error_is_one_line_and_status_2(error, message, capsys, monkeypatch):
    import xpnet

    monkeypatch.delenv("XPNET_TRACEBACK", raising=False)
    monkeypatch.setattr(xpnet.TwoLayerNet, "fit", failing_fit(error))
    assert main(["train", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("xpnet train: error: ") and message in err


def test_an_unexpected_error_shows_its_traceback_on_request(monkeypatch):
    import xpnet

    monkeypatch.setenv("XPNET_TRACEBACK", "1")
    monkeypatch.setattr(xpnet.TwoLayerNet, "fit", failing_fit(KeyError("W3")))
    with pytest.raises(KeyError):
        main(["train", "--no-progress"])


def test_a_fit_left_with_nan_parameters_fails_and_saves_nothing(tmp_path, capsys, monkeypatch):
    import xpnet

    fit = xpnet.TwoLayerNet.fit

    def diverging(self, *args, **kwargs):
        fit(self, *args, **kwargs)
        self.parameters_["W2"] = self.parameters_["W2"] * np.nan
        return self

    monkeypatch.setattr(xpnet.TwoLayerNet, "fit", diverging)
    model = tmp_path / "m.npz"
    assert main(["train", "--epochs", "2", "--no-progress", "--save", str(model)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Training diverged: the model's parameters hold NaN" in err
    assert not model.exists()


def test_a_real_overflow_is_one_line():
    out = run(
        "train",
        "--lr-decay",
        "exponential",
        "--decay-rate",
        "5",
        "--epochs",
        "1000",
        "--print-every",
        "5000",
        "--no-progress",
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("xpnet train: error: ")


def test_a_learning_rate_of_1e308_fails_in_one_line():
    out = run("train", "--learning-rate", "1e308", "--epochs", "2", "--no-progress")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("xpnet train: error: ")


def test_ctrl_c_is_one_plain_line_and_the_model_is_saved(tmp_path, capsys, monkeypatch):
    import tqdm

    import xpnet

    def interrupt_at_20(message, *args, **kwargs):
        if "iteration 20:" in message:
            raise KeyboardInterrupt
        print(message)

    monkeypatch.setattr(tqdm.tqdm, "write", interrupt_at_20)
    model = tmp_path / "m.npz"
    args = ["train", "--epochs", "100", "--print-every", "10", "--no-progress"]
    assert main([*args, "--save", str(model)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("xpnet train: Training interrupted by the user after ")
    assert "training.py" not in captured.err and "Warning" not in captured.err
    assert "Saved to" in captured.out
    assert 20 <= xpnet.load(model).n_iter_ < 100


def test_warnings_are_one_plain_line(tmp_path):
    script = (
        "import warnings, xpnet\n"
        "from xpnet.cli import main\n"
        "fit = xpnet.TwoLayerNet.fit\n"
        "def noisy(self, *a, **k):\n"
        "    warnings.warn('something to know', UserWarning)\n"
        "    return fit(self, *a, **k)\n"
        "xpnet.TwoLayerNet.fit = noisy\n"
        "raise SystemExit(main(['train', '--epochs', '2', '--no-progress']))\n"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("XPNET_")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == "xpnet train: warning: something to know\n"


def test_a_csv_of_huge_values_is_standardised_not_zeroed(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 2) * 1e300
    rows = [f"{a:.17g},{b:.17g},{int(a > 0)}" for a, b in X]
    path = tmp_path / "huge.csv"
    path.write_text("\n".join(rows) + "\n")
    model = tmp_path / "m.npz"
    args = ["train", "--data", str(path), "--model", "logistic", "--learning-rate", "0.1"]
    assert main([*args, "--no-progress", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert float(out.split("Train accuracy:")[1].split("%")[0]) > 90
    import xpnet

    scale = xpnet.load(model).metadata_["standardize"]["scale"]
    assert all(1e299 < s < 1e301 for s in scale)


def test_compile_flag_reaches_the_estimator(tmp_path, capsys):
    """--compile on compiles on JAX; on NumPy, which has no compiler, it is one line."""
    base = ["train", "--data", "moons", "--epochs", "2", "--no-progress"]
    assert main([*base, "--compile", "off", "--save", str(tmp_path / "m.npz")]) == 0
    assert xpnet.load(tmp_path / "m.npz").jit_compile is False
    capsys.readouterr()
    assert main([*base, "--backend", "numpy", "--compile", "on"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "jit_compile=True" in err
    pytest.importorskip("jax")
    assert main([*base, "--backend", "jax", "--dtype", "float32", "--compile", "on"]) == 0


@pytest.mark.parametrize(
    ("size", "expected"), [(None, "auto"), ("full", None), ("auto", "auto"), ("32", 32)]
)
@pytest.mark.parametrize("model", ["deep", "sequence"])
def test_batch_size_reaches_the_estimator(size, expected, model, tmp_path, capsys):
    """--batch-size full is the full batch, not the default; left out, the estimator's
    default (or the sequence task's) stays."""
    path = tmp_path / "m.npz"
    args = ["train", "--model", model, "--epochs", "1", "--no-progress"]
    args += ["--data", "moons", "--save", str(path)] if model == "deep" else []
    args += [] if size is None else ["--batch-size", size]
    if model == "sequence":
        captured = []
        original = xpnet.SequenceClassifier.fit

        def fit(self, *a, **k):
            captured.append(self.batch_size)
            return original(self, *a, **k)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(xpnet.SequenceClassifier, "fit", fit)
            assert main(args) == 0
        if size is None:
            expected = xpnet.datasets.sequences.MARKED_XOR.get("batch_size", "auto")
        assert captured == [expected]
    else:
        assert main(args) == 0
        assert xpnet.load(path).batch_size == expected


@pytest.mark.parametrize("option", [["--hidden", "0"], ["--activation", "tanh"]])
def test_logistic_refuses_hidden_layer_options(option, capsys):
    """Logistic regression has no hidden layer: an option about one is refused, not ignored."""
    argv = ["train", "--model", "logistic", *option, "--epochs", "2", "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and f"Invalid {option[0]}. Expected none for --model logistic" in err
    )


def test_two_layer_refuses_several_hidden_sizes(capsys):
    """TwoLayerNet has one hidden layer: a second size is refused, not dropped."""
    argv = ["train", "--model", "two_layer", "--hidden", "5,5", "--epochs", "2", "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Expected one size for --model two_layer" in err


def test_train_and_evaluate_a_regressor_on_a_csv_file(tmp_path, capsys):
    """The last column is the target; errors come back in its own units."""
    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    y = 1000 + 50 * (X @ [1.0, 2.0, -1.0]) + rng.randn(300)
    path = tmp_path / "data.csv"
    np.savetxt(path, np.c_[X, y], delimiter=",", header="a,b,c,target", comments="")
    model = tmp_path / "r.npz"
    args = ["train", "--data", str(path), "--model", "deep_regressor", "--epochs", "150"]
    assert main([*args, "--hidden", "16", "--no-progress", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    test_r2, test_rmse = re.search(r"Test  R²: (\S+), RMSE: (\S+)", out).groups()
    assert float(test_r2) > 0.95 and 1 < float(test_rmse) < 40  # units of y (σ ≈ 120)
    loaded = xpnet.load(model)
    assert type(loaded) is xpnet.DeepRegressor
    assert loaded.metadata_["target"]["mean"] == pytest.approx(1000, abs=20)
    assert main(["evaluate", str(model), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["r2"] == pytest.approx(float(test_r2), abs=1e-4)
    assert report["rmse"] == pytest.approx(float(test_rmse), rel=1e-3)
    assert report["n_samples"] == 60


def test_a_regressor_refuses_a_text_target(tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_text("1,2,a\n3,4,b\n5,6,a\n7,8,b\n9,1,a\n")
    assert main(["train", "--data", str(path), "--model", "deep_regressor"]) == 2
    assert "Expected one finite real target per row" in capsys.readouterr().err
    # and evaluating a regressor on such a file says the same
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("1,2,0.5\n3,4,1.5\n5,6,2\n7,8,3\n9,1,1\n")
    saved = str(tmp_path / "r.npz")
    argv = ["train", "--data", str(numbers), "--model", "deep_regressor", "--epochs", "2"]
    assert main([*argv, "--no-progress", "--save", saved]) == 0
    capsys.readouterr()
    assert main(["evaluate", saved, "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Expected one finite real target per row" in err


def test_a_text_file_not_in_utf8_is_named(tmp_path, capsys):
    path = tmp_path / "names.txt"
    path.write_bytes(b"\xff\xfeabc\n")
    assert main(["train", "--model", "char_rnn", "--data", str(path), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Invalid --data. Expected a text file in UTF-8" in err


def test_a_sequence_models_file_is_refused_by_evaluate_and_resume(tmp_path, capsys):
    saved = str(tmp_path / "s.npz")
    assert (
        main(["train", "--model", "sequence", "--epochs", "1", "--no-progress", "--save", saved])
        == 0
    )
    capsys.readouterr()
    for argv in (["evaluate", saved], ["train", "--resume", saved, "--epochs", "1"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Received: a SequenceClassifier's file" in err


@pytest.mark.parametrize("model", ["sequence", "char_rnn"])
def test_plots_are_refused_for_the_sequence_models(tmp_path, capsys, model):
    folder = tmp_path / "plots"
    assert main(["train", "--model", model, "--epochs", "1", "--plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"Invalid --plot with --model {model}" in err
    assert not folder.exists()


@pytest.mark.parametrize("size", ["0", "-1"])
def test_a_batch_size_below_one_is_refused_before_training(capsys, size):
    assert main(["train", "--batch-size", size, "--epochs", "2", "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert "Invalid --batch-size. Expected a positive int" in captured.err
    assert captured.out == ""  # nothing announced, nothing trained

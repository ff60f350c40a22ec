import json
import os
import subprocess
import sys

import numpy as np
import pytest

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
    assert (
        "two-layer tanh network" in train
        and "--learning-rate" in train
        and "XPNET_BACKEND" in train
    )


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


@pytest.mark.slow
def test_train_with_no_arguments_reaches_the_course_accuracy():
    out = run("train", "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "Cost after iteration 0: 0.693048" in out.stdout
    assert "Cost after iteration 9000: 0.218" in out.stdout
    assert "Train accuracy: 90.75%" in out.stdout
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
    assert "500 iterations" in capsys.readouterr().out


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
            "Invalid learning_rate. Expected a positive number. Received: -1.0",
        ),
        (["train", "--hidden", "a,b", "--iterations", "5"], "Invalid --hidden"),
        (["train", "--data", "catvnoncat"], "pass --data-dir DIR or set XPNET_DATA_DIR"),
        (
            [
                "train",
                "--learning-rate",
                "1e6",
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

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
    for words in ("week-3 network", "90.5-90.75%", "--learning-rate", "XPNET_BACKEND"):
        assert words in train
    for words in ("--optimizer", "--batch-size", "--epochs", "--l2", "--keep-prob"):
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
    assert "on moons (200 samples" in out and "10 iterations" in out


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

"""The training scripts run end to end and reproduce the course's published results."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def script(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(autouse=True)
def on_numpy():
    import xpnet

    with xpnet.use_backend("numpy"):
        yield


def test_week2_logistic_regression_on_cats(catvnoncat_dir, capsys):
    results = script("week2_logistic_cats")(["--data-dir", str(catvnoncat_dir)])
    assert round(100 * results["train"], 2) == 99.04
    assert results["test"] == 0.70
    assert "Cost after iteration 0: 0.693147" in capsys.readouterr().out


def test_week3_planar_and_the_hidden_size_sweep(capsys):
    """Runs at rate 1.2 are chaotic late (see test_course.py): the 10,000-step result is
    asserted as the course's band, and each sweep point to within one of the 400 points
    of the course's figure (the course's own ranges for 20 and 50 units)."""
    results = script("week3_planar")(["--sweep-iterations", "5000"])
    assert results["two_layer"] in (0.905, 0.9075)
    assert results["logistic"] < 0.6  # a straight line cannot separate the petals
    sweep = {n: 100 * a for n, a in results["sweep"].items()}
    course = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25}
    for n_h, figure in course.items():
        assert abs(sweep[n_h] - figure) <= 0.25 + 1e-9, n_h
    assert 90 <= sweep[20] <= 90.5 and 90.25 <= sweep[50] <= 90.75


def test_week4_two_and_four_layer_networks_on_cats(catvnoncat_dir):
    results = script("week4_cats")(["--data-dir", str(catvnoncat_dir)])
    assert results["two_layer"] == {"train": 1.0, "test": 0.72}
    assert round(100 * results["four_layer"]["train"], 2) == 98.56
    assert results["four_layer"]["test"] == 0.80


def test_scripts_explain_themselves_and_need_the_data(capsys, monkeypatch):
    monkeypatch.delenv("XPNET_DATA_DIR", raising=False)
    with pytest.raises(SystemExit) as exit_:
        script("week4_cats")([])
    assert exit_.value.code == 2
    assert "pass --data-dir DIR or set XPNET_DATA_DIR" in capsys.readouterr().err


@pytest.fixture(scope="session")
def football_dir():
    folder = Path(__file__).resolve().parents[2] / "shared" / "data" / "football"
    if not (folder / "data.mat").is_file():
        pytest.skip(f"the course's football data is not in {folder.name}/")
    return folder


def test_course2_initialisation():
    pytest.importorskip("sklearn")
    results = script("course2_initialization")([])
    assert results["zeros"]["train"] == 0.5 and results["zeros"]["test"] == 0.5
    assert round(100 * results["he"]["train"], 2) == 99.33 and results["he"]["test"] == 0.96
    assert results["he"]["costs"][0] == pytest.approx(0.883054, abs=1e-6)
    assert results["he"]["costs"][14000] == pytest.approx(0.073579, abs=1e-6)
    # The large random start is chaotic: its accuracies, within a point of the course's.
    assert abs(results["random"]["train"] - 0.83) <= 0.01
    assert abs(results["random"]["test"] - 0.86) <= 0.01


def test_course2_regularisation(football_dir):
    results = script("course2_regularization")(["--data-dir", str(football_dir)])
    got = {k: (round(100 * v["train"], 2), round(100 * v["test"], 2)) for k, v in results.items()}
    assert got == {"none": (94.79, 91.5), "l2": (93.84, 93.0), "dropout": (92.89, 95.0)}


def test_course2_optimisation():
    pytest.importorskip("sklearn")
    results = script("course2_optimization")([])
    got = {k: round(100 * v["accuracy"], 2) for k, v in results.items()}
    assert got == {
        "gd": 71.67,
        "momentum": 71.67,
        "adam": 94.33,
        "gd + decay": 94.33,
        "momentum + decay": 95.33,
        "adam + decay": 94.0,
    }
    gd, adam = results["gd"]["costs"], results["adam"]["costs"]
    np.testing.assert_allclose(
        [gd[0], gd[1000], gd[2000]], [0.702405, 0.668101, 0.635288], atol=1e-6
    )
    np.testing.assert_allclose(
        [adam[0], adam[1000], adam[2000]], [0.702166, 0.167845, 0.141316], atol=1e-6
    )


def test_out_of_core_training_on_a_local_cluster(tmp_path):
    pytest.importorskip("distributed", reason="distributed is not installed (xpnet[dask])")
    pytest.importorskip("zarr", reason="zarr is not installed (xpnet[dask])")
    args = ["--rows", "20000", "--features", "10", "--chunk-rows", "500", "--epochs", "2"]
    results = script("dask_out_of_core")([*args, "--store", str(tmp_path / "t.zarr")])
    assert len(results["seconds_per_epoch"]) == 2 and len(results["peaks_mb"]) == 2
    assert 0.5 < results["accuracy"] <= 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["course2_initialization.py", "--iterations", "0"], "expected a whole number ≥ 1"),
        (["dask_out_of_core.py", "--workers", "0"], "expected a whole number ≥ 1"),
        (["week2_logistic_cats.py", "--data-dir", "{missing}"], "train_catvnoncat.h5"),
        (["week3_planar.py", "--plot", "{file}"], "Invalid --plot. Expected a folder"),
    ],
)
def test_a_scripts_error_is_one_line_and_status_2(tmp_path, argv, message):
    """As xpnet's own command: no traceback, and nothing trained before a path is refused."""
    import subprocess
    import sys

    (tmp_path / "file").write_text("")
    argv = [a.format(missing=tmp_path / "missing", file=tmp_path / "file") for a in argv]
    out = subprocess.run(
        [sys.executable, str(SCRIPTS / argv[0]), *argv[1:]],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith(f"{argv[0]}: error:")
    assert out.stdout == ""

"""The training scripts run end to end and reproduce the course's published results."""

import importlib.util
from pathlib import Path

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


@pytest.mark.slow
def test_week2_logistic_regression_on_cats(catvnoncat_dir, capsys):
    results = script("week2_logistic_cats")(["--data-dir", str(catvnoncat_dir)])
    assert round(100 * results["train"], 2) == 99.04
    assert results["test"] == 0.70
    assert "Cost after iteration 0: 0.693147" in capsys.readouterr().out


@pytest.mark.slow
def test_week3_planar_and_the_hidden_size_sweep(capsys):
    results = script("week3_planar")(["--sweep-iterations", "5000"])
    assert results["two_layer"] == 0.9075
    assert results["logistic"] < 0.6  # a straight line cannot separate the petals
    sweep = {n: round(100 * a, 2) for n, a in results["sweep"].items()}
    assert sweep[1] == 67.5 and sweep[2] == 67.25 and sweep[3] == 90.75
    assert sweep[4] == 90.5 and sweep[5] == 91.25
    assert 90 <= sweep[20] <= 90.5 and 90.25 <= sweep[50] <= 90.75


@pytest.mark.slow
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

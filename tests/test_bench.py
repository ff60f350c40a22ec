"""The benchmark runner works (a smoke test at small sizes; no timing is asserted)."""

import json

from xpnet.bench.workloads import WORKLOADS, Workload
from xpnet.cli import main


def test_flops_count_the_matrix_products():
    two_layer = Workload("t", "two_layer", (784, 256, 1), 60000)
    # Forward W1·X and W2·A1, backward dW1, dW2 and dA1 = W2ᵀ·dZ2; no dX.
    assert two_layer.flops == 2 * 60000 * (2 * 256 * 784 + 3 * 1 * 256)
    logistic = Workload("l", "logistic", (30, 1), 569)
    assert logistic.flops == 2 * 569 * 2 * 30


def test_workload_data_has_the_course_layout():
    w = next(w for w in WORKLOADS if w.kind == "deep")
    small = Workload("s", w.kind, (8, 5, 3), 20, activation="relu")
    X, Y = small.data("float32")
    assert X.shape == (8, 20) and Y.shape == (3, 20) and X.dtype == "float32"
    assert (Y.sum(axis=0) == 1).all()
    assert small.parameters("float64")["W2"].shape == (3, 5)


def test_quick_run_writes_a_table_json_and_markdown_to_a_fresh_folder(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no --out: a new folder here, never benchmarks/
    only = "xpnet[numpy],numpy (by hand),scikit-learn"
    assert main(["bench", "--quick", "--only", only, "--dtypes", "float64"]) == 0
    out = capsys.readouterr().out
    assert "Ceilings:" in out and "Training" in out and "Targets:" in out
    (folder,) = tmp_path.glob("xpnet-bench-*")
    report = json.loads((folder / "results.json").read_text())
    rows = report["results"]
    assert {r["implementation"] for r in rows} == set(only.split(","))
    assert all("error" not in r and r["seconds"] > 0 and r["gflops"] >= 0 for r in rows)
    assert all(r["vs_numpy"] == 1.0 for r in rows if r["implementation"] == "numpy (by hand)")
    assert report["ceilings"][0]["matmul_gflops"]["float64"] > 0
    curves = {c["implementation"]: c["curve"] for c in report["training"]["curves"]}
    assert set(curves) == {"xpnet[numpy]", "scikit-learn"}
    assert all(len(c) == 3 and 0 < c[-1][1] <= 1 for c in curves.values())
    assert {r["kind"] for r in report["training"]["ratios"] if r["ratio"] > 0} == {"epoch", "fit"}
    if report["dask"] is not None:  # where Dask is installed
        assert report["dask"]["cluster_step_s"] > 0 and report["dask"]["zarr_mb_s"] > 0
    markdown = (folder / "RESULTS.md").read_text()
    for heading in ("## Ceilings", "## Time to accuracy", "## Targets", "xpnet[numpy]"):
        assert heading in markdown


def test_unknown_implementation_is_a_clear_error(capsys):
    assert main(["bench", "--quick", "--only", "xpnet[mxnet]"]) == 2
    assert "Invalid --only" in capsys.readouterr().err

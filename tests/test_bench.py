"""The benchmark: ``xpnet bench`` and its rows, and the project's harness in
``benchmarks/harness`` (its verdicts on synthetic reports, and a quick run of each).

No timing is asserted: the verdicts are fed reports whose figures are chosen here.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import xpnet.bench
from xpnet.bench import layers
from xpnet.bench import rows as bench_rows
from xpnet.bench.workloads import WORKLOADS, Workload
from xpnet.cli import main
from xpnet.layers import LSTM

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the harness lives in the repository, not in the package
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import runner, spawn  # noqa: E402
from benchmarks.harness.markdown import write_markdown  # noqa: E402
from benchmarks.harness.targets import targets  # noqa: E402
from benchmarks.harness.training_targets import race, training_targets  # noqa: E402
from benchmarks.harness.verdicts import MET, NOT_MEASURED, NOT_MET, reach, verdict  # noqa: E402


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


# -- verdicts ---------------------------------------------------------------------------


def test_a_value_over_its_bound_is_not_met_and_one_within_is_met():
    assert verdict("t", [("a", 0.9, 1.0), ("b", 1.0, 1.0)], section="s")["verdict"] == MET
    over = verdict("t", [("a", 0.9, 1.0), ("b", 1.2, 1.1)], section="s")
    assert over["verdict"] == NOT_MET and over["met"] is False and over["worst"] == "b"
    assert "1.2 (bound ≤ 1.1)" in over["measured"]


def test_a_lower_bound_and_the_better_of_several_rows():
    low = [("slow", 0.60, 0.85), ("fast", 0.90, 0.85)]
    assert verdict("t", low, section="s", at_least=True)["verdict"] == NOT_MET
    best = verdict("t", low, section="s", at_least=True, rule=any)
    assert best["verdict"] == MET and best["worst"] == "slow"


def test_no_measurement_is_not_measured_and_names_what_it_needs():
    v = verdict("t", [], section="training", needs="keras (jax)")
    assert v["verdict"] == NOT_MEASURED and v["met"] is None
    assert "keras (jax)" in v["measured"] and "training" in v["measured"]


def _dask_only_report():
    blocks = {"cluster_ratio": 1.2, "overhead_step_s": 0.08, "rows": 4000, "features": 32}
    blocks |= {
        "cluster_step_s": 0.12,
        "cluster_share_s": 0.01,
        "numpy_step_s": 0.1,
        "zarr_mb_s": 1.2,
        "disk_read_mb_s": 2.0,
        "zarr_ratio": 0.6,
        "epoch_threads_s": 0.5,
        "epoch_1_worker_s": 0.6,
        "epoch_2_workers_s": 0.4,
        "tta_target": 0.95,
        "tta_batch": 100,
        "tta_rows": 2000,
        "tta_memory_s": 1.0,
        "tta_blocks_s": None,
    }
    for n, share in ((8, 0.08), (64, 0.085), (512, 0.09)):
        blocks |= {f"share_{n}_chunks_s": share, f"step_{n}_chunks_s": share + 0.01}
    ceiling = {"backend": "numpy", "device": None, "matmul_gflops": {"float32": 100.0}}
    return {"ceilings": [ceiling], "results": [], "paired": [], "training": None, "dask": blocks}


def test_a_run_of_one_section_leaves_the_others_targets_not_measured():
    out = targets(_dask_only_report())
    by_verdict = {v: [t["target"] for t in out if t["verdict"] == v] for v in (MET, NOT_MET)}
    assert by_verdict[MET] == [
        "a full-batch step on a 2-worker LocalCluster ÷ one NumPy process ≤ 1.3",
        "the scheduler's share of a step with 512 chunks ≤ 2 × 50 ms",
        "a step from a Zarr store ÷ reading its files straight ≥ 0.5",
    ]
    assert by_verdict[NOT_MET] == ["the scheduler's share of a step (8 tiny chunks) ≤ 50 ms"]
    dask = ("LocalCluster", "scheduler", "Zarr")
    others = [t for t in out if not any(word in t["target"] for word in dask)]
    assert len(others) >= 14 and all(t["verdict"] == NOT_MEASURED for t in others)


def _step(implementation, workload, seconds, peak_fraction, dtype="float32"):
    return {
        "implementation": implementation,
        "workload": workload,
        "dtype": dtype,
        "seconds": seconds,
        "peak_fraction": peak_fraction,
    }


def test_the_compiled_step_is_judged_on_the_deep_784_workload_in_float32():
    deep = "deep 784-256-128-10 ×60000"
    report = {
        "ceilings": [{}],
        "results": [
            _step("xpnet[jax, compiled]", deep, 0.5, 0.80),
            _step("xpnet[torch, compiled]", deep, 0.5, 0.95, dtype="float64"),  # not judged
            _step("xpnet[torch, compiled]", "two-layer 784-256-1 ×60000", 0.1, 0.99),  # nor this
        ],
    }
    (compiled,) = [t for t in targets(report) if "compiled step" in t["target"]]
    assert compiled["verdict"] == NOT_MET and compiled["measured"].startswith("xpnet[jax")
    report["results"].append(_step("xpnet[torch, compiled]", deep, 0.4, 0.86))
    (compiled,) = [t for t in targets(report) if "compiled step" in t["target"]]
    assert compiled["verdict"] == MET


def _timing(kind, seconds, **where):
    return {"kind": kind, "dtype": "float32", "seconds": seconds, **where}


def _training_verdicts(training):
    return {t["target"]: t for t in training_targets(training)}


def test_the_compiled_epoch_is_judged_against_keras_and_the_planar_fit_against_numpy():
    training = {
        "curves": [],
        "ratios": [
            _timing("epoch", {"xpnet[numpy]": 1.0, "numpy (by hand)": 1.0}, task="mnist-shaped"),
            _timing(
                "epoch", {"xpnet[jax, compiled]": 0.5, "keras (jax)": 0.4}, task="mnist-shaped"
            ),
            _timing(
                "fit", {"xpnet[jax, compiled]": 2.0, "numpy (by hand)": 3.0}, iterations=10000
            ),
        ],
    }
    got = _training_verdicts(training)
    keras = next(t for k, t in got.items() if "Keras" in k)
    assert keras["verdict"] == NOT_MET and "1.25" in keras["measured"]
    compiled_planar = next(t for k, t in got.items() if "planar fit compiled" in k)
    assert compiled_planar["verdict"] == MET and "10,000 steps" in compiled_planar["measured"]
    numpy_planar = next(t for k, t in got.items() if k.startswith("the planar fit ÷"))
    assert numpy_planar["verdict"] == NOT_MEASURED  # no xpnet[numpy] in the fit's rows
    training["ratios"][1]["seconds"]["keras (jax)"] = 0.6
    keras = next(t for k, t in _training_verdicts(training).items() if "Keras" in k)
    assert keras["verdict"] == MET


def test_time_to_accuracy_is_read_from_a_curve():
    curve = [[1.0, 0.5], [2.5, 0.71], [3.0, 0.70], [4.0, 0.76]]
    assert reach(curve, 0.70) == 2.5 and reach(curve, 0.75) == 4.0
    assert reach(curve, 0.5) == 1.0 and reach(curve, 0.8) is None


def _curves(**curves):
    return {
        "curves": [
            {"task": "mnist-shaped", "dtype": "float32", "implementation": name, "curve": c}
            for name, c in curves.items()
        ],
        "ratios": [],
    }


PYTORCH_CURVE = [[1.1, 0.65], [2.2, 0.72], [3.0, 0.76], [4.0, 0.787]]


def test_the_race_with_pytorch_is_lost_by_a_row_that_never_reaches_75_percent():
    slow = [[1.0, 0.60], [7.6, 0.70], [9.0, 0.728]]
    items = race(_curves(**{"torch autograd": PYTORCH_CURVE, "xpnet[numpy]": slow}))
    assert [v for _, v, _ in items][:2] == [pytest.approx(7.6 / 2.2), float("inf")]
    assert items[2][1] == pytest.approx(0.787 / 0.728)
    (target,) = [
        t
        for t in training_targets(
            _curves(**{"torch autograd": PYTORCH_CURVE, "xpnet[numpy]": slow})
        )
        if "MNIST" in t["target"]
    ]
    assert target["verdict"] == NOT_MET


def test_the_race_judges_xpnets_best_row_and_only_its_first_30_epochs():
    late = [[0.1 * (i + 1), 0.5] for i in range(30)] + [[3.1, 0.99]]  # best after 30 epochs
    fast = [[1.0, 0.71], [2.0, 0.76], [3.0, 0.79]]
    training = _curves(
        **{"torch autograd": PYTORCH_CURVE, "xpnet[numpy]": late, "xpnet[jax, compiled]": fast}
    )
    items = race(training)
    assert all(where.startswith("xpnet[jax, compiled]") for where, _, _ in items)
    (target,) = [t for t in training_targets(training) if "MNIST" in t["target"]]
    assert target["verdict"] == MET
    alone = _curves(**{"torch autograd": PYTORCH_CURVE, "xpnet[numpy]": late})
    assert race(alone)[2][1] == pytest.approx(0.787 / 0.5)  # 0.99 came at epoch 31


def test_the_race_is_not_measured_without_pytorch_or_on_another_task():
    assert race(_curves(**{"xpnet[numpy]": PYTORCH_CURVE})) == []
    training = _curves(**{"torch autograd": PYTORCH_CURVE, "xpnet[numpy]": PYTORCH_CURVE})
    assert race(training, task="digits") == []


def test_markdown_shows_each_verdict_as_it_is(tmp_path):
    report = {
        **_dask_only_report(),
        "machine": {
            "date": "d",
            "cpu": "c",
            "cores": 2,
            "python": "3",
            "versions": {},
            "blas": [],
        },
        "quick": True,
        "skipped": {"keras (jax)": "Keras is not installed"},
    }
    report["targets"] = targets(report)
    write_markdown(report, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    assert text.count("| not measured |") == len(report["targets"]) - 4
    assert text.count("| **not met** |") == 1 and text.count("| met |") == 3
    assert "| 1.00 s, not reached |" in text  # time to accuracy: in memory, on blocks
    assert "Skipped keras (jax): Keras is not installed." in text


# -- rows -------------------------------------------------------------------------------


def test_row_names_parse_into_backend_device_and_switch():
    assert bench_rows.parse("xpnet[numpy]") == ("numpy", None, False)
    assert bench_rows.parse("xpnet[torch:cuda, compiled]") == ("torch", "cuda", True)
    with pytest.raises(ValueError, match="Invalid row"):
        bench_rows.parse("keras (jax)")


def test_row_names_split_at_commas_outside_brackets():
    names = bench_rows.split_names("xpnet[numpy], xpnet[jax,compiled],keras (jax),")
    assert names == ["xpnet[numpy]", "xpnet[jax, compiled]", "keras (jax)"]
    assert bench_rows.parse(names[1]).compiled


def test_rows_that_cannot_run_are_skipped_with_their_reason(monkeypatch):
    monkeypatch.setattr(bench_rows, "available_backends", lambda: ["numpy", "array_api_strict"])
    monkeypatch.setattr(bench_rows, "keras_missing", lambda: "Keras is not installed")
    rows, skipped = bench_rows.available()
    assert not set(bench_rows.COMPILED) & set(rows) and bench_rows.KERAS not in rows
    assert skipped[bench_rows.KERAS] == "Keras is not installed"
    assert skipped["xpnet[jax, compiled]"] == "jax is not installed"
    assert rows[0] == "xpnet[numpy]" and bench_rows.REFERENCE in rows
    assert "xpnet[array_api_strict]" not in rows
    monkeypatch.setattr(bench_rows, "available_backends", lambda: ["numpy", "torch", "jax"])
    monkeypatch.setattr(bench_rows, "keras_missing", lambda: None)
    rows, skipped = bench_rows.available()
    assert bench_rows.KERAS in rows and bench_rows.KERAS not in skipped
    assert set(bench_rows.COMPILED) <= set(rows) and not skipped


def test_a_row_on_jax_in_float64_needs_jax_64_bit_mode(monkeypatch):
    jax = pytest.importorskip("jax")
    assert bench_rows.jax_missing("xpnet[numpy]", "float64") is None
    assert bench_rows.jax_missing("xpnet[jax]", "float32") is None
    monkeypatch.setattr(jax.config, "read", lambda name: False)
    for name in ("xpnet[jax]", "xpnet[jax, compiled]", bench_rows.KERAS):
        assert "JAX_ENABLE_X64" in bench_rows.jax_missing(name, "float64")
    monkeypatch.setattr(jax.config, "read", lambda name: True)
    assert bench_rows.jax_missing("xpnet[jax]", "float64") is None


# -- xpnet bench ------------------------------------------------------------------------


def test_xpnet_bench_prints_each_rows_ratio_and_rate_and_writes_json_only_when_asked(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    only = "xpnet[numpy],numpy (by hand)"
    args = ["bench", "--quick", "--sections", "dense", "--only", only, "--dtypes", "float64"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Matrix-product rate:" in out and "vs numpy" in out and "% peak" in out
    assert out.count("  xpnet[numpy] ") == out.count("  numpy (by hand) ") == 3
    assert list(tmp_path.iterdir()) == []  # nothing written without --out
    assert main([*args, "--out", "figures"]) == 0
    report = json.loads((tmp_path / "figures" / "results.json").read_text())
    rows = report["results"]
    assert {r["implementation"] for r in rows} == set(only.split(","))
    assert all("error" not in r and r["seconds"] > 0 and r["gflops"] >= 0 for r in rows)
    rate = report["rates"]["cpu"]["float64"]
    for r in rows:  # each row against the hand-written reference of its workload
        reference = next(
            s
            for s in rows
            if s["workload"] == r["workload"] and s["implementation"] == "numpy (by hand)"
        )
        assert r["vs_numpy"] == pytest.approx(r["seconds"] / reference["seconds"])
        assert r["peak_fraction"] == pytest.approx(r["gflops"] / rate)


def test_a_row_that_fails_is_reported_and_the_others_are_timed(capsys, monkeypatch):
    build = xpnet.bench.build

    def failing(name, w, dtype):
        if name == "xpnet[numpy]":
            raise RuntimeError("no luck\nsecond line")
        return build(name, w, dtype)

    monkeypatch.setattr(xpnet.bench, "build", failing)
    only = "xpnet[numpy],numpy (by hand)"
    args = ["bench", "--quick", "--sections", "dense", "--only", only, "--dtypes", "float64"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.count("xpnet[numpy]             float64  not timed: RuntimeError: no luck\n") == 3
    assert "second line" not in out and out.count("  numpy (by hand) ") == 3


def test_unknown_implementation_is_a_clear_error(capsys):
    assert main(["bench", "--quick", "--only", "xpnet[mxnet]"]) == 2
    assert "Invalid --only" in capsys.readouterr().err


# -- xpnet bench: the conv and rnn sections ---------------------------------------------


@pytest.mark.parametrize(("section", "peer"), [("conv", "torch Conv2d"), ("rnn", "torch.nn.LSTM")])
def test_a_layer_section_prints_each_rows_ratio_to_its_peer_and_the_verdicts(
    section, peer, tmp_path, capsys, monkeypatch
):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--quick", "--sections", section, "--out", "figures"]) == 0
    out = capsys.readouterr().out
    assert "Matrix-product rate:" in out and f"{section} section" in out
    assert f"ratios to {peer}" in out and "vs numpy" not in out  # no dense rows
    report = json.loads((tmp_path / "figures" / "results.json").read_text())
    rows = [r for r in report["results"] if "error" not in r]
    cases = {r["workload"] for r in rows}
    assert len(cases) == len(layers.SECTIONS[section][1])
    assert {r["implementation"] for r in rows} >= {"xpnet[numpy]", "xpnet[torch]", peer}
    for r in rows:
        reference = next(
            s for s in rows if s["workload"] == r["workload"] and s["implementation"] == peer
        )
        assert r["vs_peer"] == pytest.approx(r["seconds"] / reference["seconds"])
        bound = layers.TARGETS[section].get(r["implementation"])
        assert r["target"] == bound
        if bound is None:
            assert r["verdict"] is None
        else:
            assert r["verdict"] == ("met" if r["vs_peer"] <= bound else "not met")
            assert f"≤ {bound:g}×: {r['verdict']}" in out
    assert len([r for r in rows if r["verdict"]]) == 2 * len(cases) - (
        "xpnet[jax, compiled]" not in {r["implementation"] for r in rows} and section == "rnn"
    ) * len(cases)


def test_the_conv2d_peer_computes_what_the_layer_computes_from_the_same_draw():
    """Z, dA_prev and dW of xpnet's Conv2D on NumPy equal Conv2d's (NCHW, transposed back)."""
    pytest.importorskip("torch")
    case = layers.QUICK_CONV[1]  # 5×5 filters on 3 channels: every index of W matters
    layer, params, X, dZ = layers.conv_data(case)
    Z, cache = layer.forward(X, params, xp=np)
    dA_prev, grads = layer.backward(dZ, cache, need_dA_prev=True, xp=np)
    net, X_t, dZ_t, _ = layers.conv_peer(case)
    Z_t = net(X_t)
    Z_t.backward(dZ_t)
    nhwc = (0, 2, 3, 1)
    np.testing.assert_allclose(Z, Z_t.detach().cpu().numpy().transpose(nhwc), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        dA_prev, X_t.grad.cpu().numpy().transpose(nhwc), rtol=1e-4, atol=1e-5
    )
    dW = net.weight.grad.cpu().numpy().transpose(2, 3, 1, 0)  # (n_C, n_C_prev, f, f) → W's
    m = case.shape[0]  # the layer's dW is the batch's mean, autograd's of Σ dZ ∗ Z its sum
    np.testing.assert_allclose(m * grads["dW1"], dW, rtol=1e-4, atol=1e-4)


def test_the_lstm_peer_computes_what_the_layer_computes_from_the_same_weights():
    """a⟨t⟩ and each gate's dW of xpnet's LSTM on NumPy equal torch.nn.LSTM's."""
    pytest.importorskip("torch")
    case = layers.QUICK_RNN[0]
    W, x, G = layers.lstm_data(case)
    lstm = LSTM(1)
    a, cache = lstm.forward(x, W, xp=np)
    grads = lstm.backward(G, cache, need_dA_prev=False, xp=np)[1]
    net, x_t, G_t, _ = layers.lstm_peer(case)
    out, _ = net(x_t)
    (out * G_t).sum().backward()
    np.testing.assert_allclose(a, out.detach().cpu().numpy().transpose(2, 1, 0), atol=1e-5)
    n_a = case.n_a  # the layer's dW is the batch's mean, autograd's of Σ G ∗ a its sum
    dW_hh, dW_ih = net.weight_hh_l0.grad.cpu().numpy(), net.weight_ih_l0.grad.cpu().numpy()
    for k, gate in enumerate("ifco"):  # torch's gate order: i, f, g (xpnet's c), o
        rows = slice(k * n_a, (k + 1) * n_a)
        dW = np.concatenate([dW_hh[rows], dW_ih[rows]], axis=1)  # xpnet's W acts on [a; x]
        np.testing.assert_allclose(case.m * grads[f"dW{gate}1"], dW, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    ("library", "rows"),
    [("torch", ["xpnet[torch]", "torch Conv2d"]), ("jax", ["xpnet[jax, compiled]"])],
)
def test_a_missing_library_is_named_as_skipped_with_its_reason(library, rows, capsys, monkeypatch):
    real = layers.missing

    def fake(name):
        return (
            f"{name} is not installed (pip install 'xpnet[{name}]')"
            if name == library
            else real(name)
        )

    monkeypatch.setattr(layers, "missing", fake)
    assert (
        main(
            ["bench", "--quick", "--sections", "conv", "--only", "xpnet[numpy]," + ",".join(rows)]
        )
        == 0
    )
    out = capsys.readouterr().out
    for name in rows:
        assert (
            f"Skipped {name}: {library} is not installed (pip install 'xpnet[{library}]')" in out
        )
    if library == "torch":  # no peer: nothing to judge against
        assert out.count("xpnet[numpy]") == 2 and out.count("≤ 3×: not measured") == 2
        assert out.count("≤ 2×: not measured") == 2  # the skipped xpnet[torch], judged as such
    else:
        not_timed = "xpnet[jax, compiled]     not timed: jax is not installed"
        assert out.count(not_timed) == 2 and out.count("  torch Conv2d ") == 2


def test_only_keeps_a_sections_peer_and_an_unknown_section_is_a_clear_error(capsys):
    pytest.importorskip("torch")
    assert main(["bench", "--quick", "--sections", "rnn", "--only", "xpnet[numpy]"]) == 0
    out = capsys.readouterr().out
    assert "  xpnet[numpy]" in out and "  torch.nn.LSTM" in out and "  xpnet[torch]" not in out
    assert main(["bench", "--quick", "--sections", "dense,gpu"]) == 2
    assert "Invalid --sections" in capsys.readouterr().err


def test_bench_help_explains_the_sections(capsys):
    assert main(["bench", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("'conv'", "'rnn'", "Conv2d", "torch.nn.LSTM", "xpnet[torch] ≤ 2×", "≤ 1.5×"):
        assert words in text


# -- the harness ------------------------------------------------------------------------


def test_a_worker_gets_jax_64_bit_mode_only_for_float64_and_keras_on_jax(monkeypatch):
    seen = []

    def run(command, env, **kwargs):
        seen.append(env)
        failed = env["JAX_ENABLE_X64"] == "1"  # a failure reports its last line of stderr
        out = "" if failed else json.dumps({"seconds": 1.0})
        return spawn.subprocess.CompletedProcess(command, int(failed), out, "a\nValueError: why")

    monkeypatch.delenv("JAX_ENABLE_X64", raising=False)
    monkeypatch.setattr(spawn.subprocess, "run", run)
    assert spawn.spawn({"dtype": "float32"}) == {"seconds": 1.0}
    assert spawn.spawn({"dtype": "float64"}) == {"dtype": "float64", "error": "ValueError: why"}
    assert [env["JAX_ENABLE_X64"] for env in seen] == ["0", "1"]
    assert all(env["KERAS_BACKEND"] == "jax" for env in seen)


def test_quick_steps_write_a_table_json_and_markdown_to_a_fresh_folder(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no --out: a new folder here, never benchmarks/
    only = "xpnet[numpy],numpy (by hand)"
    args = ["--quick", "--only", only, "--dtypes", "float64", "--sections", "steps"]
    assert runner.main(args) == 0
    out = capsys.readouterr().out
    assert "Ceilings:" in out and "Targets:" in out and "Training" not in out
    (folder,) = tmp_path.glob("xpnet-bench-*")
    report = json.loads((folder / "results.json").read_text())
    rows = report["results"]
    assert {r["implementation"] for r in rows} == set(only.split(","))
    assert all("error" not in r and r["seconds"] > 0 and r["gflops"] >= 0 for r in rows)
    for r in rows:  # each row against the hand-written reference of its workload
        reference = next(
            s
            for s in rows
            if s["workload"] == r["workload"] and s["implementation"] == "numpy (by hand)"
        )
        assert r["vs_numpy"] == pytest.approx(r["seconds"] / reference["seconds"])
    assert {p["workload"] for p in report["paired"]} == {r["workload"] for r in rows}
    assert report["ceilings"][0]["matmul_gflops"]["float64"] > 0
    verdicts = {t["target"]: t["verdict"] for t in report["targets"]}
    assert verdicts["xpnet on NumPy ÷ scikit-learn MLPClassifier < 1"] == NOT_MEASURED
    assert all(verdicts[t["target"]] == NOT_MEASURED for t in training_targets({}))
    markdown = (folder / "RESULTS.md").read_text()
    for heading in ("## Ceilings", "## Targets", "xpnet[numpy]", "not measured"):
        assert heading in markdown


def test_the_harness_refuses_an_unknown_row_or_section(capsys):
    assert runner.main(["--quick", "--only", "xpnet[mxnet]"]) == 2
    assert "Invalid --only" in capsys.readouterr().err
    assert runner.main(["--quick", "--sections", "steps,gpu"]) == 2
    assert "Invalid --sections" in capsys.readouterr().err


# -- the rows' training, in this process at small sizes ---------------------------------


def test_an_xpnet_curve_learns_and_its_clock_runs():
    from benchmarks.harness.curves import time_to_accuracy

    config = {"task": "digits", "dtype": "float32", "implementation": "xpnet[numpy]"}
    curve = time_to_accuracy({**config, "epochs": 2})["curve"]
    assert len(curve) == 2 and 0 < curve[0][0] < curve[1][0]
    assert curve[1][1] > 0.3  # ten classes: chance is 0.1


@pytest.mark.slow  # Keras and JAX take seconds to import and compile
def test_keras_on_jax_trains_the_same_task(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # read once, when Keras is first imported
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # where Keras writes its configuration
    pytest.importorskip("jax")
    pytest.importorskip("keras", minversion="3")
    from benchmarks.harness.curves import time_to_accuracy

    config = {"task": "digits", "dtype": "float32", "implementation": "keras (jax)"}
    curve = time_to_accuracy({**config, "epochs": 2})["curve"]
    assert len(curve) == 2 and curve[1][1] > 0.3


def test_the_regression_race_reads_r2_curves_against_mlp_regressor():
    from benchmarks.harness import regression

    theirs = [[1.0, 0.5], [2.0, 0.9], [3.0, 0.95]]
    fast = [[0.5, 0.93], [1.0, 0.96]]
    curves = [
        {"implementation": "scikit-learn", "curve": theirs},
        {"implementation": "xpnet[numpy]", "curve": fast},
    ]
    ((what, ratio, bound),) = regression.race(curves)
    assert ratio == pytest.approx(1.0 / 3.0) and bound == 1.0 and "R² 0.950" in what
    slow = {"implementation": "xpnet[numpy]", "curve": [[1.0, 0.2]]}
    assert regression.race([curves[0], slow])[0][1] == float("inf")
    assert regression.race(curves[:1]) == []
    targets = {t["target"]: t for t in training_targets({"regression": curves})}
    (judged,) = [t for name, t in targets.items() if "MLPRegressor" in name]
    assert judged["verdict"] == "met"


def test_a_regressor_curve_learns_and_its_clock_runs():
    from benchmarks.harness.regression import time_to_r2

    config = {"implementation": "xpnet[numpy]", "dtype": "float64", "epochs": 2}
    curve = time_to_r2(config)["curve"]
    assert len(curve) == 2 and 0 < curve[0][0] < curve[1][0]
    assert curve[1][1] > 0.5  # R² of the mean's prediction: 0

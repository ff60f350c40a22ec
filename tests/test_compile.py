"""The compiled step (xpnet.compiled): equal to the eager loop, traced once per variant, and
invisible to everything around it (warm start, partial_fit, early stopping, files).

JAX compiles in about a second, so its tests run by default; torch.compile's inductor
takes tens of seconds a variant on a small CPU, so the inductor runs are ``slow``, and
the default run checks PyTorch's trace (dynamo, fullgraph) with its "eager" backend.
"""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import xpnet
from xpnet import compiled
from xpnet.compiled import CompiledStep, compiled_step, compiler_for
from xpnet.network import Network
from xpnet.optimizers import get_optimizer
from xpnet.step import train_step
from xpnet.training import TrainingConfig, TrainingState, train

OPTIMIZERS = ["gd", "momentum", "rmsprop", "adam"]


def data(m=160, n_x=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    labels = (X[0] + X[1] > 0).astype(int) + (X[2] > 0.5)
    return X, np.eye(3)[labels].T


def start(backend, dims=(6, 16, 8, 3), seed=1):
    rng = np.random.RandomState(seed)
    p = {}
    for l in range(1, len(dims)):  # noqa: E741
        p[f"W{l}"] = backend.put(rng.randn(dims[l], dims[l - 1]) * 0.5)
        p[f"b{l}"] = backend.put(rng.randn(dims[l], 1) * 0.1)
    return p


def run_steps(backend, optimizer, jit_compile, *, epochs=20, batch_size=32, cost_every=1):
    """epochs × m/batch_size steps with L2, dropout and an inverse-time decay."""
    X, Y = data()
    network = Network.dense(3, "relu", "softmax", keep_prob=0.8, l2=0.05)
    opt = get_optimizer(optimizer)
    config = TrainingConfig(
        network,
        opt,
        0.01,
        lr_decay="inverse_time",
        decay_rate=0.3,
        batch_size=batch_size,
        cost_every=cost_every,
        jit_compile=jit_compile,
    )
    p = start(backend)
    state = TrainingState(p, opt.init(p), seed=3)
    state = train(config, state, backend.put(X), backend.put(Y), xp=backend.xp, epochs=epochs)
    return state, config


def assert_same_parameters(a, b, tol):
    """Two parameter dicts equal to ``tol``, each array compared on the host."""
    for name in a:
        np.testing.assert_allclose(
            xpnet.to_numpy(a[name]), xpnet.to_numpy(b[name]), rtol=tol, atol=tol, err_msg=name
        )


def assert_same_run(a, b, tol):
    assert_same_parameters(a.parameters, b.parameters, tol)
    np.testing.assert_allclose(a.costs, b.costs, rtol=tol)
    assert a.optimizer_state.get("t") == b.optimizer_state.get("t")


@pytest.fixture
def jax_backend(request):
    pytest.importorskip("jax")
    dtype = getattr(request, "param", "float64")
    with xpnet.use_backend("jax", dtype=dtype) as b:
        yield b


# -- JAX: compiled equals eager, and one trace per variant ---------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize(
    "jax_backend, tol", [("float32", 1e-6), ("float64", 1e-12)], indirect=["jax_backend"]
)
def test_jax_compiled_step_equals_eager(jax_backend, tol, optimizer):
    """100 steps with L2, dropout and a decaying rate: the same parameters and costs."""
    eager, _ = run_steps(jax_backend, optimizer, False)
    fast, _ = run_steps(jax_backend, optimizer, True)
    assert eager.optimizer_state.get("t", 100) == 100
    assert_same_run(fast, eager, tol)
    assert isinstance(fast.optimizer_state.get("t", 0), int)  # a model file holds an int


def test_one_trace_per_variant_across_a_decaying_rate(jax_backend):
    compiled_step.cache_clear()
    X, Y = data(m=100)
    network = Network.dense(2, "tanh", "softmax", l2=0.125)
    opt = get_optimizer("adam")
    config = TrainingConfig(
        network, opt, 0.1, lr_decay="exponential", batch_size=32, cost_every=3, jit_compile=True
    )
    p = start(jax_backend, dims=(6, 5, 3))
    state = TrainingState(p, opt.init(p))
    Xb, Yb = jax_backend.put(X), jax_backend.put(Y)
    state = train(config, state, Xb, Yb, xp=jax_backend.xp, epochs=7)
    step = compiled_step(network, opt, "jax", jax_backend.xp)
    # Batches of 32 and a last one of 4, each with its loss (the loss curve): two programs.
    assert step.traces == 2
    train(config, state, Xb, Yb, xp=jax_backend.xp, epochs=5)  # a warm start reuses them
    assert step.traces == 2


@pytest.mark.parametrize("jax_backend", ["float32", "float64"], indirect=True)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"keep_prob": 0.8, "batch_size": 50},
        {"shuffle": False, "clip_norm": 0.5},
        {"weighted": True},  # weighted fits step through gathered batches
    ],
)
def test_a_step_that_gathers_its_batch_computes_what_a_gathered_batch_gives(
    jax_backend, monkeypatch, params
):
    """The step that gathers its own batch inside its program (and donates the state)
    gives the numbers of the compiled step on a batch gathered before it. They are the
    same to the bit here (the batch enters the step through an optimisation barrier);
    the bound is the rounding that two programs of another XLA release may differ by,
    far below what any other batch would give."""
    params = dict(params)
    weights = np.linspace(0.5, 2, 120) if params.pop("weighted", False) else None
    X, y = estimator_data()
    runs = []
    for gathers in (True, False):
        compiled_step.cache_clear()
        if not gathers:  # the gathering program refused: each batch is gathered, then stepped
            monkeypatch.setitem(compiled.GATHERING, "jax", lambda *args: None)
        m = deep(num_iterations=3, jit_compile=True, tol=None, **params)
        m.fit(X, y, sample_weight=weights).partial_fit(X, y, sample_weight=weights)
        runs.append(m)
    compiled_step.cache_clear()
    tol = 1e-6 if xpnet.backend.dtype_name(jax_backend.dtype) == "float32" else 1e-12
    np.testing.assert_allclose(runs[0].loss_curve_, runs[1].loss_curve_, rtol=tol)
    assert_same_model(runs[0], runs[1], tol=tol)


def test_the_state_a_gathering_step_consumes_is_a_copy(jax_backend):
    """Donation never reaches arrays held outside the run: the model's earlier
    parameters, a callback's, the best ones."""
    X, y = estimator_data()
    seen = []
    m = deep(num_iterations=3, jit_compile=True).fit(X, y, callback=seen.append)
    before = m.parameters_
    m.partial_fit(X, y)
    for parameters in [before, *(e.parameters for e in seen)]:
        assert all(np.isfinite(xpnet.to_numpy(v)).all() for v in parameters.values())
    assert not np.array_equal(xpnet.to_numpy(before["W1"]), xpnet.to_numpy(m.parameters_["W1"]))
    stopped = deep(num_iterations=30, early_stopping=True, jit_compile=True).fit(X, y)
    assert all(np.isfinite(xpnet.to_numpy(v)).all() for v in stopped.parameters_.values())


# -- JAX: what stays the same with compilation on ------------------------------------


def estimator_data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.8)
    return X, y


def deep(**params):
    base = {"hidden_layer_sizes": (8,), "batch_size": 32, "random_state": 0, "l2": 1e-3}
    return xpnet.DeepNet(**{**base, **params})


def assert_same_model(a, b, tol=1e-10):
    assert_same_parameters(a.parameters_, b.parameters_, tol)


def test_warm_start_and_partial_fit_compiled_equal_eager(jax_backend):
    X, y = estimator_data()
    models = {}
    for jit in (False, True):
        m = deep(num_iterations=3, warm_start=True, jit_compile=jit, keep_prob=0.9)
        m.fit(X, y).fit(X, y)
        m.partial_fit(X, y)
        models[jit] = m
    assert_same_model(models[True], models[False])
    assert models[True].optimizer_state_["t"] == models[False].optimizer_state_["t"]
    assert models[True].epochs_trained_ == 7 and models[True].n_iter_ == 1


def test_early_stopping_keeps_valid_best_parameters_when_compiled(jax_backend):
    X, y = estimator_data(200)
    kept = []
    models = {}
    for jit in (False, True):
        m = deep(num_iterations=30, early_stopping=True, learning_rate=0.05, jit_compile=jit)
        models[jit] = m.fit(X, y, callback=kept.append)
    assert_same_model(models[True], models[False])
    assert models[True].best_validation_score_ == models[False].best_validation_score_
    # Every set of parameters handed to a callback is still readable after training.
    for event in kept:
        assert all(np.isfinite(xpnet.to_numpy(P)).all() for P in event.parameters.values())
    assert models[True].predict(X).shape == (200,)


def test_save_resume_and_pickle_with_compilation(jax_backend, tmp_path):
    X, y = estimator_data()
    whole = deep(num_iterations=6, jit_compile=True, tol=None).fit(X, y)
    half = deep(num_iterations=3, jit_compile=True, tol=None, warm_start=True).fit(X, y)
    path = half.save(tmp_path / "half.npz")
    resumed = xpnet.load(path).set_params(num_iterations=3).fit(X, y)
    assert_same_model(resumed, whole)
    again = pickle.loads(pickle.dumps(whole))
    np.testing.assert_array_equal(again.predict_proba(X), whole.predict_proba(X))
    # A model file holds the same things, compiled or not.
    eager = deep(num_iterations=6, jit_compile=False, tol=None).fit(X, y)
    (h1, a1), (h2, a2) = whole.to_state(), eager.to_state()
    assert sorted(a1) == sorted(a2)
    assert h1.keys() == h2.keys()
    assert h1["optimizer_t"] == h2["optimizer_t"] == 6 * 4  # an int, 4 batches an epoch
    assert type(h1["optimizer_t"]) is int


def test_xpnet_never_switches_on_jax_64_bit_mode(tmp_path):
    pytest.importorskip("jax")
    code = (
        "import numpy as np, xpnet, jax\n"
        "X = np.random.RandomState(0).randn(50, 3); y = X[:, 0] > 0\n"
        "with xpnet.use_backend('jax'):\n"
        "    m = xpnet.DeepNet(num_iterations=2, jit_compile=True).fit(X, y)\n"
        "print(jax.config.jax_enable_x64, m.parameters_['W1'].dtype)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "float32"]


# -- the switch ---------------------------------------------------------------------


def test_auto_compiles_on_jax_only_and_reads_the_environment(monkeypatch):
    import array_api_compat.numpy as np_xp

    monkeypatch.delenv("XPNET_COMPILE", raising=False)
    assert compiler_for("auto", np_xp) is None
    assert compiler_for(False, np_xp) is None
    with pytest.raises(ValueError, match="Invalid jit_compile=True"):
        compiler_for(True, np_xp)
    with pytest.raises(ValueError, match="Expected one of"):
        compiler_for("yes", np_xp)
    jax = pytest.importorskip("jax")
    assert compiler_for("auto", jax.numpy) == "jax"
    assert compiler_for("auto", jax.numpy, in_memory=False) is None
    monkeypatch.setenv("XPNET_COMPILE", "0")  # read when asked, not at import
    assert compiler_for("auto", jax.numpy) is None
    assert compiler_for(True, jax.numpy) == "jax"  # an explicit choice wins
    monkeypatch.setenv("XPNET_COMPILE", "maybe")
    with pytest.raises(ValueError, match="Invalid XPNET_COMPILE"):
        compiler_for("auto", jax.numpy)


def test_the_estimators_validate_jit_compile():
    X, y = estimator_data()
    with pytest.raises(ValueError, match="Invalid jit_compile"):
        deep(jit_compile="always").fit(X, y)
    with pytest.raises(ValueError, match="Invalid jit_compile=True"):
        deep(jit_compile=True).fit(X, y)  # NumPy does not compile


def test_a_failed_compilation_warns_once_on_auto_and_raises_on_true(jax_backend, monkeypatch):
    def broken(step, with_loss):
        def fail(*args, **kwargs):
            raise TypeError("a step that cannot be traced")

        return fail

    monkeypatch.setitem(compiled.COMPILERS, "jax", broken)
    monkeypatch.setitem(compiled.GATHERING, "jax", lambda step, axis, rows: broken(step, True))
    monkeypatch.setattr(compiled, "_warned", set())
    compiled_step.cache_clear()
    X, y = estimator_data()
    eager = deep(num_iterations=2, jit_compile=False).fit(X, y)
    with pytest.warns(RuntimeWarning, match="Could not compile the training step") as caught:
        model = deep(num_iterations=2).fit(X, y)
    assert len([w for w in caught if "Could not compile" in str(w.message)]) == 1
    assert_same_model(model, eager)
    compiled_step.cache_clear()
    with pytest.raises(RuntimeError, match="a step that cannot be traced"):
        deep(num_iterations=2, jit_compile=True).fit(X, y)
    compiled_step.cache_clear()


# -- PyTorch: one graph, and the same numbers -----------------------------------------


@pytest.mark.parametrize(
    "hidden, output, weighted",
    [
        ("relu", "softmax", False),
        ("sigmoid", "sigmoid", True),
        ("tanh", "softmax", True),
        ("leaky_relu", "sigmoid", False),
    ],
)
def test_torch_step_is_one_graph_without_breaks(hidden, output, weighted):
    """dynamo's own report: the step, with L2, dropout masks and weights, is one graph."""
    pytest.importorskip("torch")
    import torch._dynamo

    with xpnet.use_backend("torch", "cpu") as b:
        n_y = 3 if output == "softmax" else 1
        network = Network.dense(3, hidden, output, keep_prob=0.8, l2=0.05)
        opt = get_optimizer("adam")
        p = start(b, dims=(6, 16, 8, n_y))
        X, Y = data(m=40)
        state, _ = CompiledStep(network, opt, "torch", b.xp).enter(opt.init(p), p["W1"])
        masks = network.draw_masks(np.random.RandomState(0), p, X.shape, xp=b.xp)
        w = b.put(np.linspace(0, 2, 40)[None, :]) if weighted else None
        rate = b.put(np.asarray(0.01))

        def one_step(*args):
            return train_step(network, opt, *args, with_loss=True, xp=b.xp)

        report = torch._dynamo.explain(one_step)(
            p, state, b.put(X), b.put(Y[:n_y]), w, masks, rate
        )
        assert report.graph_break_count == 0, report.break_reasons
        assert report.graph_count == 1


def test_torch_compiled_loop_traces_once_per_variant(monkeypatch):
    """The whole compiled loop on PyTorch, traced by dynamo (fullgraph) and run by its
    "eager" backend: the same numbers as the eager loop, one trace per variant."""
    pytest.importorskip("torch")
    monkeypatch.setattr(compiled, "TORCH_BACKEND", "eager")
    compiled_step.cache_clear()
    with xpnet.use_backend("torch", "cpu", "float64") as torch_backend:
        eager, _ = run_steps(torch_backend, "adam", False, epochs=6)
        fast, config = run_steps(torch_backend, "adam", True, epochs=6)
        assert_same_run(fast, eager, 1e-12)
        step = compiled_step(config.network, config.optimizer, "torch", torch_backend.xp)
        assert step.traces == 1  # batches of 32, all with the loss
    compiled_step.cache_clear()


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("dtype, tol", [("float32", 1e-6), ("float64", 1e-12)])
def test_torch_compiled_step_equals_eager(optimizer, dtype, tol):
    """torch.compile with inductor: 100 full-batch steps, one program each."""
    torch = pytest.importorskip("torch")
    torch.compiler.reset()  # dynamo's guards from earlier tests' programs count for nothing
    compiled_step.cache_clear()
    with xpnet.use_backend("torch", "cpu", dtype) as torch_backend:
        eager, _ = run_steps(torch_backend, optimizer, False, epochs=100, batch_size=None)
        fast, config = run_steps(torch_backend, optimizer, True, epochs=100, batch_size=None)
        assert_same_run(fast, eager, tol)
        step = compiled_step(config.network, config.optimizer, "torch", torch_backend.xp)
        assert step.traces == 1
    compiled_step.cache_clear()

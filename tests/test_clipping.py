"""Gradient clipping as an option of the training loop (``TrainingConfig(clip_value=,
clip_norm=)``, every estimator's ``clip_value`` and ``clip_norm``): the step's update is
the hand-clipped one, the norm is PyTorch's ``clip_grad_norm_``, the compiled steps and
the Dask block steps clip as the eager one does."""

import json

import numpy as np
import pytest

import xpnet
from xpnet import clipping
from xpnet.compiled import CompiledStep
from xpnet.exceptions import DivergenceError
from xpnet.network import Network
from xpnet.optimizers import get_optimizer
from xpnet.step import train_step
from xpnet.training import TrainingConfig, TrainingState, train

RATE = 0.1


def tiny(backend, seed=0, m=7):
    """A 3 → 4 → 2 network (tanh, softmax) with large weights, its parameters and a batch,
    on ``backend`` in float64 (gradients large enough for the thresholds to bite)."""
    rng = np.random.RandomState(seed)
    host = {
        "W1": 3 * rng.randn(4, 3),
        "b1": rng.randn(4, 1),
        "W2": 3 * rng.randn(2, 4),
        "b2": rng.randn(2, 1),
    }
    X = 4 * rng.randn(3, m)
    Y = np.eye(2)[rng.randint(0, 2, m)].T
    return Network.dense(2, "tanh", "softmax"), host, X, Y


def step_on(backend, clip, seed=0):
    """One plain gradient-descent step with ``clip``: the host gradients it clipped
    (unclipped, as the network computes them), the parameters before and after."""
    network, host, X, Y = tiny(backend, seed)
    p = {k: backend.put(v) for k, v in host.items()}
    grads, _ = network.gradients(backend.put(X), backend.put(Y), p, xp=backend.xp)
    grads = {k: xpnet.to_numpy(v) for k, v in grads.items()}
    gd = get_optimizer("gd")
    new, _, _ = train_step(
        network, gd, p, gd.init(p), backend.put(X), backend.put(Y), None, (), RATE,
        with_loss=False, xp=backend.xp, clip=clip,
    )  # fmt: skip
    return grads, host, {k: xpnet.to_numpy(v) for k, v in new.items()}


def by_hand(grads, clip_value, clip_norm):
    """The clipped gradients, by NumPy: np.clip, then min(1, c / (‖g‖ + 10⁻⁶)) · g."""
    if clip_value is not None:
        grads = {k: np.clip(g, -clip_value, clip_value) for k, g in grads.items()}
    if clip_norm is not None:
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        grads = {k: g * min(1.0, clip_norm / (norm + 1e-6)) for k, g in grads.items()}
    return grads


@pytest.mark.parametrize(
    "clip", [(0.05, None), (None, 0.3), (0.05, 0.03)], ids=["value", "norm", "value-then-norm"]
)
def test_the_step_applies_the_hand_clipped_update(backend, float64, clip):
    grads, before, after = step_on(backend, clip)
    largest = max(np.abs(g).max() for g in grads.values())
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    assert largest > 2 * 0.05 and norm > 2 * 0.3  # each threshold changes the step
    clipped = by_hand(grads, *clip)
    for name in before:
        expected = before[name] - RATE * clipped["d" + name]  # W = W − α · clip(dW)
        np.testing.assert_allclose(after[name], expected, rtol=1e-12, atol=1e-15, err_msg=name)


def test_without_thresholds_the_step_is_unchanged(backend, float64):
    grads, before, after = step_on(backend, (None, None))
    for name in before:
        expected = before[name] - RATE * grads["d" + name]
        np.testing.assert_allclose(after[name], expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("scale", [30.0, 1e-3], ids=["clipped", "kept"])
def test_clip_norm_is_torchs_clip_grad_norm(backend, float64, scale):
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(4)
    host = {"dW1": scale * rng.randn(5, 3), "db1": scale * rng.randn(5, 1), "dW2": rng.randn(1, 5)}
    tensors = [
        torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in host.values()
    ]
    for t, g in zip(tensors, host.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_norm_(tensors, max_norm=2.0)
    ours = clipping.clip_by_global_norm({k: backend.put(g) for k, g in host.items()}, 2.0)
    for (name, g), t in zip(ours.items(), tensors, strict=True):
        np.testing.assert_allclose(xpnet.to_numpy(g), t.grad.numpy(), rtol=1e-12, err_msg=name)


# -- in the training loop: a diverging fit kept finite, compiled, on Dask blocks ---------


def exploding_data(m=200, seed=0):
    rng = np.random.RandomState(seed)
    X = 50 * rng.randn(m, 4)
    return X, (X[:, 0] > 0).astype(int)


def test_finite_gradients_whose_squares_overflow_are_scaled_not_zeroed(backend):
    """Σ g² of float32 entries of 10²⁰ is infinite (torch's clip_grad_norm_ then zeroes
    the gradients): the norm is taken scaled, and the direction kept."""
    huge = np.full((2, 2), 1e20)
    huge[0, 0] = -1e20
    grads = {"dW1": backend.put(huge, "float32"), "db1": backend.put(np.zeros((2, 1)), "float32")}
    with np.errstate(over="ignore"):
        clipped = clipping.clip_by_global_norm(grads, 1.0, xp=backend.xp)
    np.testing.assert_allclose(xpnet.to_numpy(clipped["dW1"]), np.sign(huge) / 2, rtol=1e-6)
    np.testing.assert_array_equal(xpnet.to_numpy(clipped["db1"]), 0)
    zeros = {"dW1": backend.put(np.zeros((2, 2)))}  # all zero: left as it is, never 0 / 0
    assert not np.any(xpnet.to_numpy(clipping.clip_by_global_norm(zeros, 1.0)["dW1"]))


def test_clip_norm_keeps_an_exploding_deep_net_finite():
    """Leaky ReLUs started at N(0, 3²): the gradients explode and plain gradient descent
    overflows to nan; clipped to a norm of 1, the same fit stays finite and learns."""
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    y = (X[:, 0] > 0).astype(int)
    settings = dict(
        optimizer="gd", learning_rate=1.0, num_iterations=30, tol=None, random_state=0,
        l2=0.0, activation="leaky_relu", initialization="random", scale=3.0, batch_size=None,
    )  # fmt: skip
    with xpnet.use_backend("numpy"), np.errstate(all="ignore"):
        with pytest.raises(DivergenceError, match="diverged"):
            xpnet.DeepNet((16, 16, 16, 16), **settings).fit(X, y)
        model = xpnet.DeepNet((16, 16, 16, 16), clip_norm=1.0, **settings).fit(X, y)
    assert np.isfinite(model.loss_curve_).all()
    assert model.loss_curve_[-1] < model.loss_curve_[0] / 100
    assert all(np.isfinite(p).all() for p in model.parameters_.values())


def run(backend, jit_compile, clip, scan=False):
    network, host, X, Y = tiny(backend, m=40)
    opt = get_optimizer("momentum")  # Adam would magnify rounding in saturated tanh units
    config = TrainingConfig(
        network, opt, RATE, batch_size=8, jit_compile=jit_compile, scan=scan,
        clip_value=clip[0], clip_norm=clip[1],
    )  # fmt: skip
    p = {k: backend.put(v) for k, v in host.items()}
    state = TrainingState(p, opt.init(p), seed=2)
    return train(config, state, backend.put(X), backend.put(Y), xp=backend.xp, epochs=6)


@pytest.mark.parametrize("scan", [False, True], ids=["steps", "scan"])
def test_the_jax_compiled_step_clips_as_the_eager_one(scan):
    pytest.importorskip("jax")
    with xpnet.use_backend("jax", dtype="float64") as b:
        eager = run(b, False, (0.05, 0.03))
        fast = run(b, True, (0.05, 0.03), scan=scan)
        unclipped = run(b, True, (None, None))
    for name, v in eager.parameters.items():
        np.testing.assert_allclose(
            xpnet.to_numpy(fast.parameters[name]), xpnet.to_numpy(v), rtol=1e-12, atol=1e-15
        )
        assert not np.allclose(xpnet.to_numpy(unclipped.parameters[name]), xpnet.to_numpy(v))


def test_the_torch_step_with_clipping_is_one_graph():
    pytest.importorskip("torch")
    import torch._dynamo

    with xpnet.use_backend("torch", "cpu", dtype="float64") as b:
        network, host, X, Y = tiny(b)
        opt = get_optimizer("adam")
        p = {k: b.put(v) for k, v in host.items()}
        state, _ = CompiledStep(network, opt, "torch", b.xp).enter(opt.init(p), p["W1"])

        def one_step(*args):
            return train_step(network, opt, *args, with_loss=True, xp=b.xp, clip=(0.05, 0.3))

        report = torch._dynamo.explain(one_step)(
            p, state, b.put(X), b.put(Y), None, (), b.put(np.asarray(RATE))
        )
    assert report.graph_break_count == 0, report.break_reasons
    assert report.graph_count == 1


def test_dask_block_steps_clip_as_in_memory():
    da = pytest.importorskip("dask.array")
    X, y = exploding_data(m=120)
    settings = dict(num_iterations=4, tol=None, random_state=0, batch_size=None, clip_norm=0.5)
    with xpnet.use_backend("numpy"):
        reference = xpnet.DeepNet((6,), **settings).fit(X, y)
        model = xpnet.DeepNet((6,), **settings).fit(da.from_array(X, 40), da.from_array(y, 40))
        unclipped = xpnet.DeepNet((6,), **{**settings, "clip_norm": None}).fit(X, y)
    for name, v in reference.parameters_.items():
        np.testing.assert_allclose(model.parameters_[name], v, rtol=1e-12, atol=1e-15)
    assert not np.allclose(unclipped.parameters_["W1"], reference.parameters_["W1"])


# -- the hyperparameters: checked, saved, and absent from older files ----------------------


@pytest.mark.parametrize("name", ["clip_value", "clip_norm"])
@pytest.mark.parametrize("value", [-1, 0, "5", True, float("nan")])
def test_invalid_thresholds_are_refused(name, value):
    with pytest.raises(ValueError, match=rf"^Invalid {name}\. Expected .*Received: {name}="):
        TrainingConfig(Network.dense(2), get_optimizer("gd"), 0.1, **{name: value})
    with pytest.raises(ValueError, match=rf"^Invalid {name}\. Expected .*Received: {name}="):
        xpnet.DeepNet((3,), **{name: value}).fit(*exploding_data(m=20))


def test_the_message_names_the_value():
    with pytest.raises(ValueError) as error:
        xpnet.DeepNet((3,), clip_norm=-1).fit(*exploding_data(m=20))
    message = str(error.value)
    assert message.startswith("Invalid clip_norm. Expected") and message.endswith("clip_norm=-1")


def test_thresholds_are_saved_and_older_files_load(tmp_path):
    X, y = exploding_data(m=60)
    with xpnet.use_backend("numpy"):
        model = xpnet.DeepNet((5,), clip_value=2.5, clip_norm=1.0, num_iterations=3).fit(X, y)
        path = model.save(tmp_path / "m.npz")
        loaded = xpnet.load(path)
        assert (loaded.clip_value, loaded.clip_norm) == (2.5, 1.0)
        with np.load(path) as f:
            arrays = dict(f)
        header = json.loads(str(arrays["header"]))
        del header["hyperparameters"]["clip_value"], header["hyperparameters"]["clip_norm"]
        arrays["header"] = np.asarray(json.dumps(header))
        with open(path, "wb") as f:
            np.savez(f, **arrays)
        older = xpnet.load(path)
    assert (older.clip_value, older.clip_norm) == (None, None)
    np.testing.assert_array_equal(older.predict(X), model.predict(X))

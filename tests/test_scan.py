"""Whole epochs compiled on JAX (xpnet.scan): the same numbers as step by step."""

import os
import signal

import numpy as np
import pytest

import xpnet
import xpnet.scan
from conftest import assert_close
from xpnet.datasets import make_planar
from xpnet.network import Network
from xpnet.optimizers import Adam, GradientDescent
from xpnet.scan import scanned_steps, scans
from xpnet.training import TrainingConfig, TrainingState, train


@pytest.fixture
def jax_backend():
    pytest.importorskip("jax")
    with xpnet.use_backend("jax", dtype="float64") as b:
        yield b


def fit(b, scan, callback=None, tol=None, epochs=4):
    rng = np.random.RandomState(0)
    X = rng.randn(3, 70)
    Y = ((X[0] - X[1]) > 0)[None, :] * 1.0
    w = rng.uniform(0.5, 2, (1, 70))
    network = Network.dense(3, "relu", keep_prob=0.8, l2=0.01)
    p = {}
    for l, (n, n_prev) in enumerate([(5, 3), (4, 5), (1, 4)], start=1):  # noqa: E741
        p[f"W{l}"] = b.put(rng.randn(n, n_prev) / np.sqrt(n_prev))
        p[f"b{l}"] = b.put(np.zeros((n, 1)))
    config = TrainingConfig(
        network, Adam(), 0.01, batch_size=16, jit_compile=True, scan=scan, tol=tol
    )
    state = TrainingState(p, Adam().init(p), seed=4)
    return train(
        config, state, b.put(X), b.put(Y), weights=b.put(w), epochs=epochs,
        callback=callback, xp=b.xp,
    )  # fmt: skip


def test_a_scanned_epoch_equals_its_steps(jax_backend):
    """Batches of 16 of 70: four in one scan, then the shorter last one, masks and all."""
    scanned_steps.cache_clear()
    stepped, scanned = fit(jax_backend, False), fit(jax_backend, True)
    assert scanned_steps.cache_info().currsize == 1
    assert scanned.epoch == 4 and scanned.optimizer_state["t"] == 4 * 5
    assert_close(np.asarray(scanned.loss_curve), np.asarray(stepped.loss_curve), rtol=1e-12)
    for k, v in stepped.parameters.items():
        assert_close(scanned.parameters[k], v, rtol=1e-12, atol=1e-15)


def test_callbacks_and_the_stopping_rule_keep_their_epochs(jax_backend):
    seen = []
    state = fit(jax_backend, True, callback=lambda e: seen.append(e.epoch) or e.epoch == 1)
    assert seen == [0, 1] and state.stopped == "callback" and len(state.loss_curve) == 2
    stopped = fit(jax_backend, True, tol=10.0, epochs=30)
    assert stopped.stopped == "converged" and stopped.epoch < 30


def full_batch(b, scan, callback=None, epochs=250, **options):
    """The planar fit's model (2-4-1 tanh, gradient descent) on the full batch."""
    X, y = make_planar()
    rng = np.random.RandomState(2)
    p = {"W1": rng.randn(4, 2) * 0.01, "b1": np.zeros((4, 1))}
    p |= {"W2": rng.randn(1, 4) * 0.01, "b2": np.zeros((1, 1))}
    keep_prob = options.pop("keep_prob", 1.0)
    network = Network.dense(2, "tanh", keep_prob=keep_prob)
    compile_ = options.pop("jit_compile", True)
    config = TrainingConfig(
        network, GradientDescent(), 1.2, jit_compile=compile_, scan=scan, cost_every=100, **options
    )
    state = TrainingState({k: b.put(v) for k, v in p.items()}, {}, seed=3)
    Y = b.put(y.reshape(1, -1) * 1.0)
    return train(config, state, b.put(X.T), Y, epochs=epochs, callback=callback, xp=b.xp)


def test_a_scanned_full_batch_fit_equals_its_steps(jax_backend):
    """Every epoch the same batch: 250 epochs in one scan, costs and parameters as stepped."""
    scanned_steps.cache_clear()
    stepped, scanned = full_batch(jax_backend, False), full_batch(jax_backend, True)
    assert scanned_steps.cache_info().currsize == 1
    assert scanned.epoch == stepped.epoch == 250
    assert scanned.cost_epochs == stepped.cost_epochs == [0, 100, 200]
    assert_close(np.asarray(scanned.costs), np.asarray(stepped.costs), rtol=1e-12)
    assert_close(np.asarray(scanned.loss_curve), np.asarray(stepped.loss_curve), rtol=1e-12)
    for k, v in stepped.parameters.items():
        assert_close(scanned.parameters[k], v, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    "options",
    [{"lr_decay": "inverse_time", "decay_rate": 0.5, "time_interval": 10}, {"keep_prob": 0.7}],
)
def test_rates_and_masks_of_a_scanned_full_batch_fit_are_the_steps(jax_backend, options):
    stepped = full_batch(jax_backend, False, epochs=60, **dict(options))
    scanned = full_batch(jax_backend, True, epochs=60, **dict(options))
    assert_close(np.asarray(scanned.loss_curve), np.asarray(stepped.loss_curve), rtol=1e-10)
    for k, v in stepped.parameters.items():
        assert_close(scanned.parameters[k], v, rtol=1e-10, atol=1e-15)


def test_a_callback_sees_every_epoch_of_a_full_batch_fit_that_would_scan(jax_backend, monkeypatch):
    """A callback is called after every epoch, as stepped: the fit does not scan, and
    returning True stops there."""
    calls = []
    monkeypatch.setattr(xpnet.training, "run_epochs", lambda *a: calls.append(a))
    stepped_events, events = [], []
    full_batch(jax_backend, False, callback=stepped_events.append, epochs=30)
    full_batch(jax_backend, True, callback=events.append, epochs=30)
    assert calls == [] and [e.epoch for e in events] == list(range(30))
    for event, stepped in zip(events, stepped_events, strict=True):
        assert event.cost == stepped.cost
    state = full_batch(jax_backend, True, callback=lambda e: e.epoch == 10)
    assert state.stopped == "callback" and state.epoch == 11 and len(state.loss_curve) == 11


def test_the_scan_is_on_by_default_for_full_batch_fits_compiled_on_jax(monkeypatch):
    """(mini-batch epochs, full-batch epochs): "auto" scans the full batch only."""
    assert TrainingConfig(Network.dense(2), GradientDescent(), 0.1).scan == "auto"
    monkeypatch.delenv("XPNET_SCAN", raising=False)
    assert scans("auto", "jax") == (False, True) and scans(True, "jax") == (True, True)
    assert scans("auto", "torch") == scans(True, None) == scans(False, "jax") == (False, False)
    monkeypatch.setenv("XPNET_SCAN", "0")
    assert scans("auto", "jax") == (False, False) and scans(True, "jax") == (True, True)
    monkeypatch.setenv("XPNET_SCAN", "1")
    assert scans("auto", "jax") == (True, True)
    monkeypatch.setenv("XPNET_SCAN", "sometimes")
    with pytest.raises(ValueError, match="Invalid XPNET_SCAN"):
        scans("auto", "jax")
    with pytest.raises(ValueError, match="Invalid scan"):
        scans("yes", "jax")


def test_ctrl_c_stops_a_scanned_full_batch_fit_at_the_end_of_its_scan(jax_backend, monkeypatch):
    """Ctrl-C pressed while the second scan (epochs 100 … 199) runs: it runs to its end,
    and the state holds it whole."""
    monkeypatch.setattr(xpnet.scan, "MAX_EPOCHS", 100)
    scans_run = []

    def run_epochs(fit, state, epoch, k):
        scans_run.append(epoch)
        if len(scans_run) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return xpnet.scan.run_epochs(fit, state, epoch, k)

    monkeypatch.setattr(xpnet.training, "run_epochs", run_epochs)
    with pytest.warns(xpnet.exceptions.TrainingInterrupted, match="after 200 epochs"):
        state = full_batch(jax_backend, True)
    assert scans_run == [0, 100] and state.stopped == "interrupted" and state.epoch == 200
    assert len(state.loss_curve) == 200


def test_a_scan_that_does_not_compile_leaves_the_fit_to_its_steps(jax_backend, monkeypatch):
    """As a compiled step that does not compile falls back to eager steps, unless
    jit_compile=True asked for compilation."""

    def fails(*args, **kwargs):
        def scan(*args):
            raise TypeError("not traceable")

        return scan

    stepped = full_batch(jax_backend, False, epochs=30)
    monkeypatch.setattr(xpnet.scan, "scanned_steps", fails)
    fallen_back = full_batch(jax_backend, True, epochs=30, jit_compile="auto")
    assert_close(np.asarray(fallen_back.loss_curve), np.asarray(stepped.loss_curve), rtol=1e-12)
    with pytest.raises(TypeError, match="not traceable"):
        full_batch(jax_backend, True, epochs=30)

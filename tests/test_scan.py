"""Whole epochs compiled on JAX (xpnet.scan): the same numbers as step by step."""

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet.network import Network
from xpnet.optimizers import Adam
from xpnet.scan import scanned_steps
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

"""The course's functions check the shapes the course states, and never broadcast.

Examples are columns here: X of shape (n_x, m), Y of shape (1, m). The functions are
looked up in ``xpnet.course`` when it exists, else at the top level, else in the module
that holds them today.
"""

from __future__ import annotations

import importlib
import math
import numbers

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

from .oracle import attempt, host, refused
from .strategies import PROFILES, check_all

_HOMES = {
    "propagate": "xpnet.models.logistic",
    "L_model_forward": "xpnet.network",
    "random_mini_batches": "xpnet.batches",
    "initialize_parameters": "xpnet.initializers",
    "update_parameters_with_adam": "xpnet.optimizers",
    "initialize_adam": "xpnet.optimizers",
    "compute_cost": "xpnet.losses",
    "dropout_forward": "xpnet.layers",
}


def course(name: str):
    """The course's function ``name``, wherever xpnet keeps it."""
    for module in ("xpnet.course", "xpnet", _HOMES[name]):
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    pytest.fail(f"xpnet has no {name}")


sizes = st.integers(1, 4)
examples = st.integers(0, 6)


def _shape(name: str, n_x: int, m: int) -> tuple[int, ...]:
    return {
        "(1, m)": (1, m),
        "(m, 1)": (m, 1),
        "(m,)": (m,),
        "(1, m + 1)": (1, m + 1),
        "(n_x, 1)": (n_x, 1),
        "(1, n_x)": (1, n_x),
        "(n_x,)": (n_x,),
        "(n_x + 1, 1)": (n_x + 1, 1),
        "(1, 1)": (1, 1),
        "(1,)": (1,),
        "()": (),
    }[name]


@pytest.mark.parametrize("profile", PROFILES)
def test_propagate_checks_the_shapes_of_w_b_X_Y(profile):
    """w (n_x, 1), b (1, 1) or a number, X (n_x, m), Y (1, m); dw the shape of w."""
    cases = st.tuples(
        sizes,
        examples,
        st.sampled_from(["(n_x, 1)", "(1, n_x)", "(n_x,)", "(n_x + 1, 1)"]),
        st.sampled_from(["(1, 1)", "(1,)", "()", "0.0"]),
        st.sampled_from(["(1, m)", "(m, 1)", "(m,)", "(1, m + 1)"]),
    )

    def check(case):
        rng = np.random.RandomState(0)  # each example draws the same way, alone or not
        n_x, m, w_shape, b_shape, Y_shape = case
        w = rng.randn(*_shape(w_shape, n_x, m))
        b = 0.0 if b_shape == "0.0" else np.zeros(_shape(b_shape, n_x, m))
        X = rng.randn(n_x, m)
        Y = (rng.rand(*_shape(Y_shape, n_x, m)) > 0.5).astype(np.float64)
        outcome = attempt(course("propagate"), w, b, X, Y)
        as_stated = w.shape == (n_x, 1) and Y.shape == (1, m) and m > 0
        if not as_stated:
            assert refused(outcome), f"propagate accepted w {w.shape}, X {X.shape}, Y {Y.shape}"
            return
        if refused(outcome):
            return
        grads, cost = outcome
        assert host(grads["dw"]).shape == w.shape, f"dw of shape {host(grads['dw']).shape}"
        assert np.isfinite(host(cost)).all() and np.isfinite(host(grads["dw"])).all()

    check_all(profile, cases, check, 3)


def _parameters(dims: list[int]) -> dict:
    return course("initialize_parameters")(dims, "he", random_state=0)


@pytest.mark.parametrize("profile", PROFILES)
def test_L_model_forward_checks_X_and_the_parameters(profile):
    """A 1-D X, a wrong n_x or a parameter dict missing a key: refused, not broadcast."""
    dims = st.lists(sizes, min_size=2, max_size=4)
    x_shapes = st.sampled_from(["(n_x, m)", "(n_x,)", "(n_x + 1, m)", "(m, n_x)"])
    missing = st.sampled_from([None, "W1", "b1", "b_last", "W_last"])

    def check(case):
        rng = np.random.RandomState(0)  # each example draws the same way, alone or not
        layer_dims, m, x_shape, drop = case
        n_x, L = layer_dims[0], len(layer_dims) - 1
        parameters = _parameters(layer_dims)
        if drop is not None:
            parameters.pop(drop.replace("_last", str(L)))
        X = rng.randn(
            *{
                "(n_x, m)": (n_x, m),
                "(n_x,)": (n_x,),
                "(n_x + 1, m)": (n_x + 1, m),
                "(m, n_x)": (m, n_x),
            }[x_shape]
        )
        outcome = attempt(course("L_model_forward"), X, parameters)
        as_stated = drop is None and X.shape == (n_x, m)
        if not as_stated:
            assert refused(outcome), (
                f"L_model_forward accepted X {X.shape} and parameters {sorted(parameters)}"
            )
            return
        if not refused(outcome):
            AL = host(outcome[0])
            assert AL.shape == (layer_dims[-1], m), f"AL of shape {AL.shape} for X {X.shape}"
            assert np.isfinite(AL).all()

    check_all(profile, st.tuples(dims, st.integers(1, 6), x_shapes, missing), check, 3)


@pytest.mark.parametrize("profile", PROFILES)
def test_random_mini_batches_partitions_the_columns(profile):
    """Batches of at most mini_batch_size columns that together hold every column once."""
    batch_sizes = st.integers(-2, 8) | st.sampled_from([2.0, 2.5, True, math.inf, "4"])

    def check(case):
        m, size, seed, y_extra = case
        X = np.arange(2 * m, dtype=np.float64).reshape(2, m)
        Y = np.ones((1, m + y_extra))
        outcome = attempt(course("random_mini_batches"), X, Y, size, seed)
        whole = isinstance(size, int) or (isinstance(size, float) and size.is_integer())
        valid = whole and not isinstance(size, bool) and size >= 1 and y_extra == 0
        if not valid:
            assert refused(outcome), f"random_mini_batches accepted size {size!r}, Y {Y.shape}"
            return
        if refused(outcome) and m == 0:
            return  # no examples to cut: refusing is as good an answer as no batches
        assert not refused(outcome), outcome
        widths = [host(Xb).shape[1] for Xb, _ in outcome]
        assert all(1 <= w <= size for w in widths), f"batch widths {widths} for size {size}"
        columns = np.concatenate([host(Xb)[0] for Xb, _ in outcome]) if outcome else []
        assert sorted(columns) == sorted(X[0]), "the batches do not hold every column once"

    cases = st.tuples(examples, batch_sizes, st.integers(0, 3), st.sampled_from([0, 0, 1]))
    check_all(profile, cases, check, 3)


@pytest.mark.parametrize("profile", PROFILES)
def test_initialize_parameters_takes_whole_sizes_only(profile):
    """[3, 2.7] is refused, not truncated to 2 units; W{l} has shape (n_l, n_(l-1)).

    Sizes must be whole numbers (3 or 3.0), at least 1; text, None and booleans are refused.
    """
    dim = st.integers(-1, 4) | st.sampled_from([2.7, 3.0, True, "3", np.int64(2), None])

    def check(layer_dims):
        outcome = attempt(course("initialize_parameters"), layer_dims, "he", random_state=0)
        whole = all(
            isinstance(n, numbers.Real)
            and not isinstance(n, bool | np.bool_)
            and float(n).is_integer()
            and n >= 1
            for n in layer_dims
        )
        if not whole or len(layer_dims) < 2:
            assert refused(outcome), f"initialize_parameters accepted {layer_dims!r}"
            return
        assert not refused(outcome), outcome
        for l in range(1, len(layer_dims)):  # noqa: E741 (the course's layer index)
            expected = (int(layer_dims[l]), int(layer_dims[l - 1]))
            assert host(outcome[f"W{l}"]).shape == expected

    check_all(profile, st.lists(dim, max_size=4), check, 3)


@pytest.mark.parametrize("profile", PROFILES)
def test_adam_counts_its_steps_from_one(profile):
    """t < 1 (bias correction 1 − β^t = 0) is refused, not a divide warning and NaN."""
    steps = st.integers(-2, 4) | st.sampled_from([2.5, True, math.nan])

    def check(case):
        t, lr = case
        parameters = _parameters([2, 3, 1])
        grads = {"d" + k: np.ones_like(host(v)) for k, v in parameters.items()}
        v, s = course("initialize_adam")(parameters)
        outcome = attempt(course("update_parameters_with_adam"), parameters, grads, v, s, t, lr)
        if not t >= 1:  # 1 − β^t = 0 at t = 0: the bias correction divides by zero
            assert refused(outcome), f"update_parameters_with_adam accepted t={t!r}"
            return
        if not refused(outcome):
            for name, value in outcome[0].items():
                assert np.isfinite(host(value)).all(), f"{name} not finite after one step"

    lrs = st.sampled_from([0.01, 1.0, 1e308])
    check_all(profile, st.tuples(steps, lrs), check, 2)


@pytest.mark.parametrize("profile", PROFILES)
def test_compute_cost_of_any_batch(profile):
    """An empty batch (m = 0) is refused; a cost is finite otherwise."""

    def check(case):
        rng = np.random.RandomState(0)  # each example draws the same way, alone or not
        n_y, m, output = case
        if output == "softmax" and n_y == 1:
            n_y = 2
        ZL = rng.randn(n_y, m)
        Y = np.zeros((n_y, m))
        Y[0] = 1
        outcome = attempt(course("compute_cost"), ZL, Y, output)
        if m == 0:
            assert refused(outcome), f"compute_cost of an empty batch gave {outcome!r}"
        elif not refused(outcome):
            assert np.isfinite(host(outcome)), outcome

    outputs = st.sampled_from(["sigmoid", "softmax"])
    check_all(profile, st.tuples(st.integers(1, 3), st.integers(0, 4), outputs), check)


@pytest.mark.parametrize("keep_prob", [0.0, -0.5, 1.5, math.nan])
def test_dropout_with_a_keep_prob_outside_0_1(keep_prob):
    """keep_prob = 0 divides by zero: refused. Outside (0, 1]: refused, or a finite answer."""
    A = np.ones((2, 3))
    D = np.ones((2, 3))
    outcome = attempt(course("dropout_forward"), A, D, keep_prob)
    if keep_prob == 0:
        assert refused(outcome), f"dropout_forward accepted keep_prob={keep_prob}"
    elif not refused(outcome):
        assert np.isfinite(host(outcome)).all(), f"keep_prob={keep_prob} gave {outcome}"

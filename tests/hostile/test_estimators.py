"""The estimators under every hyperparameter, set_params, warm starts and partial_fit."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

import xpnet

from .oracle import (
    assert_finite_model,
    assert_sound_predictions,
    attempt,
    host,
    label_keys,
    refused,
    round_trips,
)
from .strategies import (
    ARCHITECTURE,
    MODEL_NAMES,
    PROFILES,
    check_all,
    classes_of,
    estimator,
    hyperparameters,
    matrices,
    models,
)


def assert_sound_fit(model, X, y) -> np.ndarray:
    """A fitted model: finite, predicting soundly, scoring in [0, 1], loadable everywhere."""
    assert_finite_model(model)
    P = assert_sound_predictions(model, X)
    score = attempt(model.score, X, y)
    assert not refused(score), f"score refused the data fit accepted: {score}"
    assert math.isfinite(score) and 0 <= score <= 1, f"score {score}"
    with tempfile.TemporaryDirectory() as folder:
        round_trips(model, X, P, Path(folder))
    return P


@pytest.mark.parametrize("profile", PROFILES)
def test_any_hyperparameters_fit_honestly(profile):
    """Every hyperparameter, valid over its range (1e308 included) or not: an honest fit."""

    def check(case):
        model, X, k = case
        y = classes_of(X.shape[0], k)
        fitted = attempt(model.fit, X, y)
        if not refused(fitted):
            assert_sound_fit(model, X, y)

    check_all(profile, st.tuples(models(hostile=True), matrices(), st.integers(2, 3)), check, 3)


def _optimizer_for(name: str) -> str:
    """The optimiser that reads hyperparameter ``name`` (gradient descent where none does)."""
    return {"beta": "momentum", "beta1": "adam", "beta2": "adam", "epsilon": "adam"}.get(
        name, "gd"
    )


EXTREMES = [
    (model, name, value)
    for model in MODEL_NAMES
    for name, values in sorted(
        {
            "learning_rate": [1e-300, 1e10, 1e308],
            "l2": [1e10, 1e308],
            "scale": [1e308],
            "keep_prob": [1e-300],
            "epsilon": [1e-300, 1e308],
            "beta": [1 - 1e-16],
            "beta1": [1 - 1e-16],
            "beta2": [1 - 1e-16],
            "decay_rate": [1e-300, 1e308],
            "validation_fraction": [1e-9, 1 - 1e-9],
            "tol": [1e308],
            "time_interval": [10**30],
            "n_iter_no_change": [10**30],
            "cost_every": [10**30],
            "batch_size": [10**30],
        }.items()
    )
    for value in values
    if not (model == "LogisticRegression" and name == "keep_prob")
]


#: Regimes where a divergence must still be caught: the last update of a run, and epochs
#: whose cost is not recorded (``cost_every > 1``, or ``tol=None`` as in the course's recipes).
REGIMES = {
    "one epoch": {"num_iterations": 1},
    "costs unrecorded": {"num_iterations": 3, "tol": None, "cost_every": 2},
}


@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize(("name", "param", "value"), EXTREMES)
def test_each_extreme_hyperparameter_fits_honestly(name, param, value, regime):
    """Each hyperparameter at the edge of its range, one at a time, with the optimiser that reads it."""
    X = np.random.RandomState(0).randn(24, 3)
    y = classes_of(24)
    extra = {"early_stopping": True} if param == "validation_fraction" else {}
    extra |= {"lr_decay": "exponential"} if param == "decay_rate" else {}
    extra |= {"initialization": "random"} if param == "scale" else {}
    extra |= {k: v for k, v in REGIMES[regime].items() if k != param}
    model = estimator(name, optimizer=_optimizer_for(param), **extra, **{param: value})
    if not refused(attempt(model.fit, X, y)):
        assert_sound_fit(model, X, y)


@pytest.mark.parametrize("profile", PROFILES)
def test_set_params_after_fit_leaves_every_copy_loadable(profile):
    """A model's file, pickle and copy hold what it was fitted with, whatever set_params did."""
    changes = st.sampled_from(MODEL_NAMES).flatmap(
        lambda name: st.tuples(st.just(name), hyperparameters(name, hostile=False))
    )

    def check(case):
        (name, params), X = case
        y = classes_of(X.shape[0])
        model = estimator(name, random_state=0).fit(X, y)
        expected = assert_sound_predictions(model, X)
        with tempfile.TemporaryDirectory() as folder:
            model.save(Path(folder) / "model.npz")  # a good file, to be overwritten
            model.set_params(**params)
            now = attempt(model.predict_proba, X)  # predicts (or refuses) honestly
            answers = [expected] if refused(now) else [expected, host(now)]
            round_trips(model, X, answers, Path(folder))

    check_all(profile, st.tuples(changes, matrices()), check, 2)


def _architecture(model) -> list[int]:
    if isinstance(model, xpnet.TwoLayerNet):
        return [model.n_h]
    return list(model.hidden_layer_sizes)


@pytest.mark.parametrize("profile", PROFILES)
def test_warm_start_on_a_changed_architecture(profile):
    """A warm start after the architecture changed refuses, or trains what it reports."""
    names = st.sampled_from(["TwoLayerNet", "DeepNet"])
    cases = names.flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.fixed_dictionaries({k: v for k, v in ARCHITECTURE[n].items() if k != "activation"}),
        )
    )

    def check(case):
        (name, architecture), X = case
        y = classes_of(X.shape[0])
        model = estimator(name, warm_start=True, random_state=0).fit(X, y)
        model.set_params(**architecture)
        if refused(attempt(model.fit, X, y)):
            return
        hidden = [
            host(model.parameters_[f"W{l}"]).shape[0]
            for l in range(1, len(model.parameters_) // 2)  # noqa: E741 (the course's layer index)
        ]
        assert hidden == _architecture(model), (
            f"reports hidden sizes {_architecture(model)} but trained {hidden}"
        )
        assert_sound_fit(model, X, y)

    check_all(profile, st.tuples(cases, matrices()), check)


_class_values = st.sampled_from([0, 1, 2, "a", math.nan, None, 0.5])


@pytest.mark.parametrize("profile", PROFILES)
def test_partial_fit_holds_to_its_classes(profile):
    """classes= is checked once, then held: another set of classes is refused, as in scikit-learn."""
    first = st.lists(_class_values, min_size=1, max_size=4)
    second = st.none() | st.lists(_class_values, min_size=1, max_size=4)

    def check(case):
        name, X, c1, c2 = case
        c1_keys = set(label_keys(np.asarray(c1, dtype=object)))
        usable = [c for c in c1 if not (isinstance(c, float) and math.isnan(c)) and c is not None]
        y = [usable[i % len(usable)] for i in range(X.shape[0])] if usable else [0] * X.shape[0]
        model = estimator(name)
        outcome = attempt(model.partial_fit, X, np.asarray(y, dtype=object), classes=c1)
        hostile = {"nan", "None"} & c1_keys
        if hostile:
            assert refused(outcome), f"partial_fit accepted classes={c1!r}, holding {hostile}"
        if refused(outcome):
            return
        assert_sound_fit(model, X, y)
        outcome = attempt(model.partial_fit, X, np.asarray(y, dtype=object), classes=c2)
        if c2 is not None and set(label_keys(np.asarray(c2, dtype=object))) != c1_keys:
            assert refused(outcome), (
                f"a second partial_fit with classes={c2!r} (first: {c1!r}) was accepted"
            )
        elif not refused(outcome):
            assert_sound_fit(model, X, y)

    cases = st.tuples(st.sampled_from(MODEL_NAMES), matrices(), first, second)
    check_all(profile, cases, check, 2)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_an_unfitted_model_refuses_to_be_used(name, tmp_path):
    X = np.zeros((3, 2))
    model = estimator(name)
    for call, args in [
        (model.predict, (X,)),
        (model.predict_proba, (X,)),
        (model.score, (X, [0, 1, 0])),
        (model.save, (tmp_path / "m.npz",)),
        (model.to_state, ()),
    ]:
        outcome = attempt(call, *args)
        assert refused(outcome) and isinstance(outcome.error, xpnet.NotFittedError), outcome
    assert not (tmp_path / "m.npz").exists()

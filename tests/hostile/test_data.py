"""X, y and sample weights as a hostile user passes them, on the host."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

from .oracle import assert_sound_predictions, attempt, label_keys, refused
from .strategies import (
    HOMOGENEOUS,
    LABEL_CONTAINERS,
    LABEL_VALUES,
    MODEL_NAMES,
    PROFILES,
    WEIGHT_KINDS,
    WEIGHTS_REFUSED,
    X_KINDS,
    X_REFUSED,
    check_all,
    classes_of,
    estimator,
    hostile_X,
    labels,
    labels_to_refuse,
    matrices,
)
from .test_estimators import assert_sound_fit

names = st.sampled_from(MODEL_NAMES)


def _rows(X) -> int:
    return np.shape(X)[0] if np.ndim(X) else 1


@pytest.mark.parametrize("kind", sorted(X_KINDS))
@pytest.mark.parametrize("profile", PROFILES)
def test_hostile_X_to_fit(profile, kind):
    """NaN, inf, 1e300, complex, float16, masked, 1-D, empty, object X: refused, or fit soundly."""

    def check(case):
        name, (X, finite) = case
        y = classes_of(finite.shape[0])
        model = estimator(name, random_state=0)
        outcome = attempt(model.fit, X, y)
        if kind in X_REFUSED:
            assert refused(outcome), f"fit accepted X that is {kind}"
        if not refused(outcome):
            assert_sound_fit(model, finite, y)
            assert_sound_predictions(model, X)

    check_all(profile, st.tuples(names, hostile_X(kind)), check, 0.25)


@pytest.mark.parametrize("kind", sorted(X_KINDS))
@pytest.mark.parametrize("profile", PROFILES)
def test_hostile_X_to_predict(profile, kind):
    """A fitted model predicts on hostile X soundly, or refuses it."""

    def check(case):
        name, (X, finite) = case
        model = estimator(name, random_state=0).fit(finite, classes_of(finite.shape[0]))
        for method in (model.predict, model.predict_proba):
            outcome = attempt(method, X)
            if kind in X_REFUSED:
                assert refused(outcome), f"{method.__name__} accepted X that is {kind}"
        if not refused(outcome):
            assert_sound_predictions(model, X)
        score = attempt(model.score, X, classes_of(_rows(X)))
        if not refused(score):
            assert 0 <= score <= 1, score

    check_all(profile, st.tuples(names, hostile_X(kind)), check, 0.25)


@pytest.mark.parametrize("container", sorted(LABEL_CONTAINERS))
@pytest.mark.parametrize("kind", sorted(LABEL_VALUES))
@pytest.mark.parametrize("profile", PROFILES)
def test_labels_of_any_kind_in_any_container(profile, kind, container):
    """ints, floats, bools, text, NaN, None, mixed types, one class; list, array, object, pandas."""
    cases = st.tuples(names, matrices(rows=(4, 12)), st.data())

    def check(case):
        name, X, data = case
        values = data.draw(labels(kind, X.shape[0]), label="labels")
        y = LABEL_CONTAINERS[container](values)
        model = estimator(name, random_state=0)
        outcome = attempt(model.fit, X, y)
        reason = labels_to_refuse(values)
        if reason:
            assert refused(outcome), f"fit accepted {values!r} in a {container}: {reason}"
        if refused(outcome):
            return
        classes = label_keys(model.classes_)
        assert len(set(classes)) == len(classes), f"duplicate classes_ {model.classes_!r}"
        given = np.asarray(y).ravel()  # as NumPy holds them: [0, "a"] becomes text
        unseen = set(label_keys(given)) - set(classes)
        assert not unseen, f"labels {unseen} are not among classes_ {model.classes_!r}"
        assert_sound_fit(model, X, np.asarray(y).ravel())

    check_all(profile, cases, check, 0.25)


@pytest.mark.parametrize("kind", HOMOGENEOUS)
@pytest.mark.parametrize("profile", PROFILES)
def test_label_containers_agree(profile, kind):
    """The same labels in a list, an array, an object array or a pandas Series: one answer."""

    def check(case):
        name, X, data = case
        values = data.draw(labels(kind, X.shape[0]), label="labels")
        answers = {}
        for container, make in LABEL_CONTAINERS.items():
            model = estimator(name, random_state=0)
            outcome = attempt(model.fit, X, make(values))
            answers[container] = "refused" if refused(outcome) else label_keys(model.classes_)
        assert len({repr(a) for a in answers.values()}) == 1, (
            f"{kind} labels {values!r} get different answers: {answers}"
        )

    check_all(profile, st.tuples(names, matrices(rows=(4, 10)), st.data()), check, 0.25)


@pytest.mark.parametrize("kind", sorted(WEIGHT_KINDS))
@pytest.mark.parametrize("profile", PROFILES)
def test_sample_weights(profile, kind):
    """Negative, zero, all-zero, NaN, inf, huge, misshapen weights: refused, or fit soundly."""

    def check(case):
        name, X = case
        y = classes_of(X.shape[0])
        model = estimator(name, random_state=0)
        outcome = attempt(model.fit, X, y, sample_weight=WEIGHT_KINDS[kind](X.shape[0]))
        if kind in WEIGHTS_REFUSED:
            assert refused(outcome), f"fit accepted sample_weight that is {kind}"
        if not refused(outcome):
            assert_sound_fit(model, X, y)
        score = attempt(model.score, X, y, sample_weight=WEIGHT_KINDS[kind](X.shape[0]))
        if kind in WEIGHTS_REFUSED:
            assert refused(score), f"score accepted sample_weight that is {kind}"

    check_all(profile, st.tuples(names, matrices()), check, 0.25)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_mini_batch_of_zero_weight_changes_nothing(profile):
    """A mini-batch whose weights are all zero contributes nothing; it does not poison the fit."""

    def check(case):
        name, X, optimizer = case
        n = X.shape[0]
        weights = np.r_[np.zeros(n // 2), np.ones(n - n // 2)]
        y = classes_of(n)
        model = estimator(
            name, optimizer=optimizer, batch_size=max(1, n // 4), shuffle=False, num_iterations=3
        )
        outcome = attempt(model.fit, X, y, sample_weight=weights)
        assert not refused(outcome), f"a zero-weight mini-batch broke the fit: {outcome}"
        assert_sound_fit(model, X, y)

    optimizers = st.sampled_from(["gd", "momentum", "rmsprop", "adam"])
    check_all(profile, st.tuples(names, matrices(rows=(8, 24)), optimizers), check)


@pytest.mark.parametrize("profile", PROFILES)
def test_score_with_hostile_y(profile):
    """score refuses a y it cannot compare row by row: 2-D, another length."""
    shapes = st.sampled_from(["(n,)", "(n, 1)", "(n, 2)", "(n + 1,)", "()"])

    def check(case):
        name, X, shape = case
        n = X.shape[0]
        model = estimator(name, random_state=0).fit(X, classes_of(n))
        y = {
            "(n,)": classes_of(n),
            "(n, 1)": classes_of(n).reshape(-1, 1),
            "(n, 2)": np.c_[classes_of(n), classes_of(n)],
            "(n + 1,)": classes_of(n + 1),
            "()": np.int64(0),
        }[shape]
        score = attempt(model.score, X, y)
        if shape in ("(n, 2)", "(n + 1,)", "()"):
            assert refused(score), f"score accepted y of shape {shape}: {score}"

    check_all(profile, st.tuples(names, matrices(), shapes), check)

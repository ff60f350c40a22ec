"""DeepRegressor under hostile targets and hyperparameters: a finite fit whose every copy
predicts the same, or xpnet's own refusal (the rule of :mod:`.oracle`)."""

from __future__ import annotations

import copy
import math
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

import xpnet

from .oracle import assert_finite_model, attempt, host, refused
from .strategies import PROFILES, check_all, hyperparameters, matrices

#: How to make targets of n rows from a column of finite numbers; those to refuse first.
TARGETS = {
    "finite": lambda v: v,
    "several": lambda v: np.c_[v, -v, 2 * v],
    "column": lambda v: v[:, None],
    "integers": lambda v: np.round(v).astype(np.int64),
    "booleans": lambda v: v > 0,
    "float32": lambda v: v.astype(np.float32),
    "huge": lambda v: v * 1e300,
    "nan": lambda v: np.where(np.arange(v.shape[0]) == 1, np.nan, v),
    "inf": lambda v: np.where(np.arange(v.shape[0]) == 1, np.inf, v),
    "numbers as text": lambda v: v.astype(str).astype(object),  # as scikit-learn reads them
    "text": lambda v: np.where(v > 0, "high", "low").astype(object),
    "complex": lambda v: v + 1j,
    "no columns": lambda v: np.zeros((v.shape[0], 0)),
    "one short": lambda v: v[1:],
    "3-D": lambda v: v[:, None, None],
    "masked": lambda v: np.ma.masked_array(v, mask=np.arange(v.shape[0]) == 0),
}
REFUSE = {"nan", "inf", "text", "complex", "no columns", "one short", "3-D", "masked"}


def assert_sound_regressor(model, X, y) -> np.ndarray:
    assert_finite_model(model)
    predicted = attempt(model.predict, X)
    assert not refused(predicted), f"a fitted regressor refused to predict: {predicted}"
    P = host(predicted)
    n_y = 1 if np.ndim(y) == 1 or np.shape(y)[1] == 1 else np.shape(y)[1]
    assert P.shape == ((X.shape[0],) if n_y == 1 else (X.shape[0], n_y)), P.shape
    assert np.isfinite(P).all(), f"predictions are not finite: {P[:3]}"
    score = attempt(model.score, X, np.reshape(y, P.shape))
    assert refused(score) or (math.isfinite(score) and score <= 1 + 1e-9), score
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.npz"
        copies = {"deepcopy": lambda: copy.deepcopy(model)}
        if not refused(attempt(model.save, path)):
            copies["save → load"] = lambda: xpnet.load(path)
        dumped = attempt(pickle.dumps, model)
        if not refused(dumped):
            copies["pickle"] = lambda: pickle.loads(dumped)
        for what, make in copies.items():
            again = attempt(make)
            assert not refused(again), f"{what}: cannot be loaded back: {again}"
            np.testing.assert_allclose(host(again.predict(X)), P, rtol=1e-6, err_msg=what)
    return P


@pytest.mark.parametrize("profile", PROFILES)
def test_any_targets_and_hyperparameters_fit_honestly(profile):
    def check(case):
        X, kind, params = case
        rng = np.random.RandomState(0)
        y = TARGETS[kind](X[:, 0] * 2 + rng.rand(X.shape[0]))
        model = xpnet.DeepRegressor(**params)
        fitted = attempt(model.fit, X, y)
        if kind in REFUSE:
            assert refused(fitted), f"fit accepted {kind} targets"
        if not refused(fitted):
            assert_sound_regressor(model, X, y)

    kinds = st.sampled_from(sorted(TARGETS))
    cases = st.tuples(matrices(), kinds, hyperparameters("DeepNet"))
    check_all(profile, cases, check)

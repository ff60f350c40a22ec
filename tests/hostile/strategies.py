"""Hypothesis strategies for hostile input: X, y, sample weights, hyperparameters, backends.

The data is small (a few dozen rows, a few features) and the networks tiny, so that an
example takes milliseconds. Profiles: ``hostile`` (the default run: derandomised, few
examples) and ``hostile-slow`` (``-m slow``: many more).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xpnet

settings.register_profile(
    "hostile",
    derandomize=True,  # the same examples on every run: CI is stable
    database=None,
    deadline=None,
    max_examples=12,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("hostile-slow", settings.get_profile("hostile"), max_examples=200)

#: The test parameter that picks the profile: the default run, and a long one under -m slow.
PROFILES = [
    pytest.param("hostile", id="short"),
    pytest.param("hostile-slow", id="long", marks=pytest.mark.slow),
]


def check_all(profile: str, strategy: st.SearchStrategy, check: Callable[[Any], None], share=1.0):
    """Run ``check`` on examples of ``strategy`` under ``profile`` (``share`` of its examples)."""
    base = settings.get_profile(profile)

    @settings(base, max_examples=max(1, round(base.max_examples * share)))
    @given(strategy)
    def holds_for(case):
        check(case)

    holds_for()


# -- X -------------------------------------------------------------------------------------

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


def matrices(rows=(4, 24), features=(1, 3)) -> st.SearchStrategy[np.ndarray]:
    """Finite float64 X of shape (n_samples, n_features)."""
    shapes = st.tuples(st.integers(*rows), st.integers(*features))
    return shapes.flatmap(lambda s: hnp.arrays(np.float64, s, elements=finite))


def _poke(X: np.ndarray, value: float) -> np.ndarray:
    X = X.copy()
    X[X.shape[0] // 2, 0] = value
    return X


def _masked(X: np.ndarray, any_masked: bool) -> np.ndarray:
    mask = np.zeros(X.shape, dtype=bool)
    mask[0, 0] = any_masked
    return np.ma.masked_array(X, mask=mask)


def _object_text(X: np.ndarray) -> np.ndarray:
    X = X.astype(object)
    X[0, 0] = "a"
    return X


#: Ways to make X hostile: name → X ↦ the hostile X.
X_KINDS: dict[str, Callable[[np.ndarray], Any]] = {
    "finite": lambda X: X,
    "nan": lambda X: _poke(X, math.nan),
    "inf": lambda X: _poke(X, math.inf),
    "-inf": lambda X: _poke(X, -math.inf),
    "1e300": lambda X: X * 1e300,
    "near float max": lambda X: _poke(X, 1.7e308),
    "subnormal": lambda X: X * 1e-310,
    "complex": lambda X: X + 1j * X,
    "complex, zero imaginary part": lambda X: X.astype(np.complex128),
    "float16": lambda X: X.astype(np.float16),
    "float32": lambda X: X.astype(np.float32),
    "int": lambda X: np.round(X).astype(np.int64),
    "bool": lambda X: X > 0,
    "masked, one entry masked": lambda X: _masked(X, True),
    "masked, none masked": lambda X: _masked(X, False),
    "1-D": lambda X: X[:, 0],
    "3-D": lambda X: X[..., None],
    "no rows": lambda X: X[:0],
    "no columns": lambda X: X[:, :0],
    "object of floats": lambda X: X.astype(object),
    "object with text": _object_text,
    "list of lists": lambda X: X.tolist(),
    "0-d": lambda X: np.float64(X[0, 0]),
}

#: The kinds a model must refuse: they cannot be trained on without losing something.
X_REFUSED = {
    "nan",
    "inf",
    "-inf",
    "complex",
    "masked, one entry masked",
    "1-D",
    "3-D",
    "no rows",
    "no columns",
    "object with text",
    "0-d",
}


def hostile_X(kind: str, rows=(4, 24)) -> st.SearchStrategy[tuple[Any, np.ndarray]]:
    """(X made hostile in the way ``kind`` names, the finite X it came from)."""
    return matrices(rows).map(lambda X: (X_KINDS[kind](X), X))


# -- y -------------------------------------------------------------------------------------

#: Label values by kind; each kind's values are of one Python type.
LABEL_VALUES: dict[str, st.SearchStrategy] = {
    "int": st.integers(-2, 2),
    "bool": st.booleans(),
    "integral float": st.sampled_from([0.0, 1.0, 2.0, -1.0]),
    "continuous float": st.sampled_from([0.0, 0.5, 1.0, 2.25]),
    "float with NaN": st.sampled_from([0.0, 1.0, math.nan]),
    "text": st.sampled_from(["a", "b", "cat", "", "é"]),
    "mixed int and text": st.sampled_from([0, 1, "a"]),
    "with None": st.sampled_from([0, 1, None]),
    "text with NaN": st.sampled_from(["a", "b", math.nan]),
}
#: The kinds whose values are of one Python type: every container holds the same labels.
HOMOGENEOUS = sorted(set(LABEL_VALUES) - {"mixed int and text", "text with NaN"})


def labels_to_refuse(values: list) -> str | None:
    """Why a classifier must refuse these labels, whatever holds them; None if it need not.

    A list or array that NumPy turns into text (``[0, "a"]`` becomes ``["0", "a"]``) is
    text: what NumPy gives is what the user holds.
    """
    natural = np.asarray(values)
    if natural.dtype != object:
        values = natural.tolist()
    if any(v is None for v in values):
        return "None among the labels"
    if any(isinstance(v, float) and math.isnan(v) for v in values):
        return "NaN among the labels"
    if any(isinstance(v, float) and v != round(v) for v in values):
        return "continuous labels"
    if len({isinstance(v, str) for v in values}) > 1:
        return "text mixed with numbers"
    if len({repr(v) for v in values}) < 2:
        return "one class"
    return None


def _series(values: list, dtype: Any):
    pd = pytest.importorskip("pandas")
    return pd.Series(values, dtype=dtype)


#: Containers for a list of labels: name → list ↦ y.
LABEL_CONTAINERS: dict[str, Callable[[list], Any]] = {
    "list": lambda v: v,
    "ndarray": lambda v: np.asarray(v),
    "object ndarray": lambda v: np.asarray(v, dtype=object),
    "pandas object Series": lambda v: _series(v, object),
    "column vector": lambda v: np.asarray(v, dtype=object).reshape(-1, 1),
}


def labels(kind: str, n: int) -> st.SearchStrategy[list]:
    """n labels of ``kind``."""
    return st.lists(LABEL_VALUES[kind], min_size=n, max_size=n)


def classes_of(n: int, k: int = 2) -> np.ndarray:
    """Integer labels 0..k-1 for n rows, each class present."""
    return np.arange(n) % k


# -- sample weights ------------------------------------------------------------------------

#: Ways to make weights of n rows hostile: name → n ↦ weights.
WEIGHT_KINDS: dict[str, Callable[[int], Any]] = {
    "ones": lambda n: np.ones(n),
    "positive": lambda n: np.linspace(0.5, 2.0, n),
    "some zero": lambda n: np.r_[np.zeros(n // 2), np.ones(n - n // 2)],
    "all zero": lambda n: np.zeros(n),
    "one negative": lambda n: np.r_[-1.0, np.ones(n - 1)],
    "NaN": lambda n: np.r_[math.nan, np.ones(n - 1)],
    "inf": lambda n: np.r_[math.inf, np.ones(n - 1)],
    "huge": lambda n: np.full(n, 1e308),
    "wrong length": lambda n: np.ones(n + 1),
    "2-D": lambda n: np.ones((n, 1)),
    "scalar": lambda n: 2.0,
    "int": lambda n: np.ones(n, dtype=np.int64),
    "text": lambda n: np.array(["1"] * n),
    "complex": lambda n: np.ones(n) + 1j,
}
WEIGHTS_REFUSED = {
    "all zero",
    "one negative",
    "NaN",
    "inf",
    "wrong length",
    "2-D",
    "complex",
}


# -- hyperparameters -----------------------------------------------------------------------

_nasty = st.sampled_from(
    [-1, 0, -0.0, math.nan, math.inf, -math.inf, True, "1", None, 2.5, [1], np.float64(math.nan)]
)
_unit = st.sampled_from([0.0, 0.5, 0.9, 0.999, 1 - 1e-16])

#: Valid values over each hyperparameter's whole range, extremes included.
VALID: dict[str, st.SearchStrategy] = {
    "learning_rate": st.sampled_from([1e-300, 1e-3, 0.1, 1.2, 10.0, 1e10, 1e308]),
    "num_iterations": st.integers(1, 4),
    "optimizer": st.sampled_from(["adam", "gd", "momentum", "rmsprop"]),
    "batch_size": st.none() | st.just("auto") | st.integers(1, 40),
    "shuffle": st.booleans(),
    "l2": st.sampled_from([0.0, 1e-4, 1.0, 1e10, 1e308]),
    "keep_prob": st.sampled_from([1.0, 0.5, 1e-3, 1e-300]),
    "initialization": st.sampled_from(["zeros", "random", "normal", "xavier", "he", "glorot"]),
    "scale": st.sampled_from([0.0, 0.01, 10.0, 1e308]),
    "beta": _unit,
    "beta1": _unit,
    "beta2": _unit,
    "epsilon": st.sampled_from([1e-300, 1e-8, 1.0, 1e308]),
    "lr_decay": st.sampled_from([None, "inverse_time", "scheduled", "exponential"]),
    "decay_rate": st.none() | st.sampled_from([1e-300, 0.5, 1.0, 2.0, 1e308]),
    "time_interval": st.integers(1, 3),
    "early_stopping": st.booleans(),
    "validation_fraction": st.sampled_from([1e-9, 0.1, 0.5, 0.9]),
    "tol": st.none() | st.sampled_from([0.0, 1e-4, 1e308]),
    "n_iter_no_change": st.integers(1, 3),
    "random_state": st.none()
    | st.integers(0, 2**32 - 1)
    | st.builds(np.random.RandomState, st.integers(0, 9))
    | st.builds(np.random.default_rng, st.integers(0, 9)),
    "cost_every": st.integers(1, 3),
    "warm_start": st.booleans(),
    "dtype": st.sampled_from([None, "float32", "float64"]),
}
ARCHITECTURE: dict[str, dict[str, st.SearchStrategy]] = {
    "LogisticRegression": {},
    "TwoLayerNet": {
        "n_h": st.integers(1, 5),
        "activation": st.sampled_from(["relu", "tanh", "leaky_relu", "sigmoid"]),
    },
    "DeepNet": {
        "hidden_layer_sizes": st.lists(st.integers(1, 4), max_size=3).map(tuple)
        | st.lists(st.integers(1, 4), min_size=1, max_size=2),
        "activation": st.sampled_from(["relu", "tanh", "leaky_relu", "sigmoid"]),
    },
}
#: Hostile values beyond the generic ones: out of range, of the wrong type.
HOSTILE: dict[str, st.SearchStrategy] = {
    "random_state": st.sampled_from([-1, 2**32, 1.5, "0"]),
    "dtype": st.sampled_from(["float16", "int64", "bfloat16", np.float64]),
    "batch_size": st.sampled_from([0, -1, "full", 2.0]),
    "optimizer": st.sampled_from(["sgd", "", "ADAM"]),
    "n_h": st.sampled_from([0, -3, 2.0, 10**15]),
    "hidden_layer_sizes": st.sampled_from([(0,), (2.7,), "5", 5, (10**15,), (True,)]),
    "decay_rate": st.sampled_from([0.0, -1.0]),
    "keep_prob": st.sampled_from([0.0, 1.5]),
}
#: Values whose fit would run for long if accepted: never generated.
_ENDLESS = {"num_iterations"}


@st.composite
def hyperparameters(draw, model: str, hostile: bool = True) -> dict[str, Any]:
    """A few hyperparameters of ``model``: valid over their range, or hostile."""
    space = {**VALID, **ARCHITECTURE[model]}
    if model == "LogisticRegression":
        space.pop("keep_prob")  # no hidden layer to drop units from
    names = draw(st.lists(st.sampled_from(sorted(space)), min_size=1, max_size=4, unique=True))
    chosen = {"num_iterations": 2, "progress": False, "random_state": 0}  # seeded unless drawn
    for name in names:
        bad = hostile and name not in _ENDLESS and draw(st.booleans())
        value = draw((HOSTILE.get(name, _nasty) | _nasty) if bad else space[name])
        chosen[name] = value
    return chosen


def models(hostile: bool = False) -> st.SearchStrategy[Any]:
    """An unfitted estimator with hyperparameters drawn as :func:`hyperparameters` does."""
    name = st.sampled_from(sorted(ARCHITECTURE))
    return name.flatmap(
        lambda n: hyperparameters(n, hostile).map(lambda p: getattr(xpnet, n)(**p))
    )


def estimator(name: str, **params: Any) -> Any:
    """A small, quick, seeded estimator: tiny hidden layers, two epochs."""
    small = {"TwoLayerNet": {"n_h": 3}, "DeepNet": {"hidden_layer_sizes": (3, 2)}}
    base = {"num_iterations": 2, "progress": False, "random_state": 0}
    return getattr(xpnet, name)(**{**base, **small.get(name, {}), **params})


MODEL_NAMES = ("LogisticRegression", "TwoLayerNet", "DeepNet")

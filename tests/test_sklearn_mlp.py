"""scikit-learn's own MLP tests, run against xpnet: a judge of the estimator contract.

Every test of scikit-learn's ``sklearn/neural_network/tests/test_mlp.py`` is collected
here with its own parametrisations, with ``MLPClassifier`` standing for an adapter over
:class:`xpnet.DeepNet` and ``MLPRegressor`` for one over ``xpnet.DeepRegressor``. The
adapter renames and does nothing else: what it cannot say in xpnet's words it refuses
(:class:`CannotApplyError`), and everything an estimator does (predict, score, warnings,
``n_iter_``, ``predict_log_proba``, ...) is xpnet's own or missing.

Three tables, each read at a glance, decide what a test is allowed to do:

* ``CANNOT_APPLY``: tests that ask for what xpnet does not offer by design (L-BFGS,
  sparse input, scikit-learn's private internals, its learning-rate schedules);
  skipped with their reason.
* ``EXPECTED_TO_FAIL``: tests that apply and fail, each with its reason (a difference
  by design, or a refusal worded xpnet's way), as ``xfail(strict=True)``: one that
  starts passing turns the run red, so the list only shrinks.
* every other test must pass.

``MLPRegressor`` maps to :class:`xpnet.DeepRegressor`; where xpnet lacks it, the
regressor's tests skip, saying so.
"""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

import numpy as np
import pytest

import xpnet

sklearn = pytest.importorskip("sklearn")
mlp = pytest.importorskip("sklearn.neural_network.tests.test_mlp")

from sklearn.utils.fixes import parse_version  # noqa: E402 (after the skip above)

if parse_version(sklearn.__version__).release[:2] != (1, 9):
    pytest.skip(
        f"the tables below classify scikit-learn 1.9's MLP tests; "
        f"re-classify them for scikit-learn {sklearn.__version__}",
        allow_module_level=True,
    )

SKLEARN_CLASSIFIER = mlp.MLPClassifier
SKLEARN_REGRESSOR = mlp.MLPRegressor


class CannotApplyError(NotImplementedError):
    """A scikit-learn hyperparameter value that has no counterpart in xpnet.

    Raised, never skipped: a test that meets one belongs in ``CANNOT_APPLY``.
    """


# -- the adapter: scikit-learn's names in, xpnet's names out -------------------------

#: scikit-learn's hidden activations → xpnet's.
ACTIVATIONS = {"logistic": "sigmoid", "tanh": "tanh", "relu": "relu", "identity": "identity"}


def translate(params: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """xpnet's hyperparameters for scikit-learn's ``params``.

    ``fields`` are the xpnet estimator's own parameter names: ``verbose`` and ``loss``
    pass through where it has them.

    ``solver="sgd"`` is gradient descent ("gd") with ``momentum=0``; with β = ``momentum``
    it is xpnet's "momentum", the course's v = β·v + (1 − β)·dW, W = W − α·v, which moves
    1/(1 − β) times less than scikit-learn's v = β·v − η·dW, W = W + v. With
    α = η/(1 − β) the two are the same steps (α·v follows scikit-learn's v exactly).
    scikit-learn's default ``nesterovs_momentum=True`` takes Nesterov's look-ahead step;
    xpnet has only the classic one, which stands in for it.

    scikit-learn's start is Glorot's uniform one (xpnet's "glorot"), which its tests'
    thresholds were set with; xpnet's estimators default to PyTorch's.
    """
    p = params
    if p["solver"] == "lbfgs":
        raise CannotApplyError("solver='lbfgs': xpnet trains by gradient steps only")
    if p["activation"] not in ACTIVATIONS:
        raise CannotApplyError(f"activation={p['activation']!r}: xpnet has no such hidden layer")
    if p["learning_rate"] != "constant":
        raise CannotApplyError(
            f"learning_rate={p['learning_rate']!r}: scikit-learn's own schedule, not xpnet's"
        )
    if p.get("loss", "squared_error") != "squared_error" and "loss" not in fields:
        raise CannotApplyError(f"loss={p['loss']!r}: xpnet's regressor has squared error only")
    kwargs = {
        "hidden_layer_sizes": p["hidden_layer_sizes"],
        "initialization": "glorot",
        "activation": ACTIVATIONS[p["activation"]],
        "l2": p["alpha"],
        "learning_rate": p["learning_rate_init"],
        "num_iterations": p["max_iter"],
        "optimizer": "adam",
        "batch_size": p["batch_size"],
        "shuffle": p["shuffle"],
        "random_state": p["random_state"],
        "tol": p["tol"],
        "warm_start": p["warm_start"],
        "early_stopping": p["early_stopping"],
        "validation_fraction": p["validation_fraction"],
        "n_iter_no_change": p["n_iter_no_change"],
        "beta1": p["beta_1"],
        "beta2": p["beta_2"],
        "epsilon": p["epsilon"],
    }
    if p["solver"] == "sgd":
        beta = p["momentum"]
        kwargs["optimizer"] = "momentum" if beta > 0 else "gd"
        kwargs["beta"] = beta
        kwargs["learning_rate"] = p["learning_rate_init"] / (1 - beta)  # α = η/(1 − β)
    for name in ("verbose", "loss"):
        if name in fields and name in p:
            kwargs[name] = p[name]
    return kwargs


class _Adapter:
    """scikit-learn's constructor and names over an xpnet estimator, built at fit time.

    The hyperparameters are scikit-learn's, by its names (``get_params``, ``set_params``,
    so ``clone`` and ``set_params(max_iter=...)`` work); ``coefs_`` (Wᵀ, of shape
    (n_in, n_out)) and ``intercepts_`` (b flattened) are read from ``parameters_``; every
    other attribute and method is the xpnet estimator's.
    """

    _sklearn: type  # the scikit-learn class whose signature this adapter takes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        bound = inspect.signature(self._sklearn).bind(*args, **kwargs)
        bound.apply_defaults()
        self._xpnet_class()  # a missing xpnet class skips here, where a test builds one
        self.__dict__["_params"] = dict(bound.arguments)
        self.__dict__["_xpnet"] = None

    @staticmethod
    def _xpnet_class() -> type:
        raise NotImplementedError

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return dict(self._params)

    def set_params(self, **params: Any) -> _Adapter:
        for name in params:
            if name not in self._params:
                raise ValueError(f"Invalid parameter {name!r} for {type(self).__name__}")
        self._params.update(params)
        return self

    def _estimator(self) -> Any:
        cls = self._xpnet_class()
        fields = set(inspect.signature(cls).parameters)
        kwargs = translate(self._params, fields)
        if self._xpnet is None:
            self.__dict__["_xpnet"] = cls(**kwargs)
        else:
            self._xpnet.set_params(**kwargs)
        return self._xpnet

    def fit(self, *args: Any, **kwargs: Any) -> _Adapter:
        self._estimator().fit(*args, **kwargs)
        return self

    def partial_fit(self, *args: Any, **kwargs: Any) -> _Adapter:
        self._estimator().partial_fit(*args, **kwargs)
        return self

    @property
    def coefs_(self) -> list[np.ndarray]:
        P = self._fitted().parameters_
        return [xpnet.to_numpy(P[f"W{l}"]).T for l in range(1, len(P) // 2 + 1)]  # noqa: E741

    @property
    def intercepts_(self) -> list[np.ndarray]:
        P = self._fitted().parameters_
        return [xpnet.to_numpy(P[f"b{l}"]).ravel() for l in range(1, len(P) // 2 + 1)]  # noqa: E741

    def _fitted(self) -> Any:
        if self._xpnet is None:
            raise AttributeError(f"{type(self).__name__} is not fitted")
        return self._xpnet

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickling and copying look these up before __dict__ is set
            raise AttributeError(name)
        params = self.__dict__.get("_params", {})
        if name in params:
            return params[name]
        inner = self.__dict__.get("_xpnet")
        if inner is None:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r} before fit")
        return getattr(inner, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(over {self._xpnet_class().__name__})"


class MLPClassifier(_Adapter):
    """scikit-learn's ``MLPClassifier`` by name, :class:`xpnet.DeepNet` in fact."""

    _sklearn = SKLEARN_CLASSIFIER

    @staticmethod
    def _xpnet_class() -> type:
        return xpnet.DeepNet


class MLPRegressor(_Adapter):
    """scikit-learn's ``MLPRegressor`` by name, ``xpnet.DeepRegressor`` in fact."""

    _sklearn = SKLEARN_REGRESSOR

    @staticmethod
    def _xpnet_class() -> type:
        cls = getattr(xpnet, "DeepRegressor", None)
        if cls is None:
            pytest.skip("xpnet has no DeepRegressor")
        return cls


# -- the tables ----------------------------------------------------------------------

LBFGS = "solver='lbfgs': xpnet trains by gradient steps only"

#: Test id → why it cannot apply to xpnet. Skipped, with this reason.
CANNOT_APPLY: dict[str, str] = {
    "test_fit": "sets scikit-learn's private training state (_coef_velocity, t_, ...) by hand",
    "test_gradient": LBFGS + "; calls the private _loss_grad_lbfgs",
    "test_lbfgs_classification[X0-y0]": LBFGS,
    "test_lbfgs_classification[X1-y1]": LBFGS,
    "test_lbfgs_regression[X0-y0]": LBFGS,
    "test_lbfgs_classification_maxfun[X0-y0]": LBFGS + " (max_fun)",
    "test_lbfgs_classification_maxfun[X1-y1]": LBFGS + " (max_fun)",
    "test_lbfgs_regression_maxfun[X0-y0]": LBFGS + " (max_fun)",
    "test_learning_rate_warmstart": "learning_rate='invscaling', a scikit-learn schedule; "
    "reads the private _optimizer",
    "test_multilabel_classification": LBFGS + " (its first fit)",
    "test_multioutput_regression": LBFGS,
    "test_partial_fit_errors": LBFGS + " (asks an L-BFGS model for partial_fit)",
    "test_predict_proba_multilabel": LBFGS,
    "test_sparse_matrices[csr_matrix]": "sparse input; " + LBFGS,
    "test_sparse_matrices[csr_array]": "sparse input; " + LBFGS,
    "test_adaptive_learning_rate": "learning_rate='adaptive', a scikit-learn schedule; "
    "reads the private _optimizer",
    "test_warm_start": LBFGS,
    "test_n_iter_no_change": "reads the private _no_improvement_count",
    "test_n_iter_no_change_inf": "reads the private _no_improvement_count",
    "test_mlp_warm_start_no_convergence[lbfgs-MLPClassifier]": LBFGS,
    "test_mlp_warm_start_no_convergence[lbfgs-MLPRegressor]": LBFGS,
    "test_mlp_vs_poisson_glm_equivalent": "loss='poisson', activation='identity', " + LBFGS,
}

#: Test id → why it fails: where xpnet differs from scikit-learn on purpose, or words a
#: refusal its own way. ``xfail(strict=True)``: a pass turns the run red.
EXPECTED_TO_FAIL: dict[str, str] = {
    "test_early_stopping_stratified": "refused as scikit-learn refuses it, but the class "
    "is named by its label, [1], where scikit-learn names its internal binarised one, "
    "['True']",
    "test_mlp_diverging_loss": "by design: a run whose loss leaves the float range "
    "raises DivergenceError (naming the epoch and the rate), with early stopping too; "
    "scikit-learn records a NaN score and keeps its best parameters",
    "test_nonfinite_params": "refused with xpnet's own message (the epoch whose loss "
    "became infinite, and the rate), a ValueError as scikit-learn's is",
    "test_preserve_feature_names[MLPClassifier]": "by design: y of a single class is "
    "refused (a classifier needs two classes); scikit-learn fits it",
}


# -- scikit-learn's tests, collected here --------------------------------------------


def _swap(value: Any) -> Any:
    if value is SKLEARN_CLASSIFIER:
        return MLPClassifier
    return MLPRegressor if value is SKLEARN_REGRESSOR else value


def _adopted(test: Any) -> Any:
    """scikit-learn's ``test`` with the adapters in its parametrisations.

    A ``parametrize("MLPEstimator", [MLPClassifier, MLPRegressor])`` holds scikit-learn's
    classes, taken when its module was imported; the copy holds the adapters instead,
    under the same names, so the ids stay scikit-learn's.
    """

    @functools.wraps(test)
    def adopted(*args: Any, **kwargs: Any) -> Any:
        return test(*args, **kwargs)

    marks = []
    for mark in getattr(test, "pytestmark", []):
        if mark.name == "parametrize":
            names, values = mark.args
            values = [
                tuple(_swap(v) for v in value) if isinstance(value, tuple) else _swap(value)
                for value in values
            ]
            mark = pytest.mark.parametrize(names, values, **mark.kwargs).mark
        marks.append(mark)
    adopted.pytestmark = marks
    return adopted


SKLEARN_TESTS = sorted(name for name in vars(mlp) if name.startswith("test_"))
for _name in SKLEARN_TESTS:
    setattr(sys.modules[__name__], _name, _adopted(getattr(mlp, _name)))


@pytest.fixture
def global_random_seed() -> int:
    """scikit-learn's seed fixture, at its default seed."""
    return 42


@pytest.fixture(autouse=True)
def _judge(request, monkeypatch):
    """The adapters in scikit-learn's module, and each test's entry in the tables."""
    name = request.node.name
    if name in CANNOT_APPLY:
        pytest.skip(f"cannot apply: {CANNOT_APPLY[name]}")
    if name in EXPECTED_TO_FAIL:
        request.applymarker(pytest.mark.xfail(strict=True, reason=EXPECTED_TO_FAIL[name]))
    monkeypatch.setattr(mlp, "MLPClassifier", MLPClassifier)
    monkeypatch.setattr(mlp, "MLPRegressor", MLPRegressor)


def test_tables_name_sklearn_tests(request):
    """Every entry of the tables names a test collected here: none is stale."""
    collected = {item.name for item in request.session.items}
    bases = {name.partition("[")[0] for name in collected}
    for name in [*CANNOT_APPLY, *EXPECTED_TO_FAIL]:
        assert name.partition("[")[0] in SKLEARN_TESTS, name
        if name.partition("[")[0] in bases and not request.config.option.keyword:
            assert name in collected, name
    assert not set(CANNOT_APPLY) & set(EXPECTED_TO_FAIL)

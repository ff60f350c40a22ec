"""scikit-learn's own estimator checks, every one of them, for every estimator.

scikit-learn is optional for xpnet (its estimators do not derive from scikit-learn's
BaseEstimator, hence the one warning silenced below); these tests skip, with a
reason, where it is not installed.
"""

import warnings

import pytest

sklearn_checks = pytest.importorskip("sklearn.utils.estimator_checks")

import xpnet  # noqa: E402

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Estimator .* does not inherit from", UserWarning)
    CHECKS = sklearn_checks.parametrize_with_checks(
        [xpnet.LogisticRegression(), xpnet.TwoLayerNet(), xpnet.DeepNet(), xpnet.DeepRegressor()]
    )


@CHECKS
@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from:UserWarning")
def test_scikit_learn_estimator_checks(estimator, check):
    with xpnet.use_backend("numpy"):
        check(estimator)

"""xpnet's exceptions and warnings, which are scikit-learn's too where it is installed.

``except xpnet.NotFittedError`` and ``except sklearn.exceptions.NotFittedError`` both
catch what xpnet raises: when scikit-learn can be imported, the error raised is a
class derived from both. scikit-learn is imported only when such an error is raised.
"""

from __future__ import annotations

from functools import cache

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "DivergenceError",
    "InvalidParameterError",
    "NotFittedError",
    "TrainingInterrupted",
    "convergence",
    "data_conversion",
    "not_fitted",
]


class NotFittedError(ValueError, AttributeError):
    """The model was used before ``fit``."""


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter or an option outside what it accepts (scikit-learn's name): a
    ValueError for a wrong value and a TypeError for a wrong type alike."""


class DataConversionWarning(UserWarning):
    """Input data was converted, e.g. a column vector y flattened to 1-D."""


class ConvergenceWarning(UserWarning):
    """Training reached ``num_iterations`` while its stopping rule was still waiting:
    more epochs would have improved the model."""


class DivergenceError(FloatingPointError, ValueError):
    """Training left the float range (NaN or infinity): a step too large, or inputs on a
    scale the arithmetic cannot hold. A ValueError too, as scikit-learn raises one."""


class TrainingInterrupted(RuntimeWarning):
    """Training was interrupted (Ctrl-C); the model keeps its last completed step."""


@cache
def _with_sklearn(ours: type, name: str) -> type:
    try:
        import sklearn.exceptions
    except ImportError:
        return ours
    theirs = getattr(sklearn.exceptions, name)
    return type(name, (theirs, ours), {"__module__": __name__, "__doc__": ours.__doc__})


def not_fitted(message: str) -> NotFittedError:
    """A NotFittedError that scikit-learn's ``except NotFittedError`` also catches."""
    return _with_sklearn(NotFittedError, "NotFittedError")(message)


def data_conversion() -> type[DataConversionWarning]:
    """The DataConversionWarning class to warn with (scikit-learn's too, where installed)."""
    return _with_sklearn(DataConversionWarning, "DataConversionWarning")


def convergence() -> type[ConvergenceWarning]:
    """The ConvergenceWarning class to warn with (scikit-learn's too, where installed)."""
    return _with_sklearn(ConvergenceWarning, "ConvergenceWarning")

"""What an honest answer is: a finite success, or an error that xpnet raised itself.

An error is *xpnet's own* when all three hold:

1. its class is ``ValueError``, ``TypeError``, ``FloatingPointError`` (a diverging fit)
   or ``FileNotFoundError``, or one of xpnet's classes (``xpnet.NotFittedError``,
   ``xpnet.io.InvalidModelFileError``, ``xpnet.BackendUnavailableError``);
2. it was raised by a ``raise`` statement of the xpnet package: the innermost frame of
   its traceback is a line of an xpnet module that starts with ``raise``. An error of
   NumPy, PyTorch or Python that passes through xpnet ends its traceback elsewhere, or
   on the line that made the call (which is no ``raise``);
3. its message says what was expected, in the house form ("Invalid X. Expected ...
   Received: ..."): it holds "Expected", "expecting" or "Invalid"; a NotFittedError, an
   xpnet error class and a divergence ("Training diverged") say it their own way.

Warnings are errors while xpnet runs: a warning that leaks out of NumPy or PyTorch
(overflow, divide by zero) becomes an exception that fails rule 1. xpnet's documented
warnings are allowed: DataConversionWarning (a column-vector y) and ConvergenceWarning
(a fit that reached num_iterations with its stopping rule still waiting).
"""

from __future__ import annotations

import copy
import io
import linecache
import pickle
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import xpnet
from xpnet.exceptions import ConvergenceWarning, DataConversionWarning
from xpnet.io import InvalidModelFileError

XPNET_DIR = Path(xpnet.__file__).resolve().parent
ALLOWED = (ValueError, TypeError, FloatingPointError, FileNotFoundError)
OWN_CLASSES = (xpnet.NotFittedError, InvalidModelFileError, xpnet.BackendUnavailableError)
SAYS_EXPECTED = re.compile(r"Expected|expecting|Invalid|Training diverged")


@dataclass
class Refused:
    """The outcome of a call that xpnet refused, honestly."""

    error: Exception

    def __repr__(self) -> str:
        return f"Refused({type(self.error).__name__}: {self.error})"


def where_raised(exc: BaseException) -> tuple[str, int, str]:
    """The file, line number and source line of the innermost frame of ``exc``."""
    tb = exc.__traceback__
    if tb is None:
        return "<unknown>", 0, ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename
    return filename, tb.tb_lineno, linecache.getline(filename, tb.tb_lineno).strip()


def is_own_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an error of xpnet's own (the module docstring's rule)."""
    if not isinstance(exc, ALLOWED + OWN_CLASSES):
        return False
    filename, _, line = where_raised(exc)
    inside = Path(filename).resolve().is_relative_to(XPNET_DIR)
    if not (inside and line.startswith("raise")):
        return False
    return isinstance(exc, OWN_CLASSES) or bool(SAYS_EXPECTED.search(str(exc)))


def describe(exc: BaseException) -> str:
    filename, lineno, line = where_raised(exc)
    where = Path(filename)
    shown = (
        where.relative_to(XPNET_DIR.parent) if where.is_relative_to(XPNET_DIR.parent) else where
    )
    return f"{type(exc).__name__}: {exc} (raised at {shown}:{lineno}: {line!r})"


def attempt(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, or :class:`Refused` when xpnet refuses it honestly.

    Warnings are errors meanwhile. Any other exception fails the test, saying where
    the exception came from.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DataConversionWarning)
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            if is_own_error(exc):
                return Refused(exc)
            name = getattr(call, "__qualname__", repr(call))
            kind = (
                "leaked a warning" if isinstance(exc, Warning) else "raised an error not its own"
            )
            raise AssertionError(f"{name} {kind}: {describe(exc)}") from exc


def refused(outcome: Any) -> bool:
    return isinstance(outcome, Refused)


# -- what a success must show --------------------------------------------------------------


def host(a: Any) -> np.ndarray:
    return np.asarray(xpnet.to_numpy(a)) if not isinstance(a, np.ndarray) else a


def assert_finite_model(model: Any) -> None:
    """Finite parameters, in a float dtype the ``dtype`` parameter allows."""
    assert model.dtype_ in ("float32", "float64"), f"model trained in {model.dtype_}"
    for name, value in model.parameters_.items():
        a = host(value)
        assert a.dtype in (np.float32, np.float64), f"{name} has dtype {a.dtype}"
        assert np.isfinite(a).all(), (
            f"a model xpnet returned as sound holds non-finite {name}: {a.ravel()[:6]}"
        )


def assert_sound_predictions(model: Any, X: Any) -> np.ndarray:
    """predict_proba finite, in [0, 1], rows summing to 1; predict among classes_.

    Returns the probabilities on the host.
    """
    proba = attempt(model.predict_proba, X)
    assert not refused(proba), f"a fitted model refused to predict: {proba}"
    P = host(proba).astype(np.float64)
    n_classes = len(model.classes_)
    assert P.shape == (np.shape(X)[0], n_classes), f"predict_proba has shape {P.shape}"
    assert np.isfinite(P).all(), f"predict_proba is not finite: {P[:3]}"
    assert ((P >= 0) & (P <= 1)).all(), f"predict_proba outside [0, 1]: {P[:3]}"
    tol = 1e-3 if model.dtype_ == "float32" else 1e-9
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=tol, err_msg="rows do not sum to 1")
    predicted = attempt(model.predict, X)
    assert not refused(predicted), f"a fitted model refused to predict: {predicted}"
    labels = label_keys(model.classes_)
    outside = [p for p in label_keys(host(predicted)) if p not in labels]
    assert not outside, f"predict returned labels outside classes_: {outside[:3]}"
    return P


def label_keys(labels: Any) -> list[str]:
    """Labels as comparable keys: their Python value's repr (NaN is 'nan', 1 and 1.0 differ)."""
    return [repr(v.item() if isinstance(v, np.generic) else v) for v in np.asarray(labels).ravel()]


# -- round trips: file, pickle, deepcopy ---------------------------------------------------


def round_trips(model: Any, X: Any, expected: Any, folder: Path, tag: str = "") -> None:
    """save → load, pickle → unpickle and deepcopy give back a model predicting ``expected``.

    ``expected`` is the probabilities the model gave when fitted, or a list of the
    answers that are right (after ``set_params``: those it was fitted with, and those it
    gives now). Each copy may refuse honestly *when written* (save, dumps, deepcopy);
    once written, it must load. A refused save must leave the file that was there loadable.
    """
    path = folder / f"model{tag}.npz"
    had_file = path.exists()
    saved = attempt(model.save, path)
    if refused(saved):
        if had_file:
            _same(attempt(xpnet.load, path), X, None, "the file a refused save left")
    else:
        _same(attempt(xpnet.load, path), X, expected, "save → load")
    dumped = attempt(pickle.dumps, model)
    if not refused(dumped):
        _same(attempt(pickle.loads, dumped), X, expected, "pickle → unpickle")
    # A copy in memory refuses only what a pickle refuses (it goes through the same state).
    _same(attempt(copy.deepcopy, model), X, expected, "copy.deepcopy", refused(dumped))
    try:
        import joblib
    except ImportError:
        return
    buffer = io.BytesIO()
    if not refused(attempt(joblib.dump, model, buffer)):
        buffer.seek(0)
        _same(attempt(joblib.load, buffer), X, expected, "joblib dump → load")


def _same(copy_: Any, X: Any, expected: Any, what: str, may_refuse: bool = False) -> None:
    if refused(copy_) and may_refuse:
        return
    assert not refused(copy_), f"{what}: cannot be loaded back: {copy_}"
    P = assert_sound_predictions(copy_, X)
    if expected is None:
        return
    answers = expected if isinstance(expected, list) else [expected]
    assert any(np.allclose(P, E, rtol=1e-5, atol=1e-7) for E in answers), (
        f"{what}: predicts {P[:2].tolist()}..., neither what the model was fitted to predict "
        f"nor what it predicts now: {[E[:2].tolist() for E in answers]}..."
    )

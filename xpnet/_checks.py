"""The shapes and values the course states, checked in its words before any arithmetic.

The course's functions (:mod:`xpnet.course`) and the engine's entry points that take
a user's numbers call these checks, so that a wrong shape is refused with what was
expected and what was received, instead of broadcasting into a wrong answer, and a
value that would divide by zero is refused instead of warning. Examples are columns:
X has shape (n_x, m), Y shape (n_y, m), W[l] shape (n_l, n_{l−1}), b[l] shape (n_l, 1).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import array_api_compat
import numpy as np  # edge: NumPy's scalars are the host's values

from .backend import namespace_and_device
from .exceptions import InvalidParameterError

__all__ = [
    "BELOW_ONE",
    "COUNT",
    "NON_NEGATIVE",
    "POSITIVE",
    "Interval",
    "Options",
    "check_fraction",
    "check_integer",
    "check_keys",
    "check_labels",
    "check_namespace",
    "check_param",
    "check_parameters",
    "check_params",
    "check_shape",
    "registered",
]

Array = Any
#: A dimension as the course writes it, and the size it must have (None: any).
Dim = tuple[str, int | None]

_RESHAPE = (
    "; examples are columns: reshape one example with x.reshape(-1, 1), "
    "or one feature of m examples with x.reshape(1, -1)"
)


def _spelled(dims: Iterable[Dim]) -> str:
    symbols = [s for s, _ in dims]
    sizes = [str(n) if n is not None else s for s, n in dims]
    if symbols == sizes:
        return f"({', '.join(symbols)})"
    return f"({', '.join(symbols)}) = ({', '.join(sizes)})"


def check_shape(
    name: str, A: Array, dims: tuple[Dim, ...], /, *, examples: bool = False, hint: str = ""
) -> None:
    """A of the shape ``dims``, e.g. ``(("n_x", None), ("m", 20))`` for X of shape (n_x, m).

    ``examples`` also asks for at least one example (m ≥ 1) in the last dimension;
    ``hint`` ends the message of a wrong shape (by default, for a vector where a matrix
    is expected, how to reshape it into columns).
    """
    shape = tuple(getattr(A, "shape", ()))
    ok = len(shape) == len(dims) and all(
        n is None or k == n for k, (_, n) in zip(shape, dims, strict=True)
    )
    if not ok:
        hint = hint or (_RESHAPE if len(shape) == 1 and len(dims) == 2 else "")
        raise ValueError(
            f"Invalid {name}. Expected an array of shape {_spelled(dims)}. "
            f"Received: {name} of shape {shape}{hint}"
        )
    if examples and shape[-1] < 1:
        raise ValueError(
            f"Invalid {name}. Expected at least one example (m ≥ 1). "
            f"Received: {name} of shape {shape}"
        )


def _arrays(values: Iterable[Any]) -> Iterator[Array]:
    """The arrays among ``values`` and inside their dicts, lists and tuples."""
    for value in values:
        if isinstance(value, Mapping):
            yield from _arrays(value.values())
        elif isinstance(value, list | tuple):
            yield from _arrays(value)
        elif array_api_compat.is_array_api_obj(value):
            yield value


def check_namespace(*values: Any, xp: Any = None) -> Any:
    """The array-API namespace of the arrays among ``values`` (``xp`` where given), once
    they are known to come from one library on one device, the arrays inside dicts,
    lists and tuples (parameters, caches) included: a TypeError for two libraries and a
    ValueError for two devices, before any arithmetic mixes them."""
    arrays = list(_arrays(values))
    if not arrays:  # no array at all: the library's own refusal
        return array_api_compat.array_namespace(*values) if xp is None else xp
    namespace, _ = namespace_and_device(*arrays)
    return namespace if xp is None else xp


def check_labels(
    Y: Array,
    shape: tuple[int, ...],
    dtype: Any,
    /,
    *,
    names: tuple[str, str],
    xp: Any,
    binary: bool = True,
) -> Array:
    """Y of the output's shape (n_y, m), with m ≥ 1, as floats of ``dtype``.

    ``names`` name the output and the labels in the message, e.g. ``("AL", "Y")``.
    Integer and boolean labels, as the course's data sets hold them, become floats.
    ``binary`` asks for labels 0 or 1 (one-hot columns with a softmax), as the
    cross-entropy means them; a regression's labels may be any numbers.
    """
    a, y = names
    shape = tuple(shape)
    if len(shape) != 2 or tuple(Y.shape) != shape:
        raise ValueError(
            f"Invalid {y}. Expected {a} and {y} of one shape (n_y, m): examples are columns. "
            f"Received {a} of shape {shape} and {y} of shape {tuple(Y.shape)}"
            + ("; reshape a vector of labels with y.reshape(1, -1)" if Y.ndim == 1 else "")
        )
    check_shape(y, Y, (("n_y", None), ("m", None)), examples=True)
    Y = Y if Y.dtype == dtype else xp.astype(Y, dtype)
    if binary and not bool(xp.all((Y == 0) | (Y == 1))):  # one reduction, read once
        raise ValueError(
            f"Invalid {y}. Expected labels 0 or 1 (one-hot columns with a softmax output). "
            f"Received: {y} with other values"
        )
    return Y


def check_keys(name: str, mapping: Any, expected: Iterable[str], /) -> None:
    """A dict ``name`` holding every key of ``expected``; a missing one is named."""
    expected = list(expected)
    if not isinstance(mapping, Mapping):
        raise TypeError(
            f"Invalid {name}. Expected a dict with the keys {', '.join(expected)}. "
            f"Received: {type(mapping).__name__}"
        )
    missing = [key for key in expected if key not in mapping]
    if missing:
        raise ValueError(
            f"Invalid {name}. Expected the keys {', '.join(expected)}. "
            f"Received a dict without {', '.join(map(repr, missing))}"
        )


def check_parameters(parameters: Any, n_x: int, L: int, /) -> None:
    """``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL": (n_L, n_{L−1}), "bL": (n_L, 1)}``."""
    layers = range(1, L + 1)
    check_keys("parameters", parameters, [f"{p}{i}" for i in layers for p in "Wb"])
    n_prev = n_x
    for l in range(1, L + 1):  # noqa: E741 (the course's layer index)
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        prev = "n_x" if l == 1 else f"n_{l - 1}"
        hint = "; n_x is X.shape[0], the number of features" if l == 1 else ""
        check_shape(f"parameters['W{l}']", W, ((f"n_{l}", None), (prev, n_prev)), hint=hint)
        check_shape(f"parameters['b{l}']", b, ((f"n_{l}", W.shape[0]), ("1", 1)))
        n_prev = W.shape[0]


class Interval:
    """Numbers of one ``kind`` (``numbers.Integral`` or ``numbers.Real``) between ``left``
    and ``right`` (None: unbounded), ``closed`` at "left", "right", "both" or "neither".

    As scikit-learn's ``Interval``: booleans are no numbers, an Integral interval refuses
    3.0, and NaN and infinity are outside every interval.
    """

    def __init__(self, kind: Any, left: float | None, right: float | None, *, closed: str) -> None:
        self.kind: Any = kind
        self.left, self.right, self.closed = left, right, closed

    def __contains__(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.kind):
            return False
        if not math.isfinite(value):
            return False
        low = self.left is None or value > self.left
        low = low or (value == self.left and self.closed in ("left", "both"))
        high = self.right is None or value < self.right
        high = high or (value == self.right and self.closed in ("right", "both"))
        return low and high

    def __str__(self) -> str:
        kind = "an int" if self.kind is numbers.Integral else "a float"
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        low = "-inf" if self.left is None else self.left
        high = "inf" if self.right is None else self.right
        return f"{kind} in the range {left}{low}, {high}{right}"


#: The ranges that most numbers take, the estimators' and the course's alike.
POSITIVE = Interval(numbers.Real, 0, None, closed="neither")  # a rate, ε
NON_NEGATIVE = Interval(numbers.Real, 0, None, closed="left")  # λ, a tolerance
COUNT = Interval(numbers.Integral, 1, None, closed="left")  # a positive int
BELOW_ONE = Interval(numbers.Real, 0, 1, closed="left")  # an average's β


class Options:
    """Exactly these values: a str matches only text, True and False only booleans."""

    def __init__(self, *values: Any) -> None:
        self.values = values

    def __contains__(self, value: Any) -> bool:
        value = value.item() if isinstance(value, np.generic) else value  # NumPy's scalars
        return any(
            type(value) is type(v) or (isinstance(value, str) and isinstance(v, str))
            for v in self.values
            if _equal(value, v)
        )

    def __str__(self) -> str:
        if len(self.values) == 1:
            return repr(self.values[0])
        return f"one of {sorted(self.values, key=str)}"


def _equal(value: Any, option: Any) -> bool:
    try:
        return bool(value == option)
    except (TypeError, ValueError):  # an array, say: no option
        return False


#: A constraint: an :class:`Interval`, :class:`Options`, or any object with ``in`` and ``str``.
Constraint = Any


def check_param(name: str, value: Any, constraints: Iterable[Constraint], /) -> Any:
    """``value`` if it meets one of ``constraints``; else the library's one refusal,
    ``Invalid <name>. Expected <what>. Received: <name>=<value>``, as an
    :class:`~xpnet.exceptions.InvalidParameterError` (a ValueError and a TypeError)."""
    constraints = list(constraints)
    if not any(value in c for c in constraints):
        expected = " or ".join(str(c) for c in constraints)
        raise InvalidParameterError(
            f"Invalid {name}. Expected {expected}. Received: {name}={value!r}"
        )
    return value


def check_params(params: Mapping[str, Any], table: Mapping[str, Iterable[Constraint]], /) -> None:
    """Every value of ``params`` that ``table`` constrains, by :func:`check_param`."""
    for name, constraints in table.items():
        check_param(name, params[name], constraints)


def check_integer(name: str, value: Any, /, *, minimum: int = 1) -> int:
    """``value`` as an int if it is an integer ≥ ``minimum``, not a bool. The course's
    functions take a whole float (3.0) as its int, as the course's notebooks compute
    sizes; the estimators' hyperparameters do not, as in scikit-learn."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return int(
        check_param(name, value, [Interval(numbers.Integral, minimum, None, closed="left")])
    )


def check_fraction(name: str, value: Any, /) -> float:
    """``value`` if it is a number in (0, 1], as a probability to keep a unit is."""
    return float(check_param(name, value, [Interval(numbers.Real, 0, 1, closed="right")]))


def registered(what: str, registry: Mapping[Any, Any], name: Any, /) -> Any:
    """``registry[name]``, or the refusal of :func:`check_param` listing the names."""
    return registry[check_param(what, name, [Options(*registry)])]

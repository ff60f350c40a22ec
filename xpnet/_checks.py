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
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "check_fraction",
    "check_integer",
    "check_keys",
    "check_labels",
    "check_parameters",
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
    ``hint`` ends the message of a wrong shape.
    """
    shape = tuple(getattr(A, "shape", ()))
    ok = len(shape) == len(dims) and all(
        n is None or k == n for k, (_, n) in zip(shape, dims, strict=True)
    )
    if not ok:
        hint = _RESHAPE if len(shape) == 1 and len(dims) == 2 else hint
        raise ValueError(
            f"Invalid {name}. Expected an array of shape {_spelled(dims)}. "
            f"Received: {name} of shape {shape}{hint}"
        )
    if examples and shape[-1] < 1:
        raise ValueError(
            f"Invalid {name}. Expected at least one example (m ≥ 1). "
            f"Received: {name} of shape {shape}"
        )


def check_labels(
    Y: Array, shape: tuple[int, ...], dtype: Any, /, *, names: tuple[str, str], xp: Any
) -> Array:
    """Y of the output's shape (n_y, m), with m ≥ 1, as floats of ``dtype``.

    ``names`` name the output and the labels in the message, e.g. ``("AL", "Y")``.
    Integer and boolean labels, as the course's data sets hold them, become floats.
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
    return Y if Y.dtype == dtype else xp.astype(Y, dtype)


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


def check_integer(name: str, value: Any, /, *, minimum: int = 1) -> int:
    """``value`` as an int if it is a whole number ≥ ``minimum`` (3 or 3.0; not a bool,
    not a fraction such as 2.7)."""
    whole = isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()
    )
    if not whole or isinstance(value, bool) or value < minimum:
        raise (ValueError if isinstance(value, numbers.Real) else TypeError)(
            f"Invalid {name}. Expected an integer ≥ {minimum}. Received: {name}={value!r}"
        )
    return int(value)


def check_fraction(name: str, value: Any, /) -> float:
    """``value`` if it is a number in (0, 1], as a probability to keep a unit is."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not 0 < float(value) <= 1:
        raise ValueError(f"Invalid {name}. Expected a number in (0, 1]. Received: {value!r}")
    return float(value)


def registered(what: str, registry: Mapping[Any, Any], name: Any, /) -> Any:
    """``registry[name]``, or a ValueError naming ``what`` and the names registered."""
    try:
        return registry[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name
        names = sorted(registry, key=str)
        raise ValueError(f"Invalid {what}. Expected one of {names}. Received: {name!r}") from None

"""Which backend is in force: :func:`use_backend`, :func:`set_backend`, the environment.

The backend is chosen, in order of precedence, by :func:`use_backend` (a context
manager), :func:`set_backend`, and the environment variables ``XPNET_BACKEND``,
``XPNET_DEVICE`` and ``XPNET_DTYPE``. The environment is read lazily, on each use,
and never written anywhere.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from ._backend import Backend, _check_name

__all__ = ["get_backend", "set_backend", "use_backend"]

# Set by set_backend() / use_backend(); None means "read the environment".
_override: tuple[str, str | None, str | None] | None = None


def _from_environment() -> tuple[str, str | None, str | None]:
    name = os.environ.get("XPNET_BACKEND", "").strip().lower() or "numpy"
    device = os.environ.get("XPNET_DEVICE", "").strip() or None
    dtype = os.environ.get("XPNET_DTYPE", "").strip().lower() or None
    return _check_name(name, "XPNET_BACKEND"), device, dtype


def get_backend() -> Backend:
    """The backend in force: :func:`use_backend`, :func:`set_backend`, then the environment
    (``XPNET_BACKEND``, ``XPNET_DEVICE``, ``XPNET_DTYPE``), loaded and checked as
    :meth:`Backend.load` does, with its errors."""
    return Backend.load(*(_override or _from_environment()))


def chosen_dtype() -> str | None:
    """The float dtype the user chose for the backend in force (``set_backend``,
    ``use_backend`` or ``XPNET_DTYPE``); None where it is the device's default."""
    return (_override or _from_environment())[2]


def set_backend(name: str, device: str | None = None, dtype: str | None = None) -> Backend:
    """Choose the backend for this process, overriding ``XPNET_BACKEND``.

    Everything is validated before anything changes: a failed call leaves the previous
    backend in force. :meth:`Backend.load` builds the same backend without choosing it.

    Parameters
    ----------
    name, device, dtype : str
        As :meth:`Backend.load` takes them.
    """
    global _override
    backend = Backend.load(name, device, dtype)
    _override = (name, device, dtype)
    return backend


@contextlib.contextmanager
def use_backend(
    name: str, device: str | None = None, dtype: str | None = None
) -> Iterator[Backend]:
    """Use a backend inside a ``with`` block, then restore the previous choice."""
    global _override
    previous = _override
    backend = set_backend(name, device, dtype)
    try:
        yield backend
    finally:
        _override = previous

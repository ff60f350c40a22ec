"""Which backend is in force, conversions to it and back, and what this machine offers.

The backend is chosen, in order of precedence, by :func:`use_backend` (a context
manager), :func:`set_backend`, and the environment variables ``XPNET_BACKEND``,
``XPNET_DEVICE`` and ``XPNET_DTYPE``, read lazily on each use and never written.
:func:`asarray` moves host data there; :func:`to_numpy` brings any array back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat
import array_api_compat.numpy
import numpy as np  # edge: conversions to and from the host

from ._adapters import ADAPTERS, adapter_of
from ._backend import (
    BACKENDS,
    Backend,
    _check_name,
    device_name,
    dtype_name,
    is_host_data,
    namespace_and_device,
)

__all__ = [
    "as_arrays",
    "asarray",
    "available_backends",
    "chosen_dtype",
    "describe_backends",
    "get_backend",
    "set_backend",
    "to_numpy",
    "use_backend",
]

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
    """Choose the backend for this process (``name``, ``device``, ``dtype`` as
    :meth:`Backend.load` takes them), overriding ``XPNET_BACKEND``; a failed call leaves
    the previous backend in force."""
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


def asarray(obj: Any, dtype: Any = None, *, backend: Backend | None = None) -> Any:
    """Host data on the current backend (or ``backend``): :meth:`Backend.put`."""
    return (get_backend() if backend is None else backend).put(obj, dtype)


def to_numpy(x: Any) -> np.ndarray:
    """Bring an array of any backend, on any device, to the host as a NumPy array."""
    if is_host_data(x):
        return np.asarray(x)
    adapter = adapter_of(array_api_compat.array_namespace(x))
    return np.asarray(x) if adapter is None else adapter.to_host(x)


def as_arrays(*objs: Any) -> tuple[ModuleType, Any, list[Any]]:
    """xp, device and the arrays, for a function that accepts host data and backend
    arrays alike: host data joins the backend arrays' device, or else all stay on the
    host as NumPy arrays."""
    on_backend = [x for x in objs if not is_host_data(x)]
    if not on_backend:
        return array_api_compat.numpy, "cpu", [np.asarray(x) for x in objs]
    xp, device = namespace_and_device(*on_backend)
    return xp, device, [x if not is_host_data(x) else xp.asarray(x, device=device) for x in objs]


def available_backends() -> list[str]:
    """The backend names that work on this machine right now (installed, device present)."""
    usable = []
    for name in BACKENDS:
        try:
            Backend.load(name)
        except (ImportError, ValueError, RuntimeError):
            continue
        usable.append(name)
    return usable


def describe_backends() -> list[dict[str, Any]]:
    """Every backend: its version, device names and default float, or why it is unavailable."""
    rows = []
    for name, adapter in ADAPTERS.items():
        try:
            module = adapter.load()
            devices = dict.fromkeys(device_name(d) for d in adapter.devices(module).values())
            dtype = dtype_name(Backend.load(name).dtype)
        except ImportError as exc:
            rows.append({"name": name, "available": False, "reason": str(exc)})
            continue
        version = getattr(module, "__version__", "?")
        rows.append(
            {
                "name": name,
                "available": True,
                "version": version,
                "devices": list(devices),
                "dtype": dtype,
            }
        )
    return rows

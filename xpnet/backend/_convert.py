"""Conversions between the host and the backend in force.

Host data (lists, NumPy arrays) is moved to the current backend explicitly with
:func:`asarray` (or to any :class:`Backend` with :meth:`Backend.put`); :func:`to_numpy`
brings any backend's array back to the host. Arrays that already live on a backend are
never moved silently.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat
import array_api_compat.numpy
import numpy as np  # edge: conversions to and from the host

from ._adapters import adapter_of
from ._backend import Backend, is_host_data, namespace_and_device
from ._select import get_backend

__all__ = ["as_arrays", "asarray", "to_numpy"]


def asarray(obj: Any, dtype: Any = None, *, backend: Backend | None = None) -> Any:
    """Put host data (a list, a NumPy array) on the current backend and device.

    An array that already lives on a backend is returned as it is (with ``dtype``
    applied) when it lives on the current backend and device; otherwise this raises
    rather than move it silently.

    Parameters
    ----------
    obj : array_like
    dtype : dtype or {"float32", "float64"}, optional
        None keeps integer and boolean data as they are and puts floating data in the
        backend's float dtype.
    backend : Backend, optional
        Defaults to :func:`get_backend`; ``asarray(x, backend=b)`` is ``b.put(x)``.
    """
    return (get_backend() if backend is None else backend).put(obj, dtype)


def to_numpy(x: Any) -> np.ndarray:
    """Bring an array of any backend, on any device, to the host as a NumPy array."""
    if is_host_data(x):
        return np.asarray(x)
    adapter = adapter_of(array_api_compat.array_namespace(x))
    return np.asarray(x) if adapter is None else adapter.to_host(x)


def as_arrays(*objs: Any) -> tuple[ModuleType, Any, list[Any]]:
    """Arrays for a function that accepts host data and backend arrays alike.

    Host data joins the backend arrays' namespace and device (an explicit move, as
    :func:`asarray` makes); with no backend array among them everything stays on the
    host, as NumPy arrays.

    Returns
    -------
    xp, device, arrays
    """
    on_backend = [x for x in objs if not is_host_data(x)]
    if not on_backend:
        return array_api_compat.numpy, "cpu", [np.asarray(x) for x in objs]
    xp, device = namespace_and_device(*on_backend)
    return xp, device, [x if not is_host_data(x) else xp.asarray(x, device=device) for x in objs]

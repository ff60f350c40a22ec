"""Short, readable names for the things a backend is made of: its library, device, dtype.

Every name is a string that survives a pickle and a log line: ``"torch"``, ``"cuda:0"``,
``"float64"``. Each library's own spelling is read by its adapter.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._adapters import ADAPTERS, adapter_of

__all__ = ["backend_name", "device_name", "dtype_name", "library_name"]


def backend_name(xp: ModuleType) -> str:
    """The backend name of an array-API namespace (its module name where it is none of ours)."""
    adapter = adapter_of(xp)
    return xp.__name__ if adapter is None else adapter.name


def device_name(device: Any) -> str:
    """A short, readable name for a backend's device object: ``cpu``, ``cuda:0``..."""
    if isinstance(device, str):  # NumPy's "cpu"
        return device
    module = type(device).__module__.split(".")[0]
    adapter = ADAPTERS.get("jax" if module == "jaxlib" else module)
    return str(device) if adapter is None else adapter.device_name(device)


def dtype_name(dtype: Any) -> str:
    """``float32`` or ``float64``, whatever the library's spelling of the dtype."""
    return str(dtype).rsplit(".", 1)[-1].strip("'>")


def library_name(x: Any) -> str:
    """The top-level module of the library an array comes from: ``torch``, ``jaxlib``..."""
    return type(x).__module__.split(".")[0]

"""What this machine offers: the backends that work here, and why the others do not."""

from __future__ import annotations

from typing import Any

from ._adapters import ADAPTERS
from ._backend import BACKENDS, Backend
from ._names import device_name, dtype_name

__all__ = ["available_backends", "describe_backends"]


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

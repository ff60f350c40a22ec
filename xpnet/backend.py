"""Which array library, which device, which dtype; conversions to and from the host.

The backend is chosen, in order of precedence, by :func:`use_backend` (a context
manager), :func:`set_backend`, and the environment variables ``XPNET_BACKEND``,
``XPNET_DEVICE`` and ``XPNET_DTYPE``. The environment is read lazily, on first use,
and never written anywhere.

The dtype policy: float64 where the device supports it, so that results match the
course's NumPy outputs, float32 where it does not.

Arrays that already live on a backend are never moved silently. Host data (lists,
NumPy arrays) is moved explicitly with :func:`asarray`; :func:`to_numpy` brings any
backend's array back to the host.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import array_api_compat
import array_api_compat.numpy
import numpy as np  # edge: conversions to and from the host

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendUnavailableError",
    "array_namespace",
    "as_arrays",
    "asarray",
    "available_backends",
    "backend_name",
    "default_float",
    "device_name",
    "dtype_name",
    "get_backend",
    "is_host_data",
    "set_backend",
    "to_numpy",
    "use_backend",
]

#: Backend names, with the pip extra that installs each library.
BACKENDS: dict[str, str] = {
    "numpy": "",
    "cupy": "cuda12",
    "torch": "torch",
    "jax": "jax",
    "array_api_strict": "test",
}
_FLOATS = ("float32", "float64")


_import_module = importlib.import_module  # tests replace it to simulate missing libraries


class BackendUnavailableError(ImportError):
    """The backend's library is not installed, or its device is not present."""


@dataclass(frozen=True)
class Backend:
    """An array library, one of its devices, and the default float dtype there.

    Attributes
    ----------
    name : str
        One of :data:`BACKENDS`.
    xp : module
        The array-API namespace (array-api-compat's wrapper where one is needed).
    device : object
        The library's own device object, as ``array_api_compat.device`` reports it.
    dtype : object
        The default floating dtype: float64 where the device supports it.
    """

    name: str
    xp: ModuleType
    device: Any
    dtype: Any

    def __str__(self) -> str:
        return f"{self.name} on {device_name(self.device)} ({dtype_name(self.dtype)})"

    def asarray(self, obj: Any, dtype: Any = None) -> Any:
        """Put host data on this backend and device (see :func:`asarray`)."""
        return asarray(obj, dtype=dtype, backend=self)


# Set by set_backend() / use_backend(); None means "read the environment".
_override: tuple[str, str | None, str | None] | None = None


def _check_name(name: str, source: str) -> str:
    if name not in BACKENDS:
        raise ValueError(
            f"Invalid {source}. Expected one of {sorted(BACKENDS)}. Received: {source}={name!r}"
        )
    return name


def _import(name: str) -> ModuleType:
    try:
        module = _import_module(name)
    except ImportError as exc:
        extra = BACKENDS[name]
        fix = (
            "pip install 'xpnet[cuda12]' (CUDA 12) or 'xpnet[cuda13]' (CUDA 13)"
            if name == "cupy"
            else f"pip install 'xpnet[{extra}]'"
        )
        raise BackendUnavailableError(
            f"The {name!r} backend needs the {name!r} package, which is not "
            f"installed ({exc}). Install it with: {fix}"
        ) from exc
    if name == "cupy":
        try:
            count = module.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDA driver missing or broken
            count, why = 0, f": {exc}"
        else:
            why = ""
        if count == 0:
            raise BackendUnavailableError(
                f"CuPy is installed but found no CUDA device{why}. Run on a machine with an "
                "NVIDIA GPU and its driver, or choose another backend, e.g. XPNET_BACKEND=numpy"
            )
    if name == "jax":
        # The dtype policy needs float64 to exist; JAX hides it unless asked.
        module.config.update("jax_enable_x64", True)
    return module


def _namespace(name: str, module: ModuleType) -> ModuleType:
    if name == "jax":
        return module.numpy
    return array_api_compat.array_namespace(module.asarray(0.0))


def _devices(name: str, module: ModuleType) -> dict[str, Any]:
    """The device names that XPNET_DEVICE accepts for this backend, on this machine.

    The first entry is the default device.
    """
    if name == "numpy":
        return {"cpu": "cpu"}
    if name == "cupy":
        gpus = {
            f"cuda:{i}": module.cuda.Device(i) for i in range(module.cuda.runtime.getDeviceCount())
        }
        return {"cuda": gpus["cuda:0"], **gpus}
    if name == "torch":
        gpus = {f"cuda:{i}": module.device(f"cuda:{i}") for i in range(module.cuda.device_count())}
        cpu = {"cpu": module.device("cpu")}
        # A GPU machine trains on its GPU unless told otherwise.
        return {"cuda": gpus["cuda:0"], **gpus, **cpu} if gpus else cpu
    if name == "jax":
        named = {device_name(d): d for d in module.devices()}
        return {module.devices()[0].platform: module.devices()[0], **named}
    devices = module.__array_namespace_info__().devices()
    return {"cpu": devices[0], **{device_name(d): d for d in devices}}


@cache
def _load(name: str, device: str | None, dtype: str | None) -> Backend:
    module = _import(name)
    xp = _namespace(name, module)
    devices = _devices(name, module)
    if device is not None and device not in devices:
        raise ValueError(
            f"Invalid XPNET_DEVICE for the {name!r} backend. Expected one of {list(devices)}. "
            f"Received: XPNET_DEVICE={device!r}"
        )
    dev = devices[device or next(iter(devices))]
    floats = xp.__array_namespace_info__().dtypes(device=dev, kind="real floating")
    if dtype is None:
        dtype = dtype_name(default_float(xp, dev))
    elif dtype not in _FLOATS:
        raise ValueError(
            f"Invalid XPNET_DTYPE. Expected one of {list(_FLOATS)}. Received: XPNET_DTYPE={dtype!r}"
        )
    elif dtype not in floats:
        raise ValueError(
            f"Invalid XPNET_DTYPE for the {name!r} backend on device {device_name(dev)}: it "
            f"does not support {dtype}. Expected one of {sorted(floats)}. "
            f"Received: XPNET_DTYPE={dtype!r}"
        )
    return Backend(name=name, xp=xp, device=dev, dtype=getattr(xp, dtype))


def default_float(xp: ModuleType, device: Any) -> Any:
    """The dtype policy: float64 where ``device`` supports it, float32 where it does not."""
    floats = xp.__array_namespace_info__().dtypes(device=device, kind="real floating")
    return floats.get("float64", floats["float32"])


def _from_environment() -> tuple[str, str | None, str | None]:
    name = os.environ.get("XPNET_BACKEND", "").strip().lower() or "numpy"
    device = os.environ.get("XPNET_DEVICE", "").strip() or None
    dtype = os.environ.get("XPNET_DTYPE", "").strip().lower() or None
    return _check_name(name, "XPNET_BACKEND"), device, dtype


def get_backend() -> Backend:
    """The backend in force: :func:`use_backend`, :func:`set_backend`, then the environment.

    Raises
    ------
    ValueError
        For an unknown backend, device or dtype name.
    BackendUnavailableError
        When the library is not installed, or CuPy finds no CUDA device.
    """
    return _load(*(_override or _from_environment()))


def set_backend(name: str, device: str | None = None, dtype: str | None = None) -> Backend:
    """Choose the backend for this process, overriding ``XPNET_BACKEND``.

    Everything is validated before anything changes: a failed call leaves the previous
    backend in force.

    Parameters
    ----------
    name : {"numpy", "cupy", "torch", "jax", "array_api_strict"}
    device : str, optional
        ``"cpu"``, ``"cuda:1"``, array-api-strict's ``"device1"``...; None picks the
        library's default (for PyTorch, CUDA when available).
    dtype : {"float32", "float64"}, optional
        None picks float64 where the device supports it.
    """
    global _override
    key = (_check_name(name, "backend name"), device, dtype)
    backend = _load(*key)
    _override = key
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


def available_backends() -> list[str]:
    """The backend names that work on this machine right now (installed, device present)."""
    usable = []
    for name in BACKENDS:
        try:
            _load(name, None, None)
        except (ImportError, ValueError, RuntimeError):
            continue
        usable.append(name)
    return usable


def is_host_data(obj: Any) -> bool:
    """True for data that lives on the host and belongs to no backend: lists, NumPy arrays."""
    return not array_api_compat.is_array_api_obj(obj) or array_api_compat.is_numpy_array(obj)


def _library(x: Any) -> str:
    return type(x).__module__.split(".")[0]


def array_namespace(*arrays: Any) -> tuple[ModuleType, Any]:
    """The namespace and device shared by ``arrays``.

    Raises
    ------
    TypeError
        When the arrays come from two array libraries.
    ValueError
        When they live on two devices.
    """
    libraries = {_library(x) for x in arrays}
    if len(libraries) > 1:
        raise TypeError(
            f"Expected arrays from one array library. Received arrays from {sorted(libraries)}. "
            "Move them to one backend first, e.g. xpnet.asarray(xpnet.to_numpy(x))"
        )
    devices = [array_api_compat.device(x) for x in arrays]
    for other in devices[1:]:
        if other != devices[0]:
            raise ValueError(
                f"Expected arrays on one device. Received arrays on {device_name(devices[0])} "
                f"and {device_name(other)}. Move them to one device first"
            )
    return array_api_compat.array_namespace(*arrays), devices[0]


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
    xp, device = array_namespace(*on_backend)
    return xp, device, [x if not is_host_data(x) else xp.asarray(x, device=device) for x in objs]


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
        backend's default float dtype.
    backend : Backend, optional
        Defaults to :func:`get_backend`.
    """
    backend = get_backend() if backend is None else backend
    xp = backend.xp
    if isinstance(dtype, str):
        dtype = getattr(xp, dtype)
    if not is_host_data(obj) or (backend.name == "numpy" and isinstance(obj, np.ndarray)):
        if array_api_compat.array_namespace(obj) is not xp:
            raise TypeError(
                f"Expected host data or an array of the current backend ({backend}). "
                f"Received an array of {_library(obj)!r}. Convert it explicitly with "
                "xpnet.to_numpy(x) first"
            )
        if array_api_compat.device(obj) != backend.device:
            raise ValueError(
                f"Expected an array on {device_name(backend.device)}. Received an array on "
                f"{device_name(array_api_compat.device(obj))}"
            )
        return obj if dtype is None or obj.dtype == dtype else xp.astype(obj, dtype)
    host = np.asarray(obj)
    if host.dtype.kind in "OSUV":
        raise TypeError(
            f"Expected numeric data. Received an array of dtype {host.dtype} "
            f"(shape {host.shape}), which no array-API backend holds"
        )
    if dtype is None and host.dtype.kind == "f":
        dtype = backend.dtype
    return xp.asarray(host, dtype=dtype, device=backend.device)


def to_numpy(x: Any) -> np.ndarray:
    """Bring an array of any backend, on any device, to the host as a NumPy array."""
    if is_host_data(x):
        return np.asarray(x)
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_array_api_strict_namespace(array_api_compat.array_namespace(x)):
        import array_api_strict

        x = x.to_device(array_api_strict.Device("CPU_DEVICE"))
    return np.asarray(x)


def backend_name(xp: ModuleType) -> str:
    """The backend name of an array-API namespace (its module name where it is none of ours)."""
    checks = {
        "numpy": array_api_compat.is_numpy_namespace,
        "cupy": array_api_compat.is_cupy_namespace,
        "torch": array_api_compat.is_torch_namespace,
        "jax": array_api_compat.is_jax_namespace,
        "array_api_strict": array_api_compat.is_array_api_strict_namespace,
    }
    return next((name for name, is_it in checks.items() if is_it(xp)), xp.__name__)


def device_name(device: Any) -> str:
    """A short, readable name for a backend's device object: ``cpu``, ``cuda:0``..."""
    if hasattr(device, "_device"):  # array-api-strict
        return str(device._device)
    if hasattr(device, "platform") and hasattr(device, "id"):  # JAX
        return f"{device.platform}:{device.id}"
    if type(device).__module__.startswith("cupy"):
        return f"cuda:{device.id}"
    return str(device)


def dtype_name(dtype: Any) -> str:
    """``float32`` or ``float64``, whatever the library's spelling of the dtype."""
    return str(dtype).rsplit(".", 1)[-1].strip("'>")

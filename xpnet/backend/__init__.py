"""Which array library, which device, which dtype; conversions to and from the host.

The backend is chosen, in order of precedence, by :func:`use_backend` (a context
manager), :func:`set_backend`, and the environment variables ``XPNET_BACKEND``,
``XPNET_DEVICE`` and ``XPNET_DTYPE``. The environment is read lazily, on first use,
and never written anywhere.

The dtype policy: float64 where the device supports it, so that results match the
course's NumPy outputs, float32 where it does not (array-api-strict's ``no_float64``,
and JAX unless its 64-bit mode is on).

A :class:`Backend` is also the one definition of *where arrays live*: a namespace, a
device and a float dtype. Host data (lists, NumPy arrays) is moved there explicitly
with :meth:`Backend.put` or :func:`asarray`; :func:`to_numpy` brings any backend's
array back to the host. Arrays that already live on a backend are never moved silently.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import array_api_compat
import array_api_compat.numpy
import numpy as np  # edge: conversions to and from the host

from ._adapters import ADAPTERS, BackendUnavailableError, adapter_of

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
    "describe_backends",
    "device_name",
    "dtype_name",
    "get_backend",
    "is_host_data",
    "set_backend",
    "to_numpy",
    "use_backend",
]

#: Backend names.
BACKENDS: tuple[str, ...] = tuple(ADAPTERS)
_FLOATS = ("float32", "float64")


@dataclass(frozen=True, eq=False)
class Backend:
    """Where arrays live: an array library, one of its devices, and a float dtype.

    Attributes
    ----------
    name : str
        One of :data:`BACKENDS`.
    xp : module
        The array-API namespace (array-api-compat's wrapper where one is needed).
    device : object
        The library's own device object, as ``array_api_compat.device`` reports it.
    dtype : object
        The float dtype of this placement: by default float64 where the device has it.
    """

    name: str
    xp: ModuleType
    device: Any
    dtype: Any

    # -- identity: by names, so that a CuPy device (unhashable) or a pickle is no problem

    def _key(self) -> tuple[str, str, str]:
        return self.name, device_name(self.device), dtype_name(self.dtype)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Backend) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple:
        return _reload, self._key()

    def __str__(self) -> str:
        return f"{self.name} on {device_name(self.device)} ({dtype_name(self.dtype)})"

    def __repr__(self) -> str:
        name, device, dtype = self._key()
        return f"Backend({name!r}, {device!r}, {dtype!r})"

    # -- the placement's operations -----------------------------------------------------

    @classmethod
    def current(cls) -> Backend:
        """The backend in force (:func:`get_backend`)."""
        return get_backend()

    @classmethod
    def of(cls, x: Any, dtype: Any = None) -> Backend:
        """Where the backend array ``x`` lives; its float dtype, or the device's default."""
        xp, device = array_namespace(x)
        if dtype is None:
            dtype = x.dtype if xp.isdtype(x.dtype, "real floating") else default_float(xp, device)
        elif isinstance(dtype, str):
            dtype = getattr(xp, dtype)
        return cls(backend_name(xp), xp, device, dtype)

    def with_dtype(self, dtype: str | None) -> Backend:
        """The same library and device, with another float dtype (None keeps this one)."""
        if dtype is None:
            return self
        floats = _floats(self.xp, self.device)
        if dtype not in floats:
            raise ValueError(
                f"Invalid dtype for {self.name} on {device_name(self.device)}. Expected one of "
                f"{sorted(floats)}. Received: dtype={dtype!r}"
            )
        return Backend(self.name, self.xp, self.device, floats[dtype])

    def put(self, host: Any, dtype: Any = None) -> Any:
        """Host data → this device; floats (and, with ``dtype``, everything) in its dtype."""
        return asarray(host, dtype=dtype, backend=self)

    def zeros(self, shape: tuple[int, ...]) -> Any:
        """Zeros of ``shape`` in this dtype, created on this device (not the library's default)."""
        return self.put(np.zeros(shape), self.dtype)

    def check(self, x: Any, what: str = "the array") -> Any:
        """Refuse an array of another library or device; return it in this dtype."""
        xp, device = array_namespace(x)
        if xp is not self.xp or device != self.device:
            raise TypeError(
                f"Expected {what} on {self.name} on {device_name(self.device)}, where the model "
                f"lives. Received an array of {backend_name(xp)} on {device_name(device)}. "
                "Move it with xpnet.asarray(xpnet.to_numpy(x)) inside xpnet.use_backend(...)"
            )
        if xp.isdtype(x.dtype, "real floating") and x.dtype != self.dtype:
            return xp.astype(x, self.dtype)
        return x

    def synchronize(self, *pending: Any) -> None:
        """Wait until this device has finished its queued work (for timing); JAX waits
        on the ``pending`` arrays (or pytrees of them) given."""
        ADAPTERS[self.name].synchronize(self.device, pending)

    def asarray(self, obj: Any, dtype: Any = None) -> Any:
        """Put host data on this backend and device (see :func:`asarray`)."""
        return asarray(obj, dtype=dtype, backend=self)


def _reload(name: str, device: str, dtype: str) -> Backend:
    """A pickled Backend, on this machine: the same library, device and dtype by name."""
    return _load(name, device, dtype, _variant(name))


# Set by set_backend() / use_backend(); None means "read the environment".
_override: tuple[str, str | None, str | None] | None = None


def _check_name(name: str, source: str) -> str:
    if name not in BACKENDS:
        hint = (
            ". Dask holds blocks of another library's arrays rather than being one: pass "
            "Dask arrays to fit and predict, on the backend of their blocks"
            if name == "dask"
            else ""
        )
        raise ValueError(
            f"Invalid {source}. Expected one of {sorted(BACKENDS)}. "
            f"Received: {source}={name!r}{hint}"
        )
    return name


def _floats(xp: ModuleType, device: Any) -> dict[str, Any]:
    return xp.__array_namespace_info__().dtypes(device=device, kind="real floating")


def _variant(name: str) -> Any:
    adapter = ADAPTERS[name]
    return adapter.variant(adapter.load())


@cache
def _load(name: str, device: str | None, dtype: str | None, variant: Any = None) -> Backend:
    adapter = ADAPTERS[name]
    module = adapter.load()
    xp = adapter.namespace(module)
    devices = adapter.devices(module)
    if device is not None and device not in devices:
        raise ValueError(
            f"Invalid XPNET_DEVICE for the {name!r} backend. Expected one of {list(devices)}. "
            f"Received: XPNET_DEVICE={device!r}"
        )
    dev = devices[device or next(iter(devices))]
    floats = _floats(xp, dev)
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
            f"Received: XPNET_DTYPE={dtype!r}.{adapter.float64_hint}"
        )
    return Backend(name=name, xp=xp, device=dev, dtype=getattr(xp, dtype))


def default_float(xp: ModuleType, device: Any) -> Any:
    """The dtype policy: float64 where ``device`` supports it, float32 where it does not."""
    floats = _floats(xp, device)
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
    name, device, dtype = _override or _from_environment()
    return _load(name, device, dtype, _variant(name))


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
    backend = _load(*key, _variant(name))
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
            _load(name, None, None, _variant(name))
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
            dtype = dtype_name(_load(name, None, None, adapter.variant(module)).dtype)
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
        backend's float dtype.
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
    adapter = adapter_of(array_api_compat.array_namespace(x))
    return np.asarray(x) if adapter is None else adapter.to_host(x)


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

"""Where arrays live: a :class:`Backend` (a namespace, a device and a float dtype), where
a given array lives (:func:`namespace_and_device`, :func:`is_host_data`), and readable
names of libraries, devices and dtypes (strings that survive a pickle).

The dtype policy: float64 where the device supports it, float32 where it does not. Host
data is moved with :meth:`Backend.put`; a backend array is never moved silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np  # edge: host data on its way to a device

from ._adapters import ADAPTERS, adapter_of

__all__ = [
    "BACKENDS",
    "Backend",
    "backend_name",
    "default_float",
    "device_name",
    "dtype_name",
    "index_dtype",
    "is_host_data",
    "library_name",
    "namespace_and_device",
]

#: Backend names.
BACKENDS: tuple[str, ...] = tuple(ADAPTERS)
_FLOATS = ("float32", "float64")


@dataclass(frozen=True, eq=False)
class Backend:
    """Where arrays live: ``name`` (one of :data:`BACKENDS`), its array-API namespace
    ``xp``, one of its ``device`` objects, and a float ``dtype``.

    Build one with :meth:`Backend.load` or :meth:`Backend.of`; neither changes the backend
    in force (:func:`~xpnet.backend.get_backend`).
    """

    name: str
    xp: ModuleType
    device: Any
    dtype: Any

    def _key(self) -> tuple[str, str, str]:
        return self.name, device_name(self.device), dtype_name(self.dtype)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Backend) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple:
        return Backend.load, self._key()

    def __str__(self) -> str:
        return f"{self.name} on {device_name(self.device)} ({dtype_name(self.dtype)})"

    def __repr__(self) -> str:
        name, device, dtype = self._key()
        return f"Backend({name!r}, {device!r}, {dtype!r})"

    @classmethod
    def load(cls, name: str, device: str | None = None, dtype: str | None = None) -> Backend:
        """The backend ``name`` on ``device`` in ``dtype``, checked, without selecting it.

        Parameters
        ----------
        name : {"numpy", "cupy", "torch", "jax", "array_api_strict"}
        device : str, optional
            ``"cpu"``, ``"cuda:1"``, array-api-strict's ``"device1"``...; None picks the
            library's default (for PyTorch, CUDA when available).
        dtype : {"float32", "float64"}, optional
            None picks float64 where the device supports it.

        Raises
        ------
        ValueError
            For an unknown name; BackendUnavailableError for a library not installed.
        """
        return _load(_check_name(name, "backend name"), device, dtype, _variant(name))

    @classmethod
    def of(cls, x: Any, dtype: Any = None) -> Backend:
        """Where the backend array ``x`` lives; its float dtype, or the device's default."""
        xp, device = namespace_and_device(x)
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

    def preferring(self, dtype: str | None) -> Backend:
        """This backend in ``dtype`` where its device has that float dtype, else as it is
        (a float64 model on a device without float64 trains in the device's float)."""
        known = isinstance(dtype, str) and dtype in _floats(self.xp, self.device)
        return self.with_dtype(dtype if known else None)

    def put(self, obj: Any, dtype: Any = None) -> Any:
        """Host data (a list, a NumPy array) on this device, floats in this dtype unless
        ``dtype`` is given; an array of another library or device is refused."""
        xp = self.xp
        if isinstance(dtype, str):
            dtype = getattr(xp, dtype)
        if not is_host_data(obj) or (self.name == "numpy" and isinstance(obj, np.ndarray)):
            if array_api_compat.array_namespace(obj) is not xp:
                raise TypeError(
                    f"Expected host data or an array of the current backend ({self}). "
                    f"Received an array of {library_name(obj)!r}. Convert it explicitly with "
                    "xpnet.to_numpy(x) first"
                )
            if array_api_compat.device(obj) != self.device:
                raise ValueError(
                    f"Expected an array on {device_name(self.device)}. Received an array on "
                    f"{device_name(array_api_compat.device(obj))}"
                )
            if dtype is None and is_host_data(obj) and obj.dtype.kind == "f":
                dtype = self.dtype  # NumPy's own floats too: in this dtype
            return obj if dtype is None or obj.dtype == dtype else xp.astype(obj, dtype)
        host = np.asarray(obj)
        if host.dtype.kind in "OSUV":
            raise TypeError(
                f"Expected numeric data. Received an array of dtype {host.dtype} "
                f"(shape {host.shape}), which no array-API backend holds"
            )
        if dtype is None and host.dtype.kind == "f":
            dtype = self.dtype
        return xp.asarray(host, dtype=dtype, device=self.device)

    def zeros(self, shape: tuple[int, ...]) -> Any:
        """Zeros of ``shape`` in this dtype, created on this device (not the library's default)."""
        return self.put(np.zeros(shape), self.dtype)

    def check(self, x: Any, what: str = "the array") -> Any:
        """Refuse an array of another library or device; return its data in this dtype."""
        xp, device = namespace_and_device(x)
        if xp is not self.xp or device != self.device:
            raise TypeError(
                f"Expected {what} on {self.name} on {device_name(self.device)}, where the model "
                f"lives. Received an array of {backend_name(xp)} on {device_name(device)}. "
                "Move it with xpnet.asarray(xpnet.to_numpy(x)) inside xpnet.use_backend(...)"
            )
        x = ADAPTERS[self.name].data(x)
        if xp.isdtype(x.dtype, "real floating") and x.dtype != self.dtype:
            return xp.astype(x, self.dtype)
        return x

    def synchronize(self, *pending: Any) -> None:
        """Wait until this device has finished its queued work (for timing); JAX waits
        on the ``pending`` arrays (or pytrees of them) given."""
        ADAPTERS[self.name].synchronize(self.device, pending)


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


def index_dtype(xp: ModuleType, device: Any) -> Any:
    """The library's integer for indices on ``device``: int64, or int32 where 64-bit
    integers are off (JAX without ``jax_enable_x64``)."""
    return xp.__array_namespace_info__().default_dtypes(device=device)["indexing"]


def is_host_data(obj: Any) -> bool:
    """True for data that lives on the host and belongs to no backend: lists, NumPy arrays."""
    return not array_api_compat.is_array_api_obj(obj) or array_api_compat.is_numpy_array(obj)


def namespace_and_device(*arrays: Any) -> tuple[ModuleType, Any]:
    """The namespace and the device shared by ``arrays``: TypeError for two libraries,
    ValueError for two devices."""
    libraries = {library_name(x) for x in arrays}
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

"""One small adapter per array library: how to import it, find its devices, name them,
and bring its arrays to the host. Everything library-specific lives here, so that the
rest of xpnet speaks only the array API.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np  # edge: conversions to the host

from ..compile_cache import enable_compile_cache

__all__ = ["ADAPTERS", "Adapter", "BackendUnavailableError", "adapter_of"]

_import_module = importlib.import_module  # tests replace it to simulate missing libraries


class BackendUnavailableError(ImportError):
    """The backend's library is not installed, or its device is not present."""


class Adapter:
    """The default behaviour, right for NumPy; each library overrides what differs."""

    name = "numpy"
    module = "numpy"
    fix = "pip install numpy"
    float64_hint = ""

    def load(self) -> ModuleType:
        """Import the library, or raise :class:`BackendUnavailableError` naming the fix."""
        try:
            return _import_module(self.module)
        except ImportError as exc:
            raise BackendUnavailableError(
                f"The {self.name!r} backend needs the {self.module!r} package, which is not "
                f"installed ({exc}). Install it with: {self.fix}"
            ) from exc

    def variant(self, module: ModuleType) -> Any:
        """Process-wide settings that change what the library offers (JAX's 64-bit mode)."""
        return None

    def namespace(self, module: ModuleType) -> ModuleType:
        return array_api_compat.array_namespace(module.asarray(0.0))

    def devices(self, module: ModuleType) -> dict[str, Any]:
        """The device names XPNET_DEVICE accepts here; the first is the default."""
        return {"cpu": "cpu"}

    def device_name(self, device: Any) -> str:
        return str(device)

    def to_host(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def data(self, x: Any) -> Any:
        """The array as data only: no autograd history for xpnet's hand-written backprop."""
        return x

    def synchronize(self, device: Any, pending: tuple = ()) -> None:
        """Wait until the device has finished the work queued so far (for ``pending``)."""


class _CuPy(Adapter):
    name = module = "cupy"
    fix = "pip install 'xpnet[cuda12]' (CUDA 12) or 'xpnet[cuda13]' (CUDA 13)"

    def load(self) -> ModuleType:
        module = super().load()
        try:
            count, why = module.cuda.runtime.getDeviceCount(), ""
        except Exception as exc:  # CUDA driver missing or broken
            count, why = 0, f": {exc}"
        if count == 0:
            raise BackendUnavailableError(
                f"CuPy is installed but found no CUDA device{why}. Run on a machine with an "
                "NVIDIA GPU and its driver, or choose another backend, e.g. XPNET_BACKEND=numpy"
            )
        return module

    def devices(self, module: ModuleType) -> dict[str, Any]:
        count = module.cuda.runtime.getDeviceCount()
        gpus = {f"cuda:{i}": module.cuda.Device(i) for i in range(count)}
        return {"cuda": gpus["cuda:0"], **gpus}

    def device_name(self, device: Any) -> str:
        return f"cuda:{device.id}"

    def to_host(self, x: Any) -> np.ndarray:
        return x.get()

    def synchronize(self, device: Any, pending: tuple = ()) -> None:
        with device:
            _import_module("cupy").cuda.get_current_stream().synchronize()


class _Torch(Adapter):
    name = module = "torch"
    fix = "pip install 'xpnet[torch]'"

    def devices(self, module: ModuleType) -> dict[str, Any]:
        gpus = {f"cuda:{i}": module.device(f"cuda:{i}") for i in range(module.cuda.device_count())}
        cpu = {"cpu": module.device("cpu")}
        # A GPU machine trains on its GPU unless told otherwise.
        return {"cuda": gpus["cuda:0"], **gpus, **cpu} if gpus else cpu

    def to_host(self, x: Any) -> np.ndarray:
        return x.detach().cpu().numpy()

    def data(self, x: Any) -> Any:
        return x.detach()

    def synchronize(self, device: Any, pending: tuple = ()) -> None:
        if device.type == "cuda":
            _import_module("torch").cuda.synchronize(device)


class _JAX(Adapter):
    name = module = "jax"
    fix = "pip install 'xpnet[jax]'"
    float64_hint = (
        " JAX offers float64 only in its 64-bit mode, which xpnet leaves to you: set "
        "JAX_ENABLE_X64=1, or call jax.config.update('jax_enable_x64', True) first"
    )

    def load(self) -> ModuleType:
        # Probing a GPU must not take 75% of its memory, as JAX does by default.
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        module = super().load()
        enable_compile_cache("jax")  # before xpnet's first operation: eager ones are cached too
        return module

    def variant(self, module: ModuleType) -> Any:
        return bool(module.config.jax_enable_x64)

    def namespace(self, module: ModuleType) -> ModuleType:
        return module.numpy

    def devices(self, module: ModuleType) -> dict[str, Any]:
        found = module.devices()
        return {found[0].platform: found[0], **{self.device_name(d): d for d in found}}

    def device_name(self, device: Any) -> str:
        return f"{device.platform}:{device.id}"

    def synchronize(self, device: Any, pending: tuple = ()) -> None:
        # JAX dispatches asynchronously, array by array: wait on the ones that matter.
        _import_module("jax").block_until_ready(pending)


class _Strict(Adapter):
    name = module = "array_api_strict"
    fix = "pip install 'xpnet[test]'"

    def devices(self, module: ModuleType) -> dict[str, Any]:
        found = module.__array_namespace_info__().devices()
        return {"cpu": found[0], **{self.device_name(d): d for d in found}}

    def device_name(self, device: Any) -> str:
        return str(device._device)

    def to_host(self, x: Any) -> np.ndarray:
        strict = _import_module("array_api_strict")
        return np.asarray(x.to_device(strict.Device("CPU_DEVICE")))


#: Backend name → its adapter.
ADAPTERS: dict[str, Adapter] = {
    a.name: a for a in (Adapter(), _CuPy(), _Torch(), _JAX(), _Strict())
}


def adapter_of(xp: ModuleType) -> Adapter | None:
    """The adapter of an array-API namespace, or None for a library xpnet does not know."""
    known = (
        a for a in ADAPTERS.values() if getattr(array_api_compat, f"is_{a.name}_namespace")(xp)
    )
    return next(known, None)

"""Which array library, which device, which dtype; conversions to and from the host.

A :class:`Backend` is the one definition of *where arrays live*: a namespace, a device
and a float dtype. The package is split by job:

- ``_backend``: the :class:`Backend` class, its constructors (:meth:`Backend.load` by
  name, :meth:`Backend.of` from an array) and the dtype policy;
- ``_select``: the backend in force (:func:`get_backend`, :func:`set_backend`,
  :func:`use_backend`, ``XPNET_BACKEND``/``XPNET_DEVICE``/``XPNET_DTYPE``);
- ``_convert``: host data to the backend and back (:func:`asarray`, :func:`to_numpy`);
- ``_names``: readable names of libraries, devices and dtypes;
- ``_describe``: which backends this machine offers;
- ``_adapters``: everything specific to one array library.
"""

from ._adapters import BackendUnavailableError
from ._backend import BACKENDS, Backend, default_float, is_host_data, namespace_and_device
from ._convert import as_arrays, asarray, to_numpy
from ._describe import available_backends, describe_backends
from ._names import backend_name, device_name, dtype_name
from ._select import chosen_dtype, get_backend, set_backend, use_backend

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendUnavailableError",
    "as_arrays",
    "asarray",
    "available_backends",
    "backend_name",
    "chosen_dtype",
    "default_float",
    "describe_backends",
    "device_name",
    "dtype_name",
    "get_backend",
    "is_host_data",
    "namespace_and_device",
    "set_backend",
    "to_numpy",
    "use_backend",
]

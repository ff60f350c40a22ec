"""Which array library, which device, which dtype; conversions to and from the host.

- ``_backend``: :class:`Backend`, *where arrays live*, its constructors, the dtype
  policy and readable names;
- ``_select``: the backend in force (:func:`get_backend`, :func:`set_backend`,
  :func:`use_backend`), conversions (:func:`asarray`, :func:`to_numpy`) and which
  backends this machine offers;
- ``_adapters``: everything specific to one array library.
"""

from ._adapters import BackendUnavailableError
from ._backend import (
    BACKENDS,
    Backend,
    backend_name,
    default_float,
    device_name,
    dtype_name,
    index_dtype,
    is_host_data,
    namespace_and_device,
)
from ._select import (
    as_arrays,
    asarray,
    available_backends,
    chosen_dtype,
    describe_backends,
    get_backend,
    set_backend,
    to_numpy,
    use_backend,
)

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
    "index_dtype",
    "is_host_data",
    "namespace_and_device",
    "set_backend",
    "to_numpy",
    "use_backend",
]

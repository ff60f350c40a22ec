import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import xpnet
from xpnet import backend as xb
from xpnet.backend import _adapters as adapters


@pytest.fixture
def clean_env(monkeypatch):
    """No XPNET_* variable and no override: the environment as a new user has it."""
    for name in ("XPNET_BACKEND", "XPNET_DEVICE", "XPNET_DTYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(xb._select, "_override", None)
    return monkeypatch


def test_default_is_numpy_float64(clean_env):
    backend = xpnet.get_backend()
    assert backend.name == "numpy"
    assert backend.xp.__name__ == "array_api_compat.numpy"
    assert backend.device == "cpu"
    assert backend.dtype == backend.xp.float64


def test_environment_is_read_lazily_on_each_use(clean_env):
    clean_env.setenv("XPNET_BACKEND", "array_api_strict")
    assert xpnet.get_backend().name == "array_api_strict"
    clean_env.setenv("XPNET_BACKEND", "numpy")
    assert xpnet.get_backend().name == "numpy"


def test_environment_chooses_device_and_dtype(clean_env):
    clean_env.setenv("XPNET_BACKEND", "array_api_strict")
    clean_env.setenv("XPNET_DEVICE", "device1")
    clean_env.setenv("XPNET_DTYPE", "float32")
    backend = xpnet.get_backend()
    assert xb.device_name(backend.device) == "device1"
    assert xb.dtype_name(backend.dtype) == "float32"


def test_unknown_backend_name_lists_the_valid_ones(clean_env):
    clean_env.setenv("XPNET_BACKEND", "cpuy")
    with pytest.raises(
        ValueError,
        match=r"Invalid XPNET_BACKEND\. Expected one of .*'numpy'.*Received: XPNET_BACKEND='cpuy'",
    ):
        xpnet.get_backend()
    with pytest.raises(ValueError, match="Received: backend name='tensorflow'"):
        xpnet.set_backend("tensorflow")


def test_unknown_device_lists_the_valid_ones(clean_env):
    with pytest.raises(
        ValueError, match=r"Invalid XPNET_DEVICE.*Expected one of \['cpu'\].*'cuda:7'"
    ):
        xpnet.set_backend("numpy", device="cuda:7")


def test_unknown_dtype(clean_env):
    clean_env.setenv("XPNET_DTYPE", "float16")
    with pytest.raises(ValueError, match=r"Invalid XPNET_DTYPE\. Expected one of"):
        xpnet.get_backend()


def test_float64_refused_on_a_device_without_it(clean_env):
    pytest.importorskip("array_api_strict")
    with pytest.raises(ValueError, match="does not support float64"):
        xpnet.set_backend("array_api_strict", device="no_float64", dtype="float64")


def test_device_without_float64_defaults_to_float32(clean_env):
    pytest.importorskip("array_api_strict")
    backend = xpnet.set_backend("array_api_strict", device="no_float64")
    assert xb.dtype_name(backend.dtype) == "float32"


@pytest.fixture
def fake_import(clean_env):
    """Replace the import of one backend library; the cache of loaded backends is cleared."""

    def install(name, result):
        real = adapters._import_module

        def fake(module):
            if module != name:
                return real(module)
            if isinstance(result, Exception):
                raise result
            return result

        clean_env.setattr(adapters, "_import_module", fake)

    xb._backend._load.cache_clear()
    yield install
    xb._backend._load.cache_clear()


def test_missing_library_names_the_extra(fake_import):
    fake_import("cupy", ImportError("No module named 'cupy'"))
    with pytest.raises(xpnet.BackendUnavailableError, match=r"pip install 'xpnet\[cuda12\]'"):
        xpnet.set_backend("cupy")
    assert "cupy" not in xpnet.available_backends()


def test_cupy_without_gpu_says_so(fake_import):
    import types

    def no_driver():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake = types.SimpleNamespace(
        cuda=types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_driver))
    )
    fake_import("cupy", fake)
    with pytest.raises(
        xpnet.BackendUnavailableError, match="CuPy is installed but found no CUDA device"
    ):
        xpnet.set_backend("cupy")


def test_failed_set_backend_leaves_the_previous_one(clean_env):
    xpnet.set_backend("array_api_strict")
    with pytest.raises(ValueError):
        xpnet.set_backend("numpy", device="nowhere")
    assert xpnet.get_backend().name == "array_api_strict"


def test_set_backend_overrides_the_environment(clean_env):
    clean_env.setenv("XPNET_BACKEND", "cpuy")  # would fail if read
    assert xpnet.set_backend("array_api_strict").name == "array_api_strict"
    assert xpnet.get_backend().name == "array_api_strict"


def test_use_backend_restores_the_previous_choice(clean_env):
    with xpnet.use_backend("array_api_strict", device="device1") as backend:
        assert xpnet.get_backend() is backend
        with xpnet.use_backend("numpy"):
            assert xpnet.get_backend().name == "numpy"
        assert xpnet.get_backend() is backend
    assert xpnet.get_backend().name == "numpy"


def test_use_backend_restores_after_an_error(clean_env):
    with pytest.raises(RuntimeError), xpnet.use_backend("array_api_strict"):
        raise RuntimeError
    assert xpnet.get_backend().name == "numpy"


def test_backend_load_builds_a_backend_without_choosing_it(clean_env):
    pytest.importorskip("array_api_strict")
    loaded = xb.Backend.load("array_api_strict", "device1", "float32")
    assert (loaded.name, xb.device_name(loaded.device), xb.dtype_name(loaded.dtype)) == (
        "array_api_strict",
        "device1",
        "float32",
    )
    assert xpnet.get_backend().name == "numpy"  # the choice in force is untouched
    with xpnet.use_backend("array_api_strict", "device1", "float32") as chosen:
        assert chosen is loaded
    assert xb.Backend.load("array_api_strict").dtype == loaded.xp.float64


def test_backend_load_checks_its_names_as_set_backend_does(clean_env):
    with pytest.raises(
        ValueError, match=r"Invalid backend name\. .*Received: backend name='dask'"
    ):
        xb.Backend.load("dask")
    with pytest.raises(ValueError, match=r"Invalid XPNET_DEVICE.*Received: XPNET_DEVICE='cuda:7'"):
        xb.Backend.load("numpy", "cuda:7")
    with pytest.raises(ValueError, match=r"Invalid XPNET_DTYPE\. .*Received: XPNET_DTYPE='int8'"):
        xb.Backend.load("numpy", dtype="int8")
    assert xpnet.get_backend().name == "numpy"


def test_the_package_exports_each_operation_once_under_its_own_name():
    assert xb.__all__ == sorted(xb.__all__)
    assert all(hasattr(xb, name) for name in xb.__all__)
    # array-api-compat's array_namespace returns xp; the backend's function returns
    # (xp, device) and must not be mistaken for it.
    assert not hasattr(xb, "array_namespace")
    assert not hasattr(xb.Backend, "current") and not hasattr(xb.Backend, "asarray")


def test_namespace_and_device_agrees_with_array_api_compat(backend):
    import array_api_compat

    x = backend.put([[1.0, 2.0]])
    xp, device = xb.namespace_and_device(x, backend.put([3]))
    assert xp is array_api_compat.array_namespace(x) is backend.xp
    assert device == array_api_compat.device(x) == backend.device


def test_available_backends_always_has_numpy():
    usable = xpnet.available_backends()
    assert usable[0] == "numpy"
    assert set(usable) <= set(xb.BACKENDS)


def test_import_touches_no_backend_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, xpnet; "
        "print(sorted(m for m in ('torch', 'cupy', 'jax', 'array_api_strict') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": ""},
        check=True,
    )
    assert out.stdout.strip() == "[]"
    assert list(tmp_path.iterdir()) == []


# -- conversions, on every backend --------------------------------------------------


def test_round_trip_through_asarray_and_to_numpy(backend):
    host = np.arange(12.0).reshape(3, 4) / 7
    x = xpnet.asarray(host)
    xp, device = xb.namespace_and_device(x)
    assert xb.backend_name(xp) == backend.name
    assert device == backend.device
    assert x.dtype == backend.dtype
    back = xpnet.to_numpy(x)
    assert isinstance(back, np.ndarray)
    np.testing.assert_allclose(back, host, rtol=1e-6 if backend.dtype != backend.xp.float64 else 0)


def test_asarray_keeps_integers_and_applies_dtype(backend, xp):
    assert xpnet.asarray([1, 2, 3]).dtype == xp.int64
    assert xpnet.asarray([1, 2, 3], dtype="float32").dtype == xp.float32


def test_a_float_numpy_array_takes_the_numpy_backends_dtype(clean_env):
    with xpnet.use_backend("numpy", dtype="float32"):
        assert xpnet.asarray(np.ones(2)).dtype == np.float32  # as a list's floats do
        assert xpnet.asarray(np.ones(2, dtype=np.int64)).dtype == np.int64
        assert xpnet.asarray(np.ones(2), dtype="float64").dtype == np.float64
        fitted = xpnet.CharRNN(n_a=3, num_iterations=2).fit(["ab", "ba"])
        assert {P.dtype for P in fitted.parameters_.values()} == {np.dtype(np.float32)}


def test_asarray_returns_an_array_already_there_unmoved(backend):
    x = xpnet.asarray([1.0, 2.0])
    assert xpnet.asarray(x) is x


def test_asarray_refuses_another_backends_array(backend):
    other = "array_api_strict" if backend.name != "array_api_strict" else "torch"
    try:
        with xpnet.use_backend(other):
            foreign = xpnet.asarray([1.0])
    except xpnet.BackendUnavailableError as exc:
        pytest.skip(str(exc))
    with pytest.raises(TypeError, match="Expected host data or an array of the current backend"):
        xpnet.asarray(foreign)


def test_asarray_refuses_text(backend):
    with pytest.raises(TypeError, match="Expected numeric data"):
        xpnet.asarray(["cat", "dog"])


def test_arrays_on_two_devices_raise_naming_both():
    pytest.importorskip("array_api_strict")
    a = xpnet.set_backend("array_api_strict", device="device1").put([1.0])
    b = xpnet.set_backend("array_api_strict").put([1.0])
    with pytest.raises(
        ValueError,
        match=r"Expected arrays on one device\. Received arrays on device1 and CPU_DEVICE",
    ):
        xb.namespace_and_device(a, b)
    with pytest.raises(
        ValueError, match=r"Expected an array on CPU_DEVICE\. Received an array on device1"
    ):
        xpnet.asarray(a)


def test_arrays_from_two_libraries_raise_naming_both():
    pytest.importorskip("array_api_strict")
    torch = pytest.importorskip("torch")
    import array_api_strict

    with pytest.raises(TypeError, match=r"Received arrays from \['array_api_strict', 'torch'\]"):
        xb.namespace_and_device(array_api_strict.asarray([1.0]), torch.asarray([1.0]))


def test_device1_refuses_silent_host_conversion():
    pytest.importorskip("array_api_strict")
    with xpnet.use_backend("array_api_strict", device="device1"):
        x = xpnet.asarray([1.0, 2.0])
    with pytest.raises(RuntimeError):
        np.asarray(x)  # the silent way fails...
    np.testing.assert_array_equal(xpnet.to_numpy(x), [1.0, 2.0])  # ...the explicit one works


def test_jax_backend_leaves_the_users_jax_settings_alone():
    """Choosing JAX must not switch on 64-bit mode for the user's other JAX code."""
    pytest.importorskip("jax")
    code = (
        "import xpnet, jax.numpy as jnp; b = xpnet.set_backend('jax'); "
        "print(xpnet.backend.dtype_name(b.dtype), jnp.asarray(1.0).dtype)"
    )
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["float32", "float32"], out.stderr
    code = "import xpnet; xpnet.set_backend('jax', dtype='float64')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "JAX_ENABLE_X64=1" in out.stderr


def test_backend_is_hashable_and_pickles_by_name(backend):
    assert hash(backend) == hash(xb.Backend.of(backend.put([1.0])))
    assert {backend: 1}[backend] == 1
    again = pickle.loads(pickle.dumps(backend))
    assert again == backend and again.xp is backend.xp


def test_arrays_are_created_only_where_the_placement_says():
    """CuPy's creation functions other than asarray ignore device= (and its *_like use the
    current device): xpnet creates arrays only with asarray(..., device=), from the host."""
    import re
    from pathlib import Path

    creation = re.compile(r"\bxp\.(zeros|ones|empty|full|eye|arange|linspace)(_like)?\(")
    package = Path(xpnet.__file__).parent
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if "bench" not in path.parts  # the benchmark's references are not xpnet's code
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if creation.search(line)
    ]
    assert found == []


def test_probing_jax_does_not_take_the_gpus_memory():
    pytest.importorskip("jax")
    code = "import os, xpnet; xpnet.set_backend('jax'); print(os.environ['XLA_PYTHON_CLIENT_PREALLOCATE'])"
    env = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "false", out.stderr

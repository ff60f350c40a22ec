"""The test harness: every backend-dependent test runs once per backend that is usable here.

``backend`` (and ``xp``) is parametrised over :class:`B`. Libraries that are not
installed and devices that are not present are skipped with a reason (``pytest -rs``
lists them). ``--backend numpy,cupy`` or ``XPNET_TEST_BACKENDS=numpy,cupy`` restricts
the run; an unknown name there is a usage error, not an empty run.
"""

from __future__ import annotations

import enum
import os
import tempfile
from pathlib import Path

# Where the suite runs in several processes (pytest-xdist's ``-n``), each process keeps to
# one thread: threads of BLAS, OpenMP and PyTorch beyond the cores spin and wait on each
# other, and a test can take many times its time. Set before NumPy loads its BLAS.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

# The suite's compiled programs are cached in a folder of its own, shared by its runs on
# this machine, never in the user's cache (unless XPNET_CACHE_DIR says where).
os.environ.setdefault("XPNET_CACHE_DIR", str(Path(tempfile.gettempdir(), "xpnet-test-cache")))

import numpy as np
import pytest

# The suite checks gradients in float64 on every backend; JAX offers float64 only in
# its 64-bit mode, which xpnet leaves to its users to choose, as this suite does.
# (test_backend.py checks, in a fresh process, that xpnet itself never switches it on.)
os.environ.setdefault("JAX_ENABLE_X64", "1")

import xpnet
from xpnet import backend as xb
from xpnet.backend import BackendUnavailableError


class B(enum.Enum):
    """The backends and devices of the suite: (xpnet backend name, device)."""

    NUMPY = ("numpy", None)
    STRICT = ("array_api_strict", None)
    STRICT_DEVICE1 = ("array_api_strict", "device1")
    STRICT_NO_FLOAT64 = ("array_api_strict", "no_float64")
    TORCH = ("torch", "cpu")
    TORCH_CUDA = ("torch", "cuda")
    JAX = ("jax", None)
    CUPY = ("cupy", None)

    @property
    def id(self) -> str:
        name, device = self.value
        return name if device is None else f"{name}-{device}"

    @property
    def gpu(self) -> bool:
        return self in (B.TORCH_CUDA, B.CUPY)

    def param(self):
        marks = [pytest.mark.gpu] if self.gpu else []
        return pytest.param(self, id=self.id, marks=marks)


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def pytest_addoption(parser):
    parser.addoption(
        "--backend",
        default=None,
        help="comma-separated backends to test, e.g. numpy,torch or array_api_strict-device1 "
        "(default: XPNET_TEST_BACKENDS, else all)",
    )


def pytest_configure(config):
    chosen = config.getoption("--backend") or os.environ.get("XPNET_TEST_BACKENDS", "")
    valid = {b.id for b in B} | {b.value[0] for b in B}
    unknown = [n for n in _names(chosen) if n not in valid]
    if unknown:
        raise pytest.UsageError(
            f"Invalid backend to test. Expected names from {sorted(valid)}. Received: {unknown}"
        )
    config.xpnet_backends = set(_names(chosen))


#: The reference backends: their long runs are in the default run, the others' are slow.
#: NumPy is the course's own library; the GPUs are where a long run is quick.
REFERENCE = (B.NUMPY, B.TORCH_CUDA, B.CUPY)


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    """A test marked ``long`` is slow (left out by default) except on reference backends."""
    for item in items:
        if item.get_closest_marker("long") is None:
            continue
        b = getattr(item, "callspec", None) and item.callspec.params.get("backend")
        if b not in REFERENCE:
            item.add_marker(pytest.mark.slow)


def _selected(config, b: B) -> bool:
    chosen = config.xpnet_backends
    return not chosen or b.id in chosen or b.value[0] in chosen


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        params = [b.param() for b in B if _selected(metafunc.config, b)]
        metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture(autouse=True)
def _restore_backend_choice():
    """Whatever a test chose with set_backend, the next test starts from the environment."""
    saved = xb._select._override
    yield
    xb._select._override = saved


@pytest.fixture
def backend(request):
    """The xpnet Backend under test, in force (``xpnet.use_backend``) during the test."""
    b: B = request.param
    name, device = b.value
    try:
        with xpnet.use_backend(name, device) as active:
            yield active
    except BackendUnavailableError as exc:
        reason = "no CUDA device" if "no CUDA device" in str(exc) else f"{name} not installed"
        pytest.skip(f"{b.id}: {reason}")
    except ValueError as exc:
        if "Invalid XPNET_DEVICE" not in str(exc):
            raise
        pytest.skip(f"{b.id}: no {device} device here")


@pytest.fixture
def xp(backend):
    """The array-API namespace of the backend under test."""
    return backend.xp


@pytest.fixture
def float64(backend):
    """float64 on the backend under test; skips where the device has none."""
    floats = backend.xp.__array_namespace_info__().dtypes(
        device=backend.device, kind="real floating"
    )
    if "float64" not in floats:
        pytest.skip(f"{backend} has no float64")
    return floats["float64"]


@pytest.fixture
def put(backend):
    """Host data → the backend under test, in its default float dtype for floats."""
    return backend.put


@pytest.fixture(scope="session")
def catvnoncat_dir():
    """The course's cat images: XPNET_DATA_DIR, else shared/data/catvnoncat beside the repo."""
    folder = (
        os.environ.get("XPNET_DATA_DIR")
        or Path(__file__).resolve().parents[2] / "shared" / "data" / "catvnoncat"
    )
    folder = Path(folder)
    if not (folder / "train_catvnoncat.h5").is_file():
        pytest.skip(f"the course's cat images are not in {folder.name}/ (set XPNET_DATA_DIR)")
    return folder


def assert_close(actual, expected, rtol=1e-12, atol=0.0):
    """Compare an array of any backend with a host reference, after moving it to the host."""
    np.testing.assert_allclose(
        xpnet.to_numpy(actual), xpnet.to_numpy(expected), rtol=rtol, atol=atol
    )


@pytest.fixture(scope="module")
def dinos_dir():
    """The folder of the course's dinos.txt (XPNET_DATA_DIR, or the shared data); a skip
    where it is absent."""
    folder = Path(
        os.environ.get("XPNET_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    if not ((folder / "dinos.txt").is_file() or (folder / "dinos" / "dinos.txt").is_file()):
        pytest.skip(f"the course's dinos.txt is not in {folder.name}/ (set XPNET_DATA_DIR)")
    return folder

"""The rows of the benchmark: their names, which this machine can run, and why not the others.

xpnet's rows are named ``xpnet[BACKEND]``, ``xpnet[BACKEND:DEVICE]`` or, with a compiled
step (the estimators' ``jit_compile=True``), ``xpnet[BACKEND, compiled]``. The peers are
hand-written NumPy and PyTorch, PyTorch autograd (the PyTorch loop), scikit-learn's
MLPClassifier and Keras 3 on JAX.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import tempfile
from typing import Any, NamedTuple

from ..backend import available_backends

__all__ = [
    "COMPILED",
    "KERAS",
    "REFERENCE",
    "XpnetRow",
    "available",
    "devices",
    "gpu_rows",
    "import_keras",
    "jax_missing",
    "keras_missing",
    "on_gpu",
    "parse",
    "split_names",
]

#: Keras 3 with its JAX backend, jit-compiled as ``Model.fit`` compiles it.
KERAS = "keras (jax)"
#: xpnet's compiled rows: the estimators' ``jit_compile=True``.
COMPILED = ("xpnet[jax, compiled]", "xpnet[torch, compiled]")
#: The row every other row's time is divided by.
REFERENCE = "numpy (by hand)"
TORCH_ROWS = ("torch eager (by hand)", "torch autograd")


class XpnetRow(NamedTuple):
    """An ``xpnet[...]`` row's backend, device (None: the backend's default) and switch."""

    backend: str
    device: str | None
    compiled: bool


def parse(name: str) -> XpnetRow:
    """``"xpnet[torch:cuda, compiled]"`` → ``XpnetRow("torch", "cuda", True)``."""
    if not (name.startswith("xpnet[") and name.endswith("]")):
        raise ValueError(f"Invalid row. Expected 'xpnet[BACKEND, ...]'. Received: {name!r}")
    where, *flags = (part.strip() for part in name[6:-1].split(","))
    backend, _, device = where.partition(":")
    return XpnetRow(backend, device or None, "compiled" in flags)


def split_names(text: str) -> list[str]:
    """Comma-separated row names, commas inside brackets kept, xpnet's spelled as
    :func:`parse` reads them: ``"xpnet[jax,compiled],keras (jax)"`` →
    ``["xpnet[jax, compiled]", "keras (jax)"]``."""
    names, part = [], ""
    for piece in text.split(","):
        part = f"{part},{piece}" if part else piece
        if part.count("[") <= part.count("]"):
            names.append(part.strip())
            part = ""
    names += [part.strip()] if part else []
    return [_spelled(name) for name in names if name]


def _spelled(name: str) -> str:
    if not (name.startswith("xpnet[") and name.endswith("]")):
        return name
    return "xpnet[" + ", ".join(part.strip() for part in name[6:-1].split(",")) + "]"


def keras_missing() -> str | None:
    """Why Keras 3 on JAX cannot run here, or None when it can."""
    if importlib.util.find_spec("keras") is None:
        return "Keras is not installed (pip install 'xpnet[bench]')"
    if not importlib.metadata.version("keras").startswith("3."):
        return f"Keras {importlib.metadata.version('keras')} is installed; the row needs Keras 3"
    if importlib.util.find_spec("jax") is None:
        return "JAX is not installed (pip install 'xpnet[jax]'; Keras runs on JAX here)"
    return None


def _torch_cuda() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def available() -> tuple[list[str], dict[str, str]]:
    """The rows this machine can run, and the rows left out with their reason."""
    # array_api_strict is a correctness backend, not a fast one.
    backends = [b for b in available_backends() if b != "array_api_strict"]
    rows = [f"xpnet[{name}]" for name in backends]
    skipped: dict[str, str] = {}
    for name in COMPILED:
        if parse(name).backend in backends:
            rows.append(name)
        else:
            skipped[name] = f"{parse(name).backend} is not installed"
    rows.append(REFERENCE)
    if importlib.util.find_spec("torch") is not None:
        rows += TORCH_ROWS
    if importlib.util.find_spec("sklearn") is not None:
        rows.append("scikit-learn")
    reason = keras_missing()
    if reason:
        skipped[KERAS] = reason
    else:
        rows.append(KERAS)
    return rows, skipped


def jax_missing(name: str, dtype: str) -> str | None:
    """Why a row on JAX (xpnet's, or Keras's) cannot compute in ``dtype`` here, or None."""
    on_jax = name == KERAS or (name.startswith("xpnet[") and parse(name).backend == "jax")
    if not on_jax or dtype != "float64":
        return None
    import jax

    if jax.config.read("jax_enable_x64"):
        return None
    return "JAX computes in float64 only in its 64-bit mode (JAX_ENABLE_X64=1)"


def on_gpu(name: str) -> bool:
    """Whether a row computes on a GPU: CuPy, a CUDA device, or PyTorch where CUDA is."""
    torch_row = name in TORCH_ROWS or (
        name.startswith("xpnet[") and parse(name).backend == "torch"
    )
    return "cupy" in name or "cuda" in name or (torch_row and _torch_cuda())


def devices(rows: list[str]) -> list[tuple[str, str | None]]:
    """The ``(backend, device)`` pairs whose matrix-product rates the rows are set
    against: NumPy's for the CPU, and PyTorch's CUDA or CuPy's for the GPU."""
    if not any(on_gpu(name) for name in rows):
        return [("numpy", None)]
    return [("numpy", None), ("torch", "cuda") if _torch_cuda() else ("cupy", None)]


def gpu_rows(rows: list[str]) -> list[str]:
    """The GPU rows (xpnet on CuPy or PyTorch CUDA, PyTorch on CUDA) and the reference."""
    gpu = [r for r in rows if on_gpu(r)]
    if not gpu:
        raise ValueError(
            "Invalid --gpu-only: no GPU here. Expected CuPy or PyTorch with a CUDA device. "
            "Received none; run without --gpu-only"
        )
    return [*gpu, REFERENCE]


def import_keras(dtype: str) -> Any:
    """Keras 3 on its JAX backend, computing in ``dtype``.

    The backend is read from ``KERAS_BACKEND`` when Keras is first imported, so it is set
    before that import; Keras's configuration goes to a temporary folder unless
    ``KERAS_HOME`` names one.
    """
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ.setdefault("KERAS_HOME", os.path.join(tempfile.gettempdir(), "xpnet-bench-keras"))
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError(
            "Invalid Keras backend. Expected 'jax' (KERAS_BACKEND=jax before Keras is "
            f"imported). Received: {keras.backend.backend()!r}"
        )
    keras.config.set_floatx(dtype)
    keras.utils.set_random_seed(0)
    return keras

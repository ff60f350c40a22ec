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
from typing import Any, NamedTuple

__all__ = [
    "COMPILED",
    "KERAS",
    "XpnetRow",
    "available",
    "gpu_rows",
    "import_keras",
    "parse",
    "split_names",
    "switch",
]

#: Keras 3 with its JAX backend, jit-compiled as ``Model.fit`` compiles it.
KERAS = "keras (jax)"
#: xpnet's compiled rows: the estimators' ``jit_compile=True``.
COMPILED = ("xpnet[jax, compiled]", "xpnet[torch, compiled]")


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


def has_jit_compile() -> bool:
    """Whether this xpnet's estimators take the ``jit_compile`` hyperparameter."""
    from xpnet import DeepNet

    return "jit_compile" in DeepNet().get_params()


def switch(row: XpnetRow) -> dict[str, Any]:
    """The estimators' keyword for a row: ``jit_compile=`` True or False where this xpnet
    has it (an eager row stays eager whatever ``"auto"`` and ``XPNET_COMPILE`` say)."""
    if has_jit_compile():
        return {"jit_compile": row.compiled}
    if row.compiled:
        raise ValueError(
            "Invalid row. Expected an xpnet whose estimators take jit_compile. "
            f"Received: {row}, and no jit_compile hyperparameter"
        )
    return {}


def _keras_missing() -> str | None:
    """Why Keras 3 on JAX cannot run here, or None when it can."""
    if importlib.util.find_spec("keras") is None:
        return "Keras is not installed (pip install 'xpnet[bench]')"
    if not importlib.metadata.version("keras").startswith("3."):
        return f"Keras {importlib.metadata.version('keras')} is installed; the row needs Keras 3"
    if importlib.util.find_spec("jax") is None:
        return "JAX is not installed (pip install 'xpnet[jax]'; Keras runs on JAX here)"
    return None


def available() -> tuple[list[str], list[tuple[str, str | None]], dict[str, str]]:
    """The rows this machine can run, the devices whose ceilings to measure, and the
    rows left out with their reason."""
    from xpnet.backend import available_backends

    rows: list[str] = []
    devices: list[tuple[str, str | None]] = [("numpy", None)]
    skipped: dict[str, str] = {}
    # array_api_strict is a correctness backend, not a fast one.
    backends = [b for b in available_backends() if b != "array_api_strict"]
    rows += [f"xpnet[{name}]" for name in backends]
    for name in COMPILED:
        if parse(name).backend not in backends:
            skipped[name] = f"{parse(name).backend} is not installed"
        elif not has_jit_compile():
            skipped[name] = "this xpnet's estimators have no jit_compile hyperparameter"
        else:
            rows.append(name)
    rows.append("numpy (by hand)")
    if importlib.util.find_spec("torch") is not None:
        import torch

        rows += ["torch eager (by hand)", "torch autograd"]
        if torch.cuda.is_available():
            devices.append(("torch", "cuda"))
    if importlib.util.find_spec("sklearn") is not None:
        rows.append("scikit-learn")
    reason = _keras_missing()
    if reason:
        skipped[KERAS] = reason
    else:
        rows.append(KERAS)
    if "cupy" in backends:
        devices.append(("cupy", None))
    return rows, devices, skipped


def gpu_rows(rows: list[str]) -> list[str]:
    """The GPU rows (xpnet on CuPy or PyTorch CUDA, PyTorch by hand on CUDA) and NumPy's."""
    torch_gpu = False
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch_gpu = torch.cuda.is_available()
    gpu = [r for r in rows if r == "xpnet[cupy]" or (torch_gpu and "torch" in r)]
    if not gpu:
        raise ValueError(
            "Invalid --gpu-only: no GPU here. Expected CuPy or PyTorch with a CUDA device. "
            "Received none; run without --gpu-only"
        )
    return [*gpu, "numpy (by hand)"]


def import_keras(dtype: str) -> Any:
    """Keras 3 on its JAX backend, computing in ``dtype``; call in a worker process only.

    The backend is read from ``KERAS_BACKEND`` when Keras is first imported, so it is set
    before that import (the parent sets it in the worker's environment too).
    """
    os.environ["KERAS_BACKEND"] = "jax"
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError(
            "Invalid Keras backend. Expected 'jax' (KERAS_BACKEND=jax before Keras is "
            f"imported). Received: {keras.backend.backend()!r}"
        )
    keras.config.set_floatx(dtype)
    keras.utils.set_random_seed(0)
    return keras

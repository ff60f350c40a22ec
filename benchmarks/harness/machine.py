"""What ran the benchmark: the date, the processor, the GPU, the libraries and their BLAS."""

from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import os
import platform
from typing import Any

__all__ = ["machine"]

LIBRARIES = ("xpnet", "numpy", "array_api_compat", "torch", "jax", "keras", "cupy", "sklearn")


def machine() -> dict[str, Any]:
    """What ran the benchmark: the date, the processor, the libraries and their BLAS."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu
            )
    except OSError:
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            # Keras is not imported here: importing it picks a backend and writes a config file.
            versions[name] = (
                importlib.metadata.version(name)
                if name == "keras"
                else importlib.import_module(name).__version__
            )
        except (ImportError, AttributeError):
            continue
    blas = []
    try:
        import numpy  # noqa: F401  (loads its BLAS, so that threadpoolctl sees it)
        from threadpoolctl import threadpool_info

        blas = [
            f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
            for i in threadpool_info()
        ]
    except ImportError:
        pass
    return {
        "gpu": _gpu(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
        "blas": blas,
    }


def _gpu() -> str | None:
    """The GPU's name and driver, from nvidia-smi, where there is one."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return None
    out = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or None

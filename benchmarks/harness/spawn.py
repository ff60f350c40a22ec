"""One configuration of the harness in a process of its own
(:mod:`benchmarks.harness.worker`), run from the repository's root.

A process per configuration keeps peak memory figures honest and one library's
threads out of another's timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "spawn"]

#: The repository's root: the worker imports ``benchmarks`` and ``xpnet`` from there.
ROOT = Path(__file__).resolve().parents[2]


def spawn(config: dict[str, Any]) -> dict[str, Any]:
    """Run one configuration in a new process; its result, or ``config`` with an ``error``."""
    # The harness chooses JAX's 64-bit mode for its own float64 processes only; Keras
    # runs on JAX, and keeps its configuration folder out of the user's home.
    x64 = "0" if config.get("dtype") == "float32" else "1"
    env = {
        **os.environ,
        "JAX_ENABLE_X64": os.environ.get("JAX_ENABLE_X64", x64),
        "KERAS_BACKEND": "jax",
        "KERAS_HOME": os.path.join(tempfile.gettempdir(), "xpnet-bench-keras"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.harness.worker", json.dumps(config)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if out.returncode != 0:
        reason = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {**config, "error": reason}
    return json.loads(out.stdout.strip().splitlines()[-1])

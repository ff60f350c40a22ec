"""The model file: one ``.npz`` holding a JSON header and arrays, and no pickle.

This module knows the file format only: a model gives it a header and host arrays
(:meth:`xpnet.models.BaseClassifier.to_state`) and gets them back. The file is written
atomically (a temporary file in the same folder, flushed, then renamed), and read with
``allow_pickle=False`` after its header is checked, so that loading a file never
executes code.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np  # edge: files

from ._version import __version__

__all__ = ["FORMAT", "FORMAT_VERSION", "InvalidModelFileError", "invalid", "read", "write"]

FORMAT = "xpnet-model"
FORMAT_VERSION = 3  # 3: the fitted architecture; parameters in the engine's layout


class InvalidModelFileError(ValueError):
    """A file that is not a readable xpnet model: truncated, corrupted or foreign."""


def write(path: str | os.PathLike[str], header: dict[str, Any], arrays: dict[str, Any]) -> Path:
    """Write ``header`` (JSON-able) and ``arrays`` (host arrays) to ``path``, atomically.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, **header}
    contents = {"header": np.asarray(json.dumps(header)), **arrays}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **contents)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def invalid(path: str | os.PathLike[str], problem: str) -> InvalidModelFileError:
    """The error for a file that cannot be a model, naming the file and the problem."""
    return InvalidModelFileError(f"Invalid xpnet model file {str(path)!r}: {problem}")


def read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and the arrays of a model file, after checking that it is one.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    InvalidModelFileError
        (a ValueError) for a truncated, corrupted or foreign file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Expected an xpnet model file. Received {str(path)!r}, which does not exist"
        )
    try:
        with open(path, "rb") as f:
            npz = np.load(f, allow_pickle=False)
            if not hasattr(npz, "files"):
                raise ValueError("a single .npy array, not an .npz archive")
            with npz:
                arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise invalid(
            path, f"not a readable .npz archive (truncated or corrupted?): {exc}"
        ) from exc
    if "header" not in arrays or arrays["header"].dtype.kind != "U" or arrays["header"].ndim:
        raise invalid(path, "no xpnet header; it was not written by xpnet.save")
    try:
        header = json.loads(str(arrays["header"]))
    except json.JSONDecodeError as exc:
        raise invalid(path, f"its header is not valid JSON: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise invalid(path, "no xpnet header; it was not written by xpnet.save")
    version = header.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise invalid(
            path,
            f"format version {version!r}, and this xpnet ({__version__}) reads versions up to "
            f"{FORMAT_VERSION}. Upgrade xpnet to read it",
        )
    del arrays["header"]
    return header, arrays

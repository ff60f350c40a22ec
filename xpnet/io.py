"""The model file: one ``.npz`` holding a JSON header and host arrays, and no pickle.

It knows the format only (a model's header and arrays come from
:func:`xpnet.models.files.to_state`). Files are written atomically and read with
``allow_pickle=False``, so that loading a file never executes code.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from tokenize import TokenError
from typing import Any

import numpy as np  # edge: files

from ._version import __version__

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "InvalidModelFileError",
    "check_writable",
    "invalid",
    "read",
    "replacing",
    "write",
]

FORMAT = "xpnet-model"
FORMAT_VERSION = 4  # 4: the shape of one example (an image's); 3: the fitted architecture


class InvalidModelFileError(ValueError):
    """A file that is not a readable xpnet model: truncated, corrupted or foreign."""


def check_writable(
    path: str | os.PathLike[str],
    *,
    suffixes: tuple[str, ...] = (),
    name: str = "path",
    folder: bool = False,
) -> Path:
    """``path`` as a Path, refused before any work when it cannot be written.

    A file's path (one of ``suffixes``, when given) must not be a folder, nor a pipe, a
    device or a socket (a link is followed to its file); a folder's
    (``folder=True``) must not be a file; the folder written into must be writable or
    makeable. Nothing is created. Errors (IsADirectoryError, NotADirectoryError,
    PermissionError, ValueError for a suffix) call the path ``name``, e.g. ``"--save"``.
    """
    given = os.fspath(path)
    received = f"Received: {name}={given!r}"
    path = Path(given)
    if folder:
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(
                f"Invalid {name}. Expected a folder to write into. {received}, which is a file"
            )
        target = path
    else:
        if not given or given.endswith((os.sep, "/")) or path.is_dir():
            raise IsADirectoryError(
                f"Invalid {name}. Expected a file to write, not a folder. {received}"
            )
        if suffixes and path.suffix.lower() not in suffixes:
            raise ValueError(
                f"Invalid {name}. Expected a file name ending in {' or '.join(suffixes)}. "
                f"{received}"
            )
        special = _special(path)
        if special:
            raise ValueError(f"Invalid {name}. Expected a regular file. {received}, {special}")
        target = Path(os.path.realpath(path)).parent  # a link's file is written, not the link
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # the first folder that exists: the others can be made
    if not existing.is_dir():
        raise NotADirectoryError(
            f"Invalid {name}. Expected a path in a folder. {received}, and {str(existing)!r} "
            "is a file"
        )
    if existing == target:
        try:  # the one sure test of a folder's permissions: write there
            fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=target)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise _naming(
                exc, f"Cannot write into the folder {str(target)!r} of {name}={given!r}"
            ) from exc
    elif not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            f"Cannot make the folder of {name}={given!r}: {str(existing)!r} is not writable"
        )
    return path


def write(path: str | os.PathLike[str], header: dict[str, Any], arrays: dict[str, Any]) -> Path:
    """Write ``header`` (JSON-able) and ``arrays`` (host arrays) to ``path``, atomically
    (:func:`replacing`); the path written. An OSError names ``path``, never the temporary
    file."""
    given = os.fspath(path)
    path = check_writable(path)
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, **header}
    contents = {"header": np.asarray(json.dumps(header)), **arrays}
    with replacing(path, f"the model file {given!r}") as tmp, open(tmp, "wb") as f:
        np.savez(f, **contents)
    return path


@contextlib.contextmanager
def replacing(path: Path, what: str, *, folder: bool = False) -> Iterator[Path]:
    """A new path beside ``path`` for the block to write (a file, or with ``folder=True``
    an empty folder), which takes ``path``'s place when the block ends without error:
    nothing is lost, and no reader sees a half-written ``path``.

    A file is flushed to disk and renamed over ``path`` in one step. A folder cannot be,
    so the old one is renamed aside, the new one into its place, and the old one removed
    last (put back if the second rename fails). A link's file or folder is replaced, not
    the link; a pipe, device or socket at ``path`` is refused. The new file or folder has the old one's
    permissions, or those a plain ``open`` or ``mkdir`` would give. On an error the new
    one is removed and ``path`` is as it was; an OSError says that ``what`` (e.g. ``"the
    model file 'm.npz'"``) could not be written, never the temporary name.
    """
    path = Path(os.path.realpath(path))  # a link's file or folder is replaced, not the link
    if not folder:  # nor ever a pipe or a device
        special = _special(path)
        if special:
            raise ValueError(f"Cannot write {what}: expected a regular file, {special}")
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            tmp = Path(name)
        os.chmod(tmp, mode if mode is not None else (0o777 if folder else 0o666) & ~_umask())
    except OSError as exc:
        raise _naming(exc, f"Cannot write {what}") from exc
    try:
        yield tmp
        if not folder:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        elif not path.exists():
            os.replace(tmp, path)
        else:
            aside = tmp.with_name(tmp.name.removesuffix(".tmp") + ".old")
            os.replace(path, aside)
            try:
                os.replace(tmp, path)
            except BaseException:
                os.replace(aside, path)
                raise
            shutil.rmtree(aside, ignore_errors=True)
    except BaseException as exc:
        if folder:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, f"Cannot write {what}") from exc
        raise


def _special(path: Path) -> str:
    """What ``path`` is when it exists and is neither a regular file nor a folder (a
    link followed), as "which is a named pipe"; else the empty string."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""
    for test, kind in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return f"which is {kind}"
    return "which is a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else ""


def _naming(exc: OSError, what: str) -> OSError:
    """The same kind of error, saying ``what`` could not be done, not a temporary name."""
    named = type(exc)(f"{what}: {exc.strerror or exc}")
    named.errno = exc.errno
    return named


def _umask() -> int:
    """The process's umask, read without changing it where the system says it."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def invalid(path: str | os.PathLike[str], problem: str) -> InvalidModelFileError:
    """The error for a file that cannot be a model, naming the file and the problem."""
    return InvalidModelFileError(f"Invalid xpnet model file {str(path)!r}: {problem}")


def read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and the arrays of a model file, after checking that it is one:
    InvalidModelFileError (a ValueError) for a truncated, corrupted or foreign file."""
    given = os.fspath(path)
    path = Path(path)
    expected = "Expected an xpnet model file. Received"
    if path.is_dir():
        raise IsADirectoryError(f"{expected} {given!r}, which is a folder")
    if not path.exists():
        folder = path.parent
        missing = "" if folder.is_dir() else f" (nor does its folder {str(folder)!r})"
        raise FileNotFoundError(f"{expected} {given!r}, which does not exist{missing}")
    if not path.is_file():
        raise invalid(path, "not a regular file")
    try:
        with open(path, "rb") as f:
            arrays = _arrays(f, path)
    except OSError as exc:  # the system's error (permission, I/O), not the file's contents
        raise _naming(exc, f"Cannot read the model file {given!r}") from exc
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


#: What NumPy's reader raises on damaged contents (zipfile: NotImplementedError for a
#: damaged entry's "version"; its header is parsed: SyntaxError, TokenError).
_DAMAGED: tuple[type[Exception], ...] = (zipfile.BadZipFile, EOFError, ValueError, KeyError)
_DAMAGED += (SyntaxError, TokenError, NotImplementedError)


def _arrays(f: Any, path: Path) -> dict[str, np.ndarray]:
    """Every array of the open ``.npz`` file ``f``; its contents' faults as invalid files."""
    problem: Exception
    try:
        npz = np.load(f, allow_pickle=False)
        if not hasattr(npz, "files"):
            raise ValueError("a single .npy array, not an .npz archive")
        with npz:
            arrays = {name: npz[name] for name in npz.files}
        raw = sorted(name for name, a in arrays.items() if not isinstance(a, np.ndarray))
        if raw:  # NumPy gives a member that is not an .npy array as bytes
            raise ValueError(f"members {raw} are not arrays")
        return arrays
    except OSError as exc:
        if exc.errno is not None:
            raise
        problem = exc
    except _DAMAGED as exc:
        problem = exc
    raise invalid(
        path, f"not a readable .npz archive (truncated or corrupted?): {problem}"
    ) from problem

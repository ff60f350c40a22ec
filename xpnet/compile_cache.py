"""Persistent caches of compiled steps, so that only the first process pays the compile.

:func:`enable_compile_cache` is called when xpnet first loads JAX as a backend (so that
every program of a fit is cached, the eager operations' too) and when it first compiles
a step for a library, never at import. It points the library's own persistent cache at
a per-user folder:

- ``$XPNET_CACHE_DIR/<library>`` where ``XPNET_CACHE_DIR`` is set;
- else the platform's per-user cache folder: ``$XDG_CACHE_HOME/xpnet/<library>`` (by
  default ``~/.cache/xpnet/<library>``) on Linux, ``~/Library/Caches/xpnet/<library>``
  on macOS, ``%LOCALAPPDATA%\\xpnet\\Cache\\<library>`` on Windows.

``XPNET_COMPILE_CACHE=0`` turns it off: xpnet then changes no setting. A cache the
user configured is never overridden:

- JAX: when ``jax_compilation_cache_dir`` is set (``JAX_COMPILATION_CACHE_DIR``, or
  ``jax.config.update``), xpnet leaves it and its thresholds; when
  ``jax_enable_compilation_cache`` is False, nothing is cached. Otherwise xpnet sets the
  folder and caches every program compiled from then on in the process
  (``jax_persistent_cache_min_compile_time_secs`` 0 where it is still JAX's default,
  which skips compiles under a second: most of xpnet's steps). JAX does not bound the
  folder by default, and xpnet leaves that so: its bound
  (``jax_compilation_cache_max_size``) reads the whole folder on every write, which
  costs more than it saves where every program, the small eager ones too, is cached.
  Delete the folder to empty it.
- PyTorch: inductor's FX graph and AOTAutograd caches are on by default and write under
  ``TORCHINDUCTOR_CACHE_DIR`` (by default a folder in the temporary directory, which a
  reboot may empty). Where that variable is unset, xpnet sets it to its own folder;
  where it is set (by the user, or by PyTorch once it has compiled in this process), it
  stays. Dynamo's tracing is not cached by PyTorch: a new process traces again.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from pathlib import Path

__all__ = ["LIBRARIES", "compile_cache_dir", "enable_compile_cache"]

#: The libraries whose compiled steps can be cached.
LIBRARIES = ("jax", "torch")

_OFF = frozenset({"0", "false", "no", "off"})
_ON = frozenset({"", "1", "true", "yes", "on"})

_enabled: dict[str, Path | None] = {}  # library → its answer, once per process


def _check_library(library: str) -> str:
    if library not in LIBRARIES:
        raise ValueError(
            f"Invalid library. Expected one of {list(LIBRARIES)}. Received: library={library!r}"
        )
    return library


def _switched_on() -> bool:
    value = os.environ.get("XPNET_COMPILE_CACHE", "").strip().lower()
    if value in _ON | _OFF:
        return value in _ON
    raise ValueError(
        "Invalid XPNET_COMPILE_CACHE. Expected one of ['1', '0', 'true', 'false']. "
        f"Received: XPNET_COMPILE_CACHE={os.environ['XPNET_COMPILE_CACHE']!r}"
    )


def _user_cache_root() -> Path:
    """The platform's per-user cache folder for xpnet."""
    if sys.platform == "win32":
        return Path(
            os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"), "xpnet", "Cache"
        )
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "xpnet"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "xpnet")


def compile_cache_dir(library: str) -> Path | None:
    """The folder xpnet gives ``library``'s compiled programs, or None where
    ``XPNET_COMPILE_CACHE`` turns the cache off. Reads the environment; changes nothing.

    Raises
    ------
    ValueError
        For an unknown library, or an unknown ``XPNET_COMPILE_CACHE``.
    """
    _check_library(library)
    if not _switched_on():
        return None
    root = os.environ.get("XPNET_CACHE_DIR")
    return (Path(root).expanduser() if root else _user_cache_root()) / library


def enable_compile_cache(library: str) -> Path | None:
    """Turn on ``library``'s persistent compilation cache, once per process.

    Returns
    -------
    Path or None
        The folder the library's compiled programs are cached in (the user's own, where
        they set one), or None where nothing is cached: ``XPNET_COMPILE_CACHE=0``, the
        library's cache turned off by the user, or a folder that cannot be created.
    """
    if library not in _enabled:
        path = compile_cache_dir(library)
        _enabled[library] = None if path is None else _ENABLERS[library](path)
    return _enabled[library]


def _made(path: Path) -> Path | None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        warnings.warn(
            f"Could not create the compilation cache folder {str(path)!r} ({exc}); each "
            "process compiles anew. Set XPNET_CACHE_DIR to a writable folder, or "
            "XPNET_COMPILE_CACHE=0",
            RuntimeWarning,
            stacklevel=4,
        )
        return None
    return path


def _jax(path: Path) -> Path | None:
    import jax

    setting = functools.partial(getattr, jax.config)
    if not setting("jax_enable_compilation_cache"):
        return None
    own = setting("jax_compilation_cache_dir")
    if own is not None:
        return Path(own)
    if _made(path) is None:
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    if setting("jax_persistent_cache_min_compile_time_secs") == 1.0:  # JAX's default
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    return path


def _torch(path: Path) -> Path | None:
    own = os.environ.get("TORCHINDUCTOR_CACHE_DIR")  # read first: importing inductor sets it
    from torch._inductor import config

    if not config.fx_graph_cache:
        return None
    if own is not None:
        return Path(own)
    if _made(path) is None:
        return None
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(path)
    return path


_ENABLERS = {"jax": _jax, "torch": _torch}

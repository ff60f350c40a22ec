"""Text data: the course's dinosaur names, for the character-level language model.

Names are returned as the course reads them: lower-cased, one string per line, in the
file's order (the course shuffles them later, with its own seed).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["load_dinos", "read_text"]

FILENAME = "dinos.txt"


def load_dinos(directory: str | os.PathLike[str] | None = None) -> list[str]:
    """The course's 1,536 dinosaur names, lower-cased (the course's ``read().lower()``).

    Parameters
    ----------
    directory : path, optional
        The folder holding ``dinos.txt`` (or a ``dinos/`` folder holding it); None
        reads ``XPNET_DATA_DIR``.

    Returns
    -------
    names : list of str
        One name per line of the file, without its newline.

    Raises
    ------
    FileNotFoundError
        When neither the folder nor its ``dinos/`` holds ``dinos.txt``.
    ValueError
        When no folder is given and ``XPNET_DATA_DIR`` is not set, or the file holds no name.
    """
    if directory is None:
        directory = os.environ.get("XPNET_DATA_DIR")
        if not directory:
            raise ValueError(
                "The dinosaur names need the folder of dinos.txt. Received none: "
                "pass directory=... or set XPNET_DATA_DIR"
            )
    folder = Path(directory)
    candidates = [folder / FILENAME, folder / "dinos" / FILENAME]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(
            f"Expected the course's {FILENAME} in {folder} or {folder / 'dinos'}. "
            f"Received a folder without it"
        )
    text = read_text(path).lower()
    names = [line.strip() for line in text.split("\n")]
    names = [name for name in names if name]
    if not names:
        raise ValueError(
            f"Invalid {FILENAME}. Expected one name per line. Received: an empty file {path}"
        )
    return names


def read_text(path: str | os.PathLike[str], name: str = "path") -> str:
    """The text of a UTF-8 file; a file in another encoding is refused, naming ``name``."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"Invalid {name}. Expected a text file in UTF-8. Received: {name}="
            f"{os.fspath(path)!r}, whose byte {exc.start} cannot be UTF-8 ({exc.reason})"
        ) from None

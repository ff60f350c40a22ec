"""What the site's build checks, without Sphinx: the source lines its pages show, and
that the built pages need no network and show their figures.

Kept apart from the Sphinx extension (:mod:`xpnet_docs`) so that the test suite checks
every page's equations against the package without building the site.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
from pathlib import Path

#: The parts of an ``equations`` row: ``LaTeX :: piece`` or ``LaTeX :: object :: piece``.
SEPARATOR = " :: "


def _resolve(dotted: str):
    """An object by its dotted name: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(f"No module in {dotted!r} can be imported")


def source_lines(dotted: str) -> tuple[list[str], int, str]:
    """The source lines of an object, its first line number, and its file from the repo."""
    obj = inspect.unwrap(_resolve(dotted))
    lines, first = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    root = Path(importlib.import_module("xpnet").__file__).resolve().parent.parent
    return [line.rstrip("\n") for line in lines], max(first, 1), path.relative_to(root).as_posix()


def find_line(dotted: str, piece: str) -> tuple[str, str]:
    """The first line of ``dotted``'s source holding ``piece``, and where it is.

    Raises
    ------
    LookupError
        When no line holds it: the code changed, and the page must follow.
    """
    lines, first, path = source_lines(dotted)
    name = getattr(_resolve(dotted), "__qualname__", dotted.rsplit(".", 1)[-1])
    for i, line in enumerate(lines):
        if piece in line:
            return line.strip(), f"{path}:{first + i}, {name}"
    raise LookupError(
        f"No line of {dotted} ({path}) contains {piece!r}: the code changed; point the "
        "page at the line that now computes the equation"
    )


def parse_row(entry: str, default: str | None) -> tuple[str, str, str]:
    """``(latex, object, piece)`` from one row of an ``equations`` block."""
    parts = [part.strip() for part in entry.split(SEPARATOR)]
    if len(parts) == 2 and default:
        return parts[0], default, parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise ValueError(
        "Invalid equations row. Expected 'LaTeX :: piece of the line' (with the object as "
        f"the directive's argument) or 'LaTeX :: object :: piece'. Received: {entry!r}"
    )


_BLOCK = re.compile(r"^```\{equations\}[ \t]*(\S*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def equation_rows(markdown: str) -> list[tuple[str, str, str]]:
    """Every ``(latex, object, piece)`` of the ``equations`` blocks of a MyST page."""
    rows = []
    for match in _BLOCK.finditer(markdown):
        default = match.group(1) or None
        rows += [parse_row(e, default) for e in match.group(2).splitlines() if e.strip()]
    return rows


_REMOTE = re.compile(
    r"<(?:script|link|img|source|iframe)\b[^>]*?\b(?:src|href)=[\"']((?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)
_CSS_REMOTE = re.compile(r"(?:url\(|@import\s+)[\"']?((?:https?:)?//[^\"')]+)", re.IGNORECASE)


def remote_resources(outdir: str | os.PathLike[str]) -> list[str]:
    """Every resource a built page or style sheet would fetch from the network."""
    found = []
    for path in sorted(Path(outdir).rglob("*")):
        if path.suffix not in (".html", ".css"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = _REMOTE if path.suffix == ".html" else _CSS_REMOTE
        found += [f"{path.relative_to(outdir)}: {m.group(1)}" for m in pattern.finditer(text)]
    return found


_LOCAL_SCRIPT = re.compile(
    r"<script\b[^>]*?\bsrc=[\"'](?!(?:https?:)?//)([^\"'?#]+)", re.IGNORECASE
)


def missing_scripts(outdir: str | os.PathLike[str]) -> list[str]:
    """Every script a built page loads from the site that the site does not hold."""
    missing = []
    for page in sorted(Path(outdir).rglob("*.html")):
        if "_static" in page.relative_to(outdir).parts:
            continue  # the theme's templates, not pages
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in _LOCAL_SCRIPT.finditer(text):
            if not (page.parent / match.group(1)).is_file():
                missing.append(f"{page.relative_to(outdir)}: {match.group(1)}")
    return missing


def pages_without_figures(outdir: str | os.PathLike[str]) -> list[str]:
    """The tutorials whose built page shows no figure (a plot that was never drawn)."""
    pages = sorted(Path(outdir, "tutorials").glob("*.html"))
    return [
        page.relative_to(outdir).as_posix()
        for page in pages
        if page.name != "index.html" and "<img" not in page.read_text(encoding="utf-8")
    ]

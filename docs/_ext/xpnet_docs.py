"""The site's own Sphinx directives, and the check that it renders offline.

``equations``
    The course's equations beside the lines of xpnet that compute them. Each content
    line is ``LaTeX :: code``: the equation, then a piece of the source line that
    computes it in the object named by the directive's argument. The line is read from
    the package when the site is built, so the page shows what the code says today; a
    piece that no longer matches a line of that object fails the build.

``xpnet-cli``
    The ``--help`` of ``xpnet`` and of each of its commands, from the parser itself.

At the end of a build every page's scripts, style sheets and fonts must be files of
the site: a page that loads anything from the network fails the build.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError


def _resolve(dotted: str):
    """An object by its dotted name: a module, then attributes down from it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def source_lines(dotted: str) -> tuple[list[str], int, str]:
    """The source of an object, its first line number, and its file relative to the repo."""
    obj = _resolve(dotted)
    obj = inspect.unwrap(obj)
    lines, first = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    package = Path(importlib.import_module("xpnet").__file__).resolve().parent
    return (
        [line.rstrip("\n") for line in lines],
        max(first, 1),
        str(path.relative_to(package.parent)),
    )


class Equations(Directive):
    """A table: each equation of the course beside the line of xpnet that computes it.

    Content lines are ``LaTeX :: piece`` (in the object the argument names) or
    ``LaTeX :: xpnet.module.object :: piece``.
    """

    optional_arguments = 1
    has_content = True

    def _line(self, dotted, piece):
        try:
            lines, first, path = source_lines(dotted)
        except (ImportError, AttributeError, OSError, TypeError) as exc:
            raise self.error(f"equations: cannot read the source of {dotted}: {exc}") from exc
        found = [i for i, line in enumerate(lines) if piece in line]
        if not found:
            raise self.error(
                f"equations: no line of {dotted} ({path}) contains {piece!r}: the code "
                "changed; point the page at the line that now computes the equation"
            )
        i = found[0]
        return lines[i].strip(), f"{path}:{first + i}, {dotted.rsplit('.', 1)[-1]}"

    def run(self):
        default = self.arguments[0] if self.arguments else None
        rows = []
        for entry in self.content:
            if not entry.strip():
                continue
            parts = [part.strip() for part in entry.split(" :: ")]
            if len(parts) == 2 and default:
                latex, dotted, piece = parts[0], default, parts[1]
            elif len(parts) == 3:
                latex, dotted, piece = parts
            else:
                raise self.error(
                    "equations: expected 'LaTeX :: piece of the line' (with the object as "
                    f"the directive's argument) or 'LaTeX :: object :: piece'. Received: {entry!r}"
                )
            rows.append((latex, *self._line(dotted, piece)))
        if not rows:
            raise self.error("equations: no equation given")
        return [self._table(rows)]

    def _table(self, rows):
        table = nodes.table(classes=["xpnet-equations"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=40)
        group += nodes.colspec(colwidth=60)
        head = nodes.thead()
        group += head
        header = nodes.row()
        header += nodes.entry("", nodes.paragraph(text="the course's equation"))
        header += nodes.entry("", nodes.paragraph(text="the line of xpnet that computes it"))
        head += header
        body = nodes.tbody()
        group += body
        for latex, code, where in rows:
            row = nodes.row()
            math = nodes.math(latex, r"\displaystyle " + latex)
            row += nodes.entry("", nodes.paragraph("", "", math))
            block = nodes.literal_block(code, code, language="python")
            place = nodes.paragraph(classes=["xpnet-source-place"])
            place += nodes.literal(text=where)
            row += nodes.entry("", block, place)
            body += row
        return table


def _commands(parser: argparse.ArgumentParser):
    yield "xpnet", parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"xpnet {name}", sub


class CommandLine(Directive):
    """A section per command, each with its ``--help``."""

    def run(self):
        from xpnet.cli import build_parser

        os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal; fix it for the page
        sections = []
        for prog, parser in _commands(build_parser()):
            section = nodes.section(ids=[nodes.make_id(prog)])
            section += nodes.title(text=prog)
            text = parser.format_help()
            section += nodes.literal_block(text, text, language="text")
            sections.append(section)
        return sections


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
        for match in pattern.finditer(text):
            found.append(f"{path.relative_to(outdir)}: {match.group(1)}")
    return found


def check_offline(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    remote = remote_resources(app.outdir)
    if remote:
        shown = "\n  ".join(remote[:20])
        raise ExtensionError(
            f"The site must render offline, but {len(remote)} resources come from the "
            f"network:\n  {shown}"
        )


def setup(app):
    app.add_directive("equations", Equations)
    app.add_directive("xpnet-cli", CommandLine)
    app.connect("build-finished", check_offline, priority=900)  # after MathJax is copied
    return {"parallel_read_safe": True, "parallel_write_safe": True}

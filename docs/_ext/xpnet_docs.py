"""The site's own Sphinx directives, and the checks that end every build.

``equations``
    The course's equations beside the lines of xpnet that compute them. Each content
    line is ``LaTeX :: piece`` (a piece of the source line, in the object the argument
    names) or ``LaTeX :: xpnet.module.object :: piece``. The line is read from the
    package when the site is built, so the page shows what the code says today; a piece
    that no longer matches a line of that object fails the build.

``xpnet-cli``
    The ``--help`` of ``xpnet`` and of each of its commands, from the parser itself.

At the end of a build every page's scripts, style sheets and fonts must be files of
the site: a page that loads anything from the network fails the build, and so does a
tutorial whose page shows no figure.
"""

from __future__ import annotations

import argparse
import os

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError
from xpnet_site import (
    find_line,
    missing_scripts,
    pages_without_figures,
    parse_row,
    remote_resources,
)


class Equations(Directive):
    """A table: each equation of the course beside the line of xpnet that computes it."""

    optional_arguments = 1
    has_content = True

    def run(self):
        default = self.arguments[0] if self.arguments else None
        rows = []
        for entry in self.content:
            if not entry.strip():
                continue
            try:
                latex, dotted, piece = parse_row(entry, default)
                rows.append((latex, *find_line(dotted, piece)))
            except (ValueError, LookupError, AttributeError, OSError, TypeError) as exc:
                raise self.error(f"equations: {exc}") from exc
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


def check_site(app, exception):
    """Fail the build if a page loads anything from the network or a tutorial lost its figures."""
    if exception is not None or app.builder.format != "html":
        return
    remote = remote_resources(app.outdir)
    if remote:
        shown = "\n  ".join(remote[:20])
        raise ExtensionError(
            f"The site must render offline, but {len(remote)} resources come from the "
            f"network:\n  {shown}"
        )
    missing = missing_scripts(app.outdir)
    if missing:
        shown = "\n  ".join(missing[:20])
        raise ExtensionError(f"Scripts the pages load are missing from the site:\n  {shown}")
    bare = pages_without_figures(app.outdir)
    if bare:
        raise ExtensionError(
            "Every tutorial shows the figures its run drew. Expected an image on each. "
            f"Received none on: {', '.join(bare)}"
        )


def setup(app):
    app.add_directive("equations", Equations)
    app.add_directive("xpnet-cli", CommandLine)
    app.connect("build-finished", check_site, priority=900)  # after MathJax is copied
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""The documentation site's checks, run without building it: every equation a page sets
beside a line of xpnet still finds that line, and the offline and figure checks work."""

import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import xpnet_site  # noqa: E402

PAGES = sorted(DOCS.glob("**/*.md"))


@pytest.mark.parametrize("page", [p for p in PAGES if "{equations}" in p.read_text()], ids=str)
def test_every_equation_finds_the_line_that_computes_it(page):
    rows = xpnet_site.equation_rows(page.read_text(encoding="utf-8"))
    assert rows
    for _latex, dotted, piece in rows:
        line, where = xpnet_site.find_line(dotted, piece)
        assert piece in line and where.startswith("xpnet/")


def test_a_line_the_code_no_longer_has_is_refused():
    line, where = xpnet_site.find_line("xpnet.layers.linear_backward", "dW = (dZ @ A_prev.T) / m")
    assert line.startswith("dW = ") and where.startswith("xpnet/layers/dense.py:")
    with pytest.raises(LookupError, match="the code changed"):
        xpnet_site.find_line("xpnet.layers.linear_backward", "dW = dZ @ X")
    with pytest.raises(ValueError, match="Invalid equations row"):
        xpnet_site.parse_row("Z = WX + b", None)


def test_resources_from_the_network_and_pages_without_figures_are_found(tmp_path):
    (tmp_path / "tutorials").mkdir()
    (tmp_path / "tutorials" / "a.html").write_text(
        '<script src="_static/local.js"></script><img src="a.png">'
    )
    (tmp_path / "tutorials" / "b.html").write_text(
        '<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">'
    )
    (tmp_path / "style.css").write_text("@font-face { src: url(https://example.org/f.woff2); }")
    remote = xpnet_site.remote_resources(tmp_path)
    assert len(remote) == 3 and not any("local.js" in r for r in remote)
    assert xpnet_site.pages_without_figures(tmp_path) == ["tutorials/b.html"]
    assert xpnet_site.missing_scripts(tmp_path) == ["tutorials/a.html: _static/local.js"]
    (tmp_path / "tutorials" / "_static").mkdir()
    (tmp_path / "tutorials" / "_static" / "local.js").write_text("")
    assert xpnet_site.missing_scripts(tmp_path) == []

"""Sphinx configuration of xpnet's site: executed tutorials, the API, the command line."""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

# The site documents and runs this checkout, also in the kernels that execute the
# tutorials (they inherit the environment).
sys.path[:0] = [str(REPO), str(DOCS / "_ext")]
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
)
# Figures are drawn inline, as PNG outputs of the cells, whatever the shell sets.
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"

# The kernels' IPython profile, written into the build folder: the kernel's own log
# (ipykernel warns that its local TCP sockets are unencrypted) must not reach the first
# cell's stderr, where it would read as a warning of the page.
_IPYTHON = DOCS / "_build" / ".ipython"
_PROFILE = _IPYTHON / "profile_default" / "ipython_kernel_config.py"
_PROFILE.parent.mkdir(parents=True, exist_ok=True)
_PROFILE.write_text(
    "c.IPKernelApp.log_level = 'ERROR'\nc.HistoryManager.enabled = False\n",
    encoding="utf-8",
)
os.environ["IPYTHONDIR"] = str(_IPYTHON)

import xpnet  # noqa: E402

project = "xpnet"
author = "the xpnet developers"
copyright = "the xpnet developers"
release = xpnet.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx-mathjax-offline",  # MathJax's own files, copied into the site: no CDN
    "xpnet_docs",
]

exclude_patterns = ["_build", "README.md", "jupyter_execute", "**/.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}

# -- the tutorials: MyST markdown notebooks, executed on every build ---------------------
nb_execution_mode = "force"  # a change in xpnet re-runs every page: no stale cache
nb_execution_timeout = 600
nb_execution_raise_on_error = True  # a tutorial that raises fails the build
nb_execution_show_tb = True
nb_output_stderr = "warn"  # a Python warning on a page is a build warning (-W: an error)
nb_merge_streams = True
nb_ipywidgets_js = {}  # no widget scripts from a CDN
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# -- the reference ---------------------------------------------------------------------
# parameters_ is documented in each estimator's Attributes section, with its shapes; a
# subclass's own property (LogisticRegression's w) would make a second target of the name.
autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    "exclude-members": "parameters_",
}
autodoc_typehints = "none"  # the numpydoc sections say the types and the shapes
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# -- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"xpnet {release}"
html_static_path = ["_static"]
html_css_files = ["xpnet.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": [], "install": [], "chaos": []}
html_show_sourcelink = False

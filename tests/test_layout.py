"""The package's layout holds what the README says of it: no module imports one that
imports it back (imports inside functions and under ``TYPE_CHECKING`` counted), and the
rows of "Where things live" go from the foundation up."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xpnet"


def imports() -> dict[str, set[str]]:
    """Each module of the package → the package's modules it imports, wherever."""
    modules = {
        path: ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
    }
    names = set(modules.values())
    graph = {}
    for path, module in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                for alias in node.names:
                    for candidate in (f"{base}.{alias.name}", base):
                        if candidate in names and candidate != module:
                            found.add(candidate)
                            break
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in names and a.name != module}
        graph[module] = found - {"xpnet"}
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = imports()
    circles, done = [], set()

    def visit(module, path):
        if module in path:
            circles.append(" -> ".join([*path[path.index(module) :], module]))
            return
        if module in done:
            return
        done.add(module)
        for imported in sorted(graph.get(module, ())):
            visit(imported, [*path, module])

    for module in sorted(graph):
        visit(module, [])
    assert circles == []


def test_the_readmes_rows_go_from_the_foundation_up():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Where things live", 1)[1]
    table = section[section.index("| place |") :].split("\n\n", 1)[0]
    rows = [re.findall(r"`([\w/.*]+)`", line.split("|")[1]) for line in table.splitlines()[2:]]
    graph = imports()
    rank = {}
    for i, row in enumerate(rows):
        for place in row:
            stem = "xpnet." + place.removeprefix("xpnet/").strip("/").removesuffix(".py")
            pattern = re.compile(
                re.escape(stem).replace(r"\*", r"\w*").replace("/", r"\.") + r"(\.|$)"
            )
            for module in graph:
                if pattern.match(module):
                    rank.setdefault(module, i)
    unplaced = sorted(set(graph) - set(rank) - {"xpnet", "xpnet.__main__", "xpnet._version"})
    assert unplaced == []
    upward = [
        f"{module} (row {rank[module] + 1}) imports {imported} (row {rank[imported] + 1})"
        for module, found in graph.items()
        for imported in found
        if module in rank and imported in rank and rank[imported] > rank[module]
    ]
    assert upward == []

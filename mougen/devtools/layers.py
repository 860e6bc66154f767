"""The layer check: every import inside mougen must point down the layer table.

Run ``python -m mougen.devtools.layers [FOLDER]``: it prints one line per import that points
sideways or up (``file:line: importer -> imported``), one line per import cycle between the
modules of one package (``cycle: a -> b -> a``), and exits 1 if there is any.

A package may import its own modules and any package in a lower layer; never one in
its own layer or above; and inside a package, modules must not import each other round in
a circle (lazy imports count: they only hide the circle). That keeps the dependency graph
a stack a newcomer can read from the bottom: a change low down may touch everything
above it, never the reverse.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

#: The layers, lowest first; a name is a subpackage or top-level module of mougen.
#: Keep docs/architecture.md in step when this changes.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors"),  # the version, and the one error type
    (
        "roles",
        "digest",
        "zipfiles",
        "textcolumns",
        "atomic",
        "printable",
        "dates",
        "csvcells",
        "clock",
        "workers",
    ),  # small shared vocabularies and helpers
    ("config",),  # region files -> typed catalog
    ("workspace",),  # the folder and its paths
    ("document", "pki", "hsm", "mail", "typeset"),  # model; programme CA; token; email; Typst
    ("render", "verify", "tracker"),  # DOCX/PDF out; signatures judged; the index
    ("signing", "pack", "reports", "redline"),  # the jobs built on them
    ("workflow", "remote"),  # what combines several jobs; remote signing with token keys
    ("collect", "archival"),  # the inbox filed and recorded; the archive kept provable
    ("round",),  # the signing round as a library: invitations, order, acceptance, completion
    ("web",),  # the signing round's web pages
    ("demo_remote",),  # the demo's remote signatures, keys in its own SoftHSM2 token
    ("demo",),  # the whole round on the bundled data, web invitation included
    ("cli", "devtools"),  # the command line, and tools for developers
    ("__main__",),
)

PACKAGE = Path(__file__).resolve().parent.parent

_LAYER_OF = {name: level for level, names in enumerate(LAYERS) for name in names}


@dataclass(frozen=True)
class Violation:
    """One import that points sideways or up the layers."""

    file: str  # as written under the package's parent folder: mougen/workflow/archive.py
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.importer} -> {self.imported}"


def violations(package: Path = PACKAGE) -> list[Violation]:
    """Every import in ``package`` whose target is not in a lower layer, by file and line."""
    found = []
    for path in sorted(package.rglob("*.py")):
        importer = path.relative_to(package).with_suffix("").parts[0]
        for line, imported in _imports(path):
            if imported != importer and not _below(imported, importer):
                where = path.relative_to(package.parent).as_posix()
                found.append(Violation(where, line, importer, imported))
    return found


@dataclass(frozen=True)
class Cycle:
    """Modules of one package that import each other round in a circle."""

    modules: tuple[str, ...]  # dotted, starting from the first in sorted order

    def __str__(self) -> str:
        return "cycle: " + " -> ".join((*self.modules, self.modules[0]))


def cycles(package: Path = PACKAGE) -> list[Cycle]:
    """Every import cycle between modules of ``package``, one circle per tangle found."""
    graph = _module_graph(package)
    return [Cycle(_circle(graph, tangle)) for tangle in _tangles(graph)]


def _module_graph(package: Path) -> dict[str, set[str]]:
    """Dotted module name -> the modules of the same top-level package that it imports."""
    modules = {_dotted(package, path): path for path in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        top = name.split(".")[:2]
        graph[name] = {
            dotted
            for dotted in _imported_modules(path, modules)
            if dotted in modules and dotted.split(".")[:2] == top
        }
        graph[name].discard(name)
    return graph


def _dotted(package: Path, path: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, modules: Collection[str]) -> Iterator[str]:
    """Each module a file imports: ``from a.b import c`` is ``a.b.c`` when that is a module,
    else ``a.b`` (``c`` is then a name inside it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                yield dotted if dotted in modules else node.module


def _tangles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            group.append(node)
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _circle(graph: dict[str, set[str]], tangle: list[str]) -> tuple[str, ...]:
    """One shortest circle through the first module of a tangle (breadth first)."""
    start, members = tangle[0], set(tangle)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & members):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return tuple(reversed(path))
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    raise AssertionError("a tangle always has a circle")  # pragma: no cover


def _below(imported: str, importer: str) -> bool:
    if importer not in _LAYER_OF or imported not in _LAYER_OF:
        return False  # a package missing from the table is a finding in itself
    return _LAYER_OF[imported] < _LAYER_OF[importer]


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, layer-table name) of each mougen import in a file, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _named(node.lineno, alias.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts == ["mougen"]:  # from mougen import atomic, __version__
                for alias in node.names:
                    yield from _named(node.lineno, ["mougen", alias.name])
            else:
                yield from _named(node.lineno, parts)


def _named(line: int, parts: list[str]) -> Iterator[tuple[int, str]]:
    if parts[0] != "mougen":
        return
    name = parts[1] if len(parts) > 1 else "__init__"
    yield line, "__init__" if name == "__version__" else name


def main(argv: list[str] | None = None) -> int:
    """Print each violation in the package (or the ``mougen`` folder given); 1 if any, else 0."""
    args = sys.argv[1:] if argv is None else argv
    package = Path(args[0]) if args else PACKAGE
    found = violations(package)
    circles = cycles(package)
    for finding in (*found, *circles):
        print(finding)
    if found:
        print(f"{len(found)} imports point sideways or up the layers", file=sys.stderr)
    if circles:
        print(f"{len(circles)} import cycles inside a package", file=sys.stderr)
    return 1 if found or circles else 0


if __name__ == "__main__":
    sys.exit(main())

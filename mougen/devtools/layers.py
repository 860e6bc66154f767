"""The layer check: every import inside mougen must point down the layer table.

Run ``python -m mougen.devtools.layers [FOLDER]``: it prints one line per import that points
sideways or up (``file:line: importer -> imported``) and exits 1 if there is any.

A package may import its own modules and any package in a lower layer; never one in
its own layer or above. That keeps the dependency graph a stack a newcomer can read
from the bottom: a change low down may touch everything above it, never the reverse.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
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
    ),  # small shared vocabularies and helpers
    ("config",),  # region files -> typed catalog
    ("workspace",),  # the folder and its paths
    ("document", "pki", "mail", "typeset"),  # the model; the programme CA; email; Typst
    ("render", "verify", "tracker"),  # DOCX/PDF out; signatures judged; the index
    ("signing", "pack", "reports", "redline"),  # the jobs built on them
    ("workflow",),  # what combines several jobs: provenance, the archive, review start
    ("collect", "archival"),  # the inbox filed and recorded; the archive kept provable
    ("web",),  # the signing-round web service
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
    found = violations(Path(args[0]) if args else PACKAGE)
    for violation in found:
        print(violation)
    if found:
        print(f"{len(found)} imports point sideways or up the layers", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

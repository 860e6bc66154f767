"""Issue 16's one-clock rule: only the edge reads the wall clock.

Library code takes ``when`` (or a clock) from its caller. The one wall-clock read is
``clock.py:wall_clock``: the CLI's commands and ``resolve_when``, the tracker's default clock
and verification's "now" (``Settings.clock``) all go through it; the web app, the round and
remote signing read the tracker's clock. Elapsed-time reads (``time.monotonic``,
``time.sleep``) measure waits, not the date, and are not clock reads here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

#: The only functions that may read the wall clock, as (path in the package, function).
ALLOWED = {("clock.py", "wall_clock")}


#: Calls that read the date and time: ``datetime.now()``, ``date.today()``, ``time.time()``...
_DATE_READS = {"now", "utcnow", "today"}
_TIME_READS = {"time", "time_ns", "gmtime", "localtime", "ctime", "asctime"}


def _reads_clock(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
    if name in {"datetime", "date"} and func.attr in _DATE_READS:
        return True
    # time.gmtime(seconds) and friends convert a given time; only the bare call reads it.
    return name == "time" and func.attr in _TIME_READS and not call.args


def clock_reads(package: Path, allowed: set[tuple[str, str]] = ALLOWED) -> list[str]:
    """Every wall-clock read in ``package`` outside ``allowed``, as ``path:line in f``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        found += [
            f"{relative}:{line} in {function}"
            for line, function in _reads_in(ast.parse(path.read_text(encoding="utf-8")))
            if (relative, function) not in allowed
        ]
    return found


def _reads_in(tree: ast.Module) -> list[tuple[int, str]]:
    reads = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and _reads_clock(node):
            reads.append((node.lineno, function))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return reads


def test_only_the_edge_reads_the_wall_clock():
    assert clock_reads(REPO / "mougen", ALLOWED) == []


def test_the_scan_finds_every_kind_of_clock_read(tmp_path: Path):
    package = tmp_path / "mougen"
    (package / "cli").mkdir(parents=True)
    (package / "clock.py").write_text("def wall_clock():\n    return datetime.now(UTC)\n")
    (package / "cli" / "options.py").write_text(
        "import datetime as dt\n"
        "def wall_now():\n    return wall_clock()\n"
        "def resolve_when(when):\n    return when or dt.datetime.now()\n"
    )
    (package / "pki.py").write_text(
        "import time\n"
        "def issue():\n"
        "    a = date.today(); b = datetime.utcnow(); c = time.time()\n"
        "    d = time.monotonic(); e = time.gmtime(0); f = time.gmtime()\n"
        "    return when.now\n"
        "STAMP = datetime.now(UTC)\n"
    )
    assert clock_reads(package) == [
        "cli/options.py:5 in resolve_when",
        "pki.py:3 in issue",
        "pki.py:3 in issue",
        "pki.py:3 in issue",
        "pki.py:4 in issue",
        "pki.py:6 in <module>",
    ]

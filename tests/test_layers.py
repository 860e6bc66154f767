"""The layer check: every import inside mougen points down the layer table."""

from __future__ import annotations

import subprocess
import sys

from mougen.devtools.layers import LAYERS, cycles, main, violations
from tests.conftest import REPO


def test_every_import_points_down_the_layers():
    assert [str(v) for v in violations()] == []


def test_no_package_imports_itself_round_in_a_circle():
    assert [str(c) for c in cycles()] == []


def test_the_layer_check_passes():
    result = subprocess.run(
        [sys.executable, "-m", "mougen.devtools.layers"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout


def _bad_package(root):
    package = root / "mougen"
    (package / "config").mkdir(parents=True)
    (package / "config" / "bad.py").write_text(
        "from mougen.cli import main\nimport mougen.errors\n"
    )
    (package / "newthing.py").write_text("from mougen import errors\n")
    return package


def test_the_layer_check_names_an_upward_import(tmp_path):
    found = [str(v).split(": ", 1)[1] for v in violations(_bad_package(tmp_path))]
    assert found == ["config -> cli", "newthing -> errors"]  # unknown packages are findings too
    assert {name for layer in LAYERS for name in layer} >= {"cli", "tracker", "verify", "workflow"}


def test_the_command_exits_non_zero_and_names_each_import(tmp_path):
    package = _bad_package(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mougen.devtools.layers", str(package)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert [line.split(":", 2)[2] for line in result.stdout.splitlines()] == [
        " config -> cli",
        " newthing -> errors",
    ]


def _tangled_package(root):
    """A package whose app and view import each other (the view lazily), as web's once did."""
    package = root / "mougen"
    (package / "web" / "views").mkdir(parents=True)
    (package / "web" / "__init__.py").write_text("")
    (package / "web" / "views" / "__init__.py").write_text("")
    (package / "web" / "app.py").write_text(
        "from mougen.web.views import page\nfrom mougen.web import context\n"
    )
    (package / "web" / "views" / "page.py").write_text(
        "def view():\n    from mougen.web.app import create_app\n"
    )
    (package / "web" / "context.py").write_text("import mougen.errors\n")
    return package


def test_the_layer_check_names_an_import_cycle_inside_a_package(tmp_path, capsys):
    package = _tangled_package(tmp_path)
    assert [str(c) for c in cycles(package)] == [
        "cycle: mougen.web.app -> mougen.web.views.page -> mougen.web.app"
    ]
    assert main([str(package)]) == 1
    assert "cycle: mougen.web.app" in capsys.readouterr().out


def test_importing_a_module_from_its_package_is_no_cycle(tmp_path):
    package = _tangled_package(tmp_path)
    (package / "web" / "views" / "page.py").write_text("from mougen.web import context\n")
    (package / "web" / "__init__.py").write_text("from mougen.web.app import create_app\n")
    assert cycles(package) == []

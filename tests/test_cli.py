"""The command line itself: every command resolves, loads lazily, and errors are one line."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from mougen.cli import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_under_its_own_name(name):
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.help, f"{name} has no help text"


def test_a_light_command_does_not_load_the_heavy_libraries(bundled):
    code = (
        "import sys\n"
        "from mougen.cli import main\n"
        "sys.argv = ['mougen', '--workspace', sys.argv[1], 'regions']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pyhanko', 'reportlab', 'sqlalchemy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(bundled.root)], capture_output=True, text=True, check=True
    ).stdout
    assert "nw-2017-19" in out
    assert "HEAVY []" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["frobnicate"], "No such command"),
        (["pack"], "Missing argument 'MOU_ID'"),
        (["verify", "x.pdf", "--trust", "nope.pem"], "nope.pem"),
        (["pack", "em-2015", "-o", "out", "--jobs", "0"], "--jobs"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(run_cli, args, needle):
    result = run_cli(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.output

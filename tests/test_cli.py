"""The command line itself: every command resolves, loads lazily, and errors are one line."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from mougen.cli import COMMANDS, SUMMARIES, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_under_its_own_name(name):
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.help, f"{name} has no help text"
    assert SUMMARIES[name] == command.get_short_help_str(limit=10_000)  # what --help lists


def test_help_lists_every_command_without_loading_one():
    code = (
        "import sys\n"
        "from mougen.cli import main\n"
        "sys.argv = ['mougen', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.endswith('_cmds')))\n"
        "print('MODELS', 'pydantic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "LOADED []" in out
    assert "MODELS False" in out  # the workspace and its config models load with a command
    listed = out.split("Commands:")[1].split()
    assert all(name in listed for name in COMMANDS)
    assert "Build a sign-off pack per authority" in out


@pytest.mark.parametrize("command", ["render", "redline", "reviews", "check"])
def test_commands_that_do_not_record_do_not_load_sqlalchemy(command):
    module = COMMANDS[command].split(":")[0]
    code = f"import sys, {module}\nprint('sqlalchemy' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_the_round_store_hashes_no_password():
    """Issue 21: ``mougen pack`` imports the round store, which hashed a dummy password at
    import (about 0.75 s of CPU, most of a single-authority pack)."""
    code = (
        "import mougen.round.store\n"
        "from mougen.round import passwords\n"
        "print(passwords._dummy.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_a_light_command_does_not_load_the_heavy_libraries(bundled):
    code = (
        "import sys\n"
        "from mougen.cli import main\n"
        "sys.argv = ['mougen', '--workspace', sys.argv[1], 'regions']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pyhanko', 'typst', 'sqlalchemy') if m in sys.modules]\n"
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
        (["pack", "-o", "out"], "name the MoU versions to pack, or give --all"),
        (["pack", "se-2018", "--all", "-o", "out"], "or give --all, not both"),
        (["verify", "x.pdf", "--trust", "nope.pem"], "nope.pem"),
        (["pack", "em-2015", "-o", "out", "--jobs", "0"], "--jobs"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(run_cli, args, needle):
    result = run_cli(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.output


def test_workspace_and_db_are_accepted_after_the_subcommand(workspace, tmp_path):
    runner = CliRunner()
    root = str(workspace.root)
    before = runner.invoke(cli, ["-w", root, "regions", "--json"], catch_exceptions=False)
    after = runner.invoke(cli, ["regions", "--workspace", root, "--json"], catch_exceptions=False)
    assert before.exit_code == after.exit_code == 0 and before.stdout == after.stdout
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    result = runner.invoke(cli, ["audit", "log", "-w", root, "--db", url, "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert not (workspace.root / "mougen.db").exists()  # --db was heeded, after the name


def test_regions_shows_the_region_ids_and_prints_json(run_cli):
    table = run_cli("regions").stdout.splitlines()
    assert table[0].split()[:2] == ["REGION", "ID"]
    assert any("south-east" in line and "se-2018" in line for line in table)
    data = json.loads(run_cli("regions", "--json").stdout)
    se = next(o for o in data if o["mou"] == "se-2018")
    assert set(se) == {
        "region",
        "region_name",
        "mou",
        "title",
        "commences",
        "review_after",
        "parties",
        "source",
        "signs",
        "remote_signatories",
    }
    assert se["region"] == "south-east" and len(se["parties"]) == 19


def test_check_and_report_print_json(workspace, run_cli, tmp_path, monkeypatch):
    broken = workspace.regions_dir / "broken.yaml"
    broken.write_text("region: [", encoding="utf-8")
    result = run_cli("check", "--json")
    assert result.exit_code == 1
    checked = json.loads(result.stdout)
    assert checked["ok"] is False and checked["region_files"] is None
    assert [p.split(":")[0] for p in checked["problems"]] == [str(broken)]
    broken.unlink()
    out = tmp_path / "d.html"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")  # 2026-03-01, read once at the edge
    report = json.loads(run_cli("report", "se-2018", "--html", str(out), "--json").stdout)
    assert report["html"] == str(out) and report["generated_at"] == "2026-03-01T00:00:00+00:00"
    assert [v["mou"] for v in report["versions"]] == ["se-2018"]
    assert "2026-03-01T00:00:00+00:00" in out.read_text(encoding="utf-8")


def _boom(*_args, **_kwargs):
    raise KeyError("boom")


def test_a_bug_is_one_line_unless_debug_is_asked_for(workspace, monkeypatch):
    monkeypatch.setattr("mougen.cli.report_cmds.reviews", _boom)
    runner = CliRunner()
    args = ["-w", str(workspace.root), "reviews"]
    quiet = runner.invoke(cli, args)
    assert quiet.exit_code == 70
    assert quiet.stderr.splitlines() == [
        "mougen: internal error: KeyError: 'boom' (run with --debug or MOUGEN_DEBUG=1 for the"
        " full cause)"
    ]
    loud = runner.invoke(cli, ["--debug", *args])
    assert isinstance(loud.exception, KeyError)
    from_env = runner.invoke(cli, args, env={"MOUGEN_DEBUG": "1"})
    assert isinstance(from_env.exception, KeyError)


def test_debug_prints_the_cause_of_a_user_error(tmp_path):
    runner = CliRunner()
    args = ["-w", str(tmp_path), "regions"]
    plain = runner.invoke(cli, args)
    assert plain.exit_code == 1 and len(plain.stderr.splitlines()) == 1
    assert plain.stderr.startswith("mougen: ") and "no regions folder" in plain.stderr
    debug = runner.invoke(cli, ["--debug", *args])
    assert debug.exit_code == 1 and "Traceback" in debug.stderr and "ConfigError" in debug.stderr


def test_debug_shows_the_cause_a_one_line_error_hid(workspace):
    url = "postgresql+psycopg://u:secret@127.0.0.1:1/x"  # nothing listens on port 1
    args = ["-w", str(workspace.root), "--db", url, "audit", "log"]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 1 and len(plain.stderr.splitlines()) == 1
    debug = CliRunner().invoke(cli, ["--debug", *args])
    assert debug.exit_code == 1 and "caused by:" in debug.stderr
    assert "OperationalError" in debug.stderr  # SQLAlchemy's, behind mougen's one line
    assert "secret" not in debug.stderr


def test_usage_errors_carry_the_mougen_prefix(run_cli):
    result = run_cli("status", "--json", "--csv")
    assert result.exit_code == 2
    assert result.output.startswith("mougen: choose one of --json and --csv (see ")
    assert result.output.endswith(" status --help)\n")

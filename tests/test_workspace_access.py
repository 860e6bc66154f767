"""Read-only workspaces and folders that are not workspaces: readers work and write
nothing, writers refuse before writing anything, and no tracker appears where none was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from mougen.tracker import Tracker
from tests.conftest import REPO
from tests.signing_round import MOU, record_round

#: As root, file permissions bind only without these capabilities; setpriv drops them
#: for the one command, so the test sees what a coordinator without write access sees.
AS_READER = (
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    if os.geteuid() == 0
    else []
)


#: Runs each command line given (a JSON list of argument lists) in one interpreter, as
#: the reader, and prints each one's exit code, stdout and stderr as JSON.
_RUNNER = """
import json, logging, sys
from click.testing import CliRunner
from mougen.cli import cli
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
runs = [CliRunner().invoke(cli, args) for args in json.loads(sys.argv[1])]
print(json.dumps([[r.exit_code, r.stdout, r.stderr] for r in runs]))
"""


@dataclass(frozen=True)
class Run:
    """One command's outcome, as the reader saw it."""

    returncode: int
    stdout: str
    stderr: str


def _mougen(root: Path, *commands: list[str]) -> list[Run]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOUGEN_")}
    env["PYTHONPATH"] = str(REPO)
    lines = json.dumps([["--workspace", str(root), *args] for args in commands])
    command = [*AS_READER, sys.executable, "-c", _RUNNER, lines]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=True)
    return [Run(*outcome) for outcome in json.loads(done.stdout)]


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
    }


def _set_writable(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | 0o200 if writable else mode & ~0o222)


@pytest.fixture
def read_only(workspace):
    """The scratch workspace with a part-signed round in its tracker, then made read-only."""
    with Tracker.open(workspace.db_url) as tracker:
        record_round(tracker)
    _set_writable(workspace.root, False)
    yield workspace
    _set_writable(workspace.root, True)


def test_reading_commands_work_in_a_read_only_workspace(read_only, tmp_path):
    before = _tree(read_only.root)
    (tmp_path / "x.pdf").write_text("not a PDF")
    runs = _mougen(
        read_only.root,
        ["status", MOU, "--json"],
        ["chase", MOU, "--json"],
        ["audit", "log", "--verify"],
        ["report", MOU, "--html", str(tmp_path / "d.html")],
        ["verify", str(tmp_path / "x.pdf")],
    )
    status, chase, audit, report, verify = runs
    assert status.returncode == 0, status.stderr
    complete = [o["authority"] for o in json.loads(status.stdout) if o["complete"]]
    assert complete == ["milton-keynes"]
    assert chase.returncode == 0 and json.loads(chase.stdout), chase.stderr
    assert audit.returncode == 0 and "intact" in audit.stdout, audit.stderr
    assert report.returncode == 0 and (tmp_path / "d.html").is_file(), report.stderr
    # verify looks the file up in the tracker: a file that is no PDF fails as such (2).
    assert verify.returncode == 2 and "readable" in verify.stderr, verify.stderr
    for result in runs:
        assert "readonly" not in result.stderr
    assert _tree(read_only.root) == before


def test_pack_refuses_a_read_only_workspace_or_tracker_before_writing(
    read_only, workspace, tmp_path
):
    # The same read-only tracker named with --db from a writable copy of the workspace.
    writable = tmp_path / "writable"
    shutil.copytree(workspace.root, writable, ignore=shutil.ignore_patterns("mougen.db*"))
    _set_writable(writable, True)
    before = _tree(read_only.root), _tree(writable)
    out = tmp_path / "packs"
    pack = ["pack", MOU, "-a", "kent", "-o", str(out)]
    in_place, by_url = _mougen(
        read_only.root, pack, [*pack, "-w", str(writable), "--db", read_only.db_url]
    )
    for result in (in_place, by_url):
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "read-only" in result.stderr, result.stderr
    assert "tracker" in by_url.stderr
    assert not out.exists()
    assert (_tree(read_only.root), _tree(writable)) == before


def test_a_reader_creates_no_tracker(workspace, run_cli):
    for args in (("status", "--json"), ("chase", MOU), ("audit", "log")):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
    assert not workspace.db_file.exists()
    assert not list(workspace.root.glob("mougen.db*"))


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("chase", MOU),
        ("audit", "log"),
        ("tracker", "rebuild"),
        ("pack", MOU, "-o", "x"),
    ],
)
def test_a_folder_that_is_not_a_workspace_is_refused_and_left_alone(tmp_path, run_cli, args):
    from mougen.workspace import Workspace

    folder = tmp_path / "not-a-workspace"
    folder.mkdir()
    result = run_cli(*args, ws=Workspace(folder))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "no regions folder" in result.output
    assert list(folder.iterdir()) == []


def test_a_yml_region_file_is_read_too(workspace, run_cli):
    se = workspace.regions_dir / "south-east.yaml"
    se.rename(se.with_suffix(".yml"))
    data = json.loads(run_cli("regions", "--json").stdout)
    se_2018 = next(o for o in data if o["mou"] == "se-2018")
    assert se_2018["source"].endswith("south-east.yml") and se_2018["region"] == "south-east"
    broken = workspace.regions_dir / "broken.yml"
    broken.write_text("region: [", encoding="utf-8")
    result = run_cli("check", "--json")
    assert result.exit_code == 1
    assert any("broken.yml" in p for p in json.loads(result.stdout)["problems"])

"""A first week with the CLI: what a new coordinator reads, command by command."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mougen.cli.options import invoked_as
from mougen.config.edit import edit_authority
from mougen.workspace import BUNDLED, PACKAGED, Workspace
from tests.pdftext import pdftotext


@pytest.mark.parametrize("command", ["init", "issue", "revoke", "crl"])
def test_ca_help_names_the_ca_passphrase_variable(run_cli, command):
    result = run_cli("ca", command, "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "$MOUGEN_CA_PASSPHRASE" in text
    assert "$MOUGEN_P12_PASSPHRASE" not in text


def test_status_into_a_closed_pipe_exits_quietly(workspace):
    proc = subprocess.Popen(
        [sys.executable, "-m", "mougen", "--workspace", str(workspace.root), "status"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `| head` does once it has read enough
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert err == ""


def test_report_json_needs_no_html_file(run_cli, workspace):
    result = run_cli("report", "se-2019-20", "--json", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["html"] is None
    [version] = report["versions"]
    assert version == {
        "mou": "se-2019-20",
        "title": version["title"],
        "region": "South East",
        "parties": 19,
        "issued": False,
        "complete": 0,
        "counterparts": 0,
    }
    assert not list(workspace.root.glob("*.html"))


def test_report_without_html_or_json_is_one_usage_line(run_cli):
    result = run_cli("report")
    assert result.exit_code == 2
    assert result.stderr.startswith("mougen: give --html FILE, --json, or both")


def test_serve_on_a_port_in_use_is_one_line_and_never_says_serving(run_cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.exit_code == 1
    # serve's start-up warnings (e.g. base_url) may come first; the failure is one line, last
    errors = [
        line for line in result.stderr.splitlines() if not line.startswith("mougen: warning:")
    ]
    assert errors == [f"mougen: cannot listen on 127.0.0.1:{port}: Address already in use"]
    assert "serving on" not in result.output


def _cover(pack: Path) -> str:
    return " ".join(pdftotext(pack / "cover-sheet.pdf", raw=False).split())


def test_packing_again_keeps_the_rounds_return_by_date_and_says_1_pack(run_cli, tmp_path):
    first = run_cli("pack", "em-2015", "-o", str(tmp_path), "--return-by", "2027-01-15")
    assert first.exit_code == 0, first.output
    again = run_cli("pack", "em-2015", "-a", "rutland", "-o", str(tmp_path))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"1 pack for em-2015 in {tmp_path} ")
    assert "by 15 January 2027" in _cover(tmp_path / "em-2015--rutland")
    changed = run_cli(
        "pack", "em-2015", "-a", "rutland", "-o", str(tmp_path), "--return-by", "2027-02-01"
    )
    assert changed.exit_code == 0, changed.output
    assert "February 2027" in _cover(tmp_path / "em-2015--rutland")


def test_packing_a_superseded_version_warns_and_names_the_current_one(run_cli, tmp_path):
    result = run_cli("pack", "se-2018", "-a", "kent", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "mougen: warning: se-2018 is superseded by se-2019-20: its packs are still made, but "
        "the dashboard follows se-2019-20; pack se-2019-20 to start the current round"
    ]
    current = run_cli("pack", "se-2019-20", "-a", "kent", "-o", str(tmp_path))
    assert current.exit_code == 0 and current.stderr == ""


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in ("regions", "templates")
        for p in sorted((root / sub).iterdir())
    }


def test_init_copies_the_packages_own_regions_and_templates(run_cli, tmp_path):
    result = run_cli("init", str(tmp_path / "new"))
    assert result.exit_code == 0, result.output
    assert _files(tmp_path / "new") == _files(PACKAGED)


def test_the_packages_regions_and_templates_are_the_repositorys_as_committed():
    """A change to the repository's regions/ or templates/ must reach the package's copy
    (mougen/data/workspace/), which is what new workspaces start from."""
    if not (BUNDLED / ".git").exists():
        pytest.skip("not a git checkout")
    for name, data in _files(PACKAGED).items():
        committed = subprocess.run(
            ["git", "-C", str(BUNDLED), "show", f"HEAD:{name}"], capture_output=True, check=True
        ).stdout
        assert committed == data, f"mougen/data/workspace/{name} differs from {name}"


@pytest.mark.parametrize(
    ("suffix", "problem"),
    [
        (" under the Data Protection Act 2018", False),
        (" (Children and Social Work Act 2017, Regulations 2018)", False),
        (" replacing 2018", True),
    ],
)
def test_check_accepts_a_year_in_a_statutes_name(run_cli, workspace, suffix, problem):
    region = workspace.regions_dir / "south-east.yaml"
    title = "Memorandum of understanding 2019-20"
    region.write_text(region.read_text().replace(f'{title}"', f'{title}{suffix}"'))
    result = run_cli("check")
    assert (result.exit_code == 1) == problem, result.output
    assert ("names 2018, a year of se-2018" in result.output) == problem


@pytest.mark.parametrize(
    ("argv0", "on_path", "shown"),
    [
        (".venv/bin/mougen", False, ".venv/bin/mougen"),
        (".venv/bin/mougen", True, "mougen"),
    ],
)
def test_hints_name_the_mougen_that_runs(tmp_path, monkeypatch, argv0, on_path, shown):
    script = tmp_path / argv0
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script)])
    monkeypatch.setenv("PATH", str(script.parent) if on_path else "/nonexistent")
    assert invoked_as() == shown


def test_editing_an_authority_keeps_the_rest_of_the_region_file_as_written(workspace):
    path = workspace.regions_dir / "south-east.yaml"
    before = path.read_text().splitlines()

    def add_email(authority) -> None:
        authority["signatories"] = {"dcs": {"email": "dcs@oxfordshire.example"}}

    edit_authority(path, "oxfordshire", add_email)
    after = path.read_text().splitlines()
    at = before.index(
        "  - {slug: oxfordshire, name: Oxfordshire, council: Oxfordshire County Council}"
    )
    assert after[:at] == before[:at]
    assert after[at : at + 5] == [
        "  - slug: oxfordshire",
        "    name: Oxfordshire",
        "    council: Oxfordshire County Council",
        "    signatories:",
        "      dcs:",
    ]
    assert after[at + 6 :] == before[at + 1 :]
    oxfordshire = Workspace(workspace.root).catalog.mou("se-2019-20").party("oxfordshire")
    assert oxfordshire.signatories.for_role("dcs").email == "dcs@oxfordshire.example"


def test_the_readme_explains_the_ca_passphrase_the_venv_and_tours_the_current_version():
    readme = (BUNDLED / "README.md").read_text()
    assert "MOUGEN_CA_PASSPHRASE" in readme
    assert ". .venv/bin/activate" in readme
    assert "mougen pack se-2018" not in readme
    assert "mougen pack se-2019-20 -o packs/ --return-by" in readme

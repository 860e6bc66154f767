"""A first week with the CLI: what a new coordinator reads, command by command."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest


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
    assert result.stderr.splitlines() == [
        f"mougen: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]

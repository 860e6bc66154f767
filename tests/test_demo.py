"""The demonstration round: every step on the bundled data, end to end, in a new workspace."""

from __future__ import annotations

import re
import subprocess
from email import message_from_bytes, policy

import pytest

from mougen.round.records import Actor
from mougen.round.signing_round import SigningRound
from mougen.round.store import RoundStore
from mougen.tracker import Tracker
from mougen.verify import verify_file
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.web.app import create_app
from mougen.workspace import PACKAGED, Workspace


@pytest.mark.slow
def test_demo_runs_the_whole_round(run_cli, tmp_path, monkeypatch):
    # Given as a relative folder, as a coordinator types it; paths are shown relative to it.
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "demo"
    result = run_cli("demo", "demo")
    assert result.exit_code == 0, result.output
    assert "collected returned.pdf -> signed/se-2019-20/milton-keynes/" in result.output
    assert len(list((target / "packs").glob("*/*.zip"))) == 103
    # the lead member's file came by email first; then the fully signed one by the inbox
    assert "emailed  Cllr Zoe Nolan" in result.output and "-> mougen/processed" in result.output
    filed = target / result.output.split("collected returned.pdf -> ")[1].split()[0]
    assert len(list(filed.parent.glob("*.pdf"))) == 2

    ws = Workspace(target)
    report = verify_file(filed, workspace_trust_roots(ws))
    assert report.fully_executed
    assert [s.signer for s in report.signatures] == [
        "Michael Bracey",
        "Cllr Zoe Nolan",
        "Carole Mills",
    ]
    with Tracker.open(ws.db_url) as tracker:
        assert len(tracker.issues()) == 103
        assert tracker.verify_log() == []
        [receipt] = tracker.receipts()
    assert receipt.accepted and receipt.sender.startswith("Cllr Zoe Nolan")
    assert "fully executed" in result.output
    redline = target / "redlines" / "se-2018--se-2019-20.docx"
    accepted = subprocess.run(
        ["pandoc", "--track-changes=accept", "-t", "plain", str(redline)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Third party disclosure protocol" in accepted
    assert "1/19" in (target / "dashboard.html").read_text(encoding="utf-8")
    assert not list((target / "inbox").iterdir()), "the returned file moved into the archive"
    _reading_signed_remotely(result.output, ws)
    _serve_shows_the_round_in_progress(ws)
    _the_ca_stays_usable(run_cli, result.output, ws, tmp_path)
    _the_region_file_keeps_its_layout(ws)


def _the_ca_stays_usable(run_cli, output: str, ws: Workspace, tmp_path) -> None:
    """The demo says where its CA's passphrase is, and `ca issue` works with it."""
    passphrase = ws.root / "demo-secrets" / "south-east-ca-passphrase"
    assert f"the South East CA's passphrase is in {passphrase}" in output
    assert passphrase.stat().st_mode & 0o777 == 0o600
    (tmp_path / "p12-pass").write_text("a new signatory's passphrase\n")
    issued = run_cli(
        *("ca", "issue", "-a", "kent", "--role", "dcs", "--name", "Kit Dee"),
        *("--email", "dcs@kent.example"),
        *("--passphrase-file", str(passphrase), "-o", str(tmp_path / "kent-dcs.p12")),
        *("--out-passphrase-file", str(tmp_path / "p12-pass")),
        ws=ws,
    )
    assert issued.exit_code == 0, issued.output


def _the_region_file_keeps_its_layout(ws: Workspace) -> None:
    """Only Oxfordshire's and Reading's entries, which the demo gave addresses, changed."""
    before = (PACKAGED / "regions" / "south-east.yaml").read_text().splitlines()
    after = (ws.regions_dir / "south-east.yaml").read_text().splitlines()
    changed = [line for line in after if line not in before]
    assert changed[0] == "  - slug: oxfordshire"
    assert "  - slug: reading" in changed
    assert all(("oxfordshire" in line or "reading" in line) or ":" in line for line in changed)
    assert [line for line in before if line not in after] == [
        "  - {slug: oxfordshire, name: Oxfordshire, council: Oxfordshire County Council}",
        "  - {slug: reading, name: Reading, council: Reading Borough Council}",
    ]


def _reading_signed_remotely(output: str, ws: Workspace) -> None:
    """Reading's three roles signed with keys made in the demo's own token, from the codes in
    ``outbox/``; the token, its configuration and its PIN stay inside the workspace."""
    assert output.count("remote   reading's") == 3
    assert f"SOFTHSM2_CONF={ws.root / 'softhsm' / 'softhsm2.conf'}" in output
    assert list((ws.root / "softhsm" / "tokens").iterdir())
    pin_file = ws.root / "demo-secrets" / "token-pin"
    assert pin_file.stat().st_mode & 0o777 == 0o600
    assert f'pin_file = "{pin_file}"' in (ws.root / "web.toml").read_text()
    pin = pin_file.read_text().strip()
    assert pin not in output
    assert not any(pin.encode() in p.read_bytes() for p in (ws.root / "outbox").glob("*.eml"))
    with Tracker.open(ws.db_url) as tracker:
        executed = SigningRound(ws, tracker).executed_path("se-2019-20", "reading")
        kinds = [e.kind for e in tracker.events()]
    assert executed is not None
    report = verify_file(executed, workspace_trust_roots(ws))
    assert report.fully_executed
    assert [s.signer for s in report.signatures] == ["Priya Shah", "Cllr Tom Hale", "Ruth Okafor"]
    assert kinds.count("remote-signed") == 3


def _serve_shows_the_round_in_progress(ws: Workspace) -> None:
    """The demo's workspace, served: Milton Keynes signed, Oxfordshire's DCS invited."""
    sent = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in (ws.root / "outbox").glob("*.eml")
    ]
    [invitation] = [m for m in sent if m["To"].endswith("oxfordshire@example.org")]
    assert invitation["To"] == "dcs.oxfordshire@example.org"
    [answer] = [m for m in sent if m["Subject"].startswith("Re: Please sign")]
    assert "the Lead Member for Children’s Services of Milton Keynes" in answer.get_content()
    with Tracker.open(ws.db_url) as tracker:
        RoundStore(tracker).add_user("demo", "a demo password only", Actor("test", None), None)
    client = create_app(Workspace(ws.root)).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "name": "demo", "password": "a demo password only"}
    assert client.post("/login", data=form).status_code == 302
    grid = client.get("/rounds/se-2019-20").get_data(as_text=True)
    rows = dict(
        re.findall(r'<tr class="govuk-table__row" id="row-([a-z-]+)">(.*?)</tr>', grid, re.S)
    )
    assert rows["milton-keynes"].count("govuk-tag--green") == 3
    assert "Invited" in rows["oxfordshire"] and "Invited" not in rows["kent"]
    assert rows["reading"].count("govuk-tag--green") == 3


def test_demo_refuses_a_folder_in_use(run_cli, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = run_cli("demo", str(tmp_path / "busy"))
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"

"""Collect: returned PDFs verified, matched by content to what was issued, filed, recorded."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mougen.pack import build_pack
from mougen.pack.issued import record_issued
from mougen.roles import ROLE_IDS
from mougen.signing import load_pkcs12, sign_pdf
from mougen.tracker import Tracker
from tests.nss import NssSigner
from tests.pki import TestPki

MOU = "se-2018"
WHEN = datetime(2026, 11, 22, tzinfo=UTC)
PASS = b"collect tests only"


def _bind_test_signers(workspace) -> None:
    """Bind the test signers (``<role>@example.org``) to the roles of both authorities."""
    region = workspace.regions_dir / "south-east.yaml"
    text = region.read_text()
    for role, name in (
        ("dcs", "Michael Bracey"),
        ("chief-executive", "Carole Mills"),
        ("lead-member", "Cllr Zoe Nolan"),
    ):
        named = f"{role}: {{name: {name}"
        text = text.replace(named + "}", f"{named}, email: {role}@example.org}}")
    kent = "{slug: kent, name: Kent, council: Kent County Council}"
    bound = ", ".join(f"{r}: {{email: {r}@example.org}}" for r in ROLE_IDS)
    text = text.replace(kent, kent[:-1] + f", signatories: {{{bound}}}}}")
    region.write_text(text)


@pytest.fixture
def issued(workspace, tmp_path):
    """Packs for two authorities, recorded as issued; returns slug -> issued PDF path.

    The test signers are bound to both authorities' roles by email in the config.
    """
    _bind_test_signers(workspace)
    packs = [
        build_pack(workspace, MOU, slug, tmp_path / "packs", WHEN)
        for slug in ("milton-keynes", "kent")
    ]
    record_issued(workspace, packs, WHEN)
    return {p.authority: p.folder / f"{MOU}--{p.authority}.pdf" for p in packs}


@pytest.fixture
def pki(tmp_path):
    pki = TestPki()
    pki.root.write_pem(tmp_path / "root.pem")
    return pki


def _sign(pki, pdf: Path, role: str, out: Path, email: str | None = None) -> Path:
    who = pki.signer(f"{role} signer", email or f"{role}@example.org")
    p12 = who.write_p12(out.with_suffix(".p12"), PASS)
    sign_pdf(pdf, role, load_pkcs12(p12, PASS), out)
    return out


def _collect(run_cli, inbox: Path, tmp_path: Path):
    return run_cli("collect", str(inbox), "--trust", str(tmp_path / "root.pem"))


def _signatures(workspace) -> list:
    with Tracker.open(workspace.db_url) as tracker:
        return tracker.signatures(MOU)


def test_pack_sign_with_two_tools_collect_verify(run_cli, workspace, issued, pki, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    dcs = _sign(pki, issued["milton-keynes"], "dcs", work / "1.pdf")
    nss = NssSigner(
        work / "nss", pki.signer("Lead Member", "lead-member@example.org"), [tmp_path / "root.pem"]
    )
    lead = nss.sign(dcs, "lead-member", work / "2.pdf")
    final = _sign(pki, lead, "chief-executive", inbox / "returned.pdf")

    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 0, result.output
    filed = list((workspace.signed_dir / MOU / "milton-keynes").glob("*.pdf"))
    assert len(filed) == 1 and not final.exists(), "moved from the inbox into the archive"
    assert filed[0].stem == hashlib.sha256(filed[0].read_bytes()).hexdigest()
    roles = {(s.authority, s.role) for s in _signatures(workspace)}
    assert roles == {("milton-keynes", r) for r in ("dcs", "lead-member", "chief-executive")}

    verify = run_cli("verify", str(filed[0]), "--trust", str(tmp_path / "root.pem"), "--json")
    assert verify.exit_code == 0, verify.output
    [report] = json.loads(verify.output)
    assert report["valid"] and report["missing_roles"] == []
    recorded = {s.signature_sha256 for s in _signatures(workspace)}
    assert {s["signature_sha256"] for s in report["signatures"]} == recorded

    status = run_cli("status", MOU, "--json")
    row = next(r for r in json.loads(status.output) if r["authority"] == "milton-keynes")
    assert row["complete"] is True


def test_file_named_as_another_authority_is_filed_by_content(
    run_cli, workspace, issued, pki, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _sign(pki, issued["milton-keynes"], "dcs", inbox / f"{MOU}--kent.pdf")
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert list((workspace.signed_dir / MOU / "milton-keynes").glob("*.pdf"))
    assert not (workspace.signed_dir / MOU / "kent").exists()


def test_parallel_copies_each_signed_by_one_role(run_cli, workspace, issued, pki, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for role in ("dcs", "lead-member", "chief-executive"):
        _sign(pki, issued["kent"], role, inbox / f"{role}.pdf")
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(list((workspace.signed_dir / MOU / "kent").glob("*.pdf"))) == 3
    status = json.loads(run_cli("status", MOU, "--json").output)
    kent = next(r for r in status if r["authority"] == "kent")
    # Every role signed, but no single document carries all three signatures.
    assert kent["complete"] is False
    assert kent["counterparts_complete"] is True


def test_rejections_stay_in_the_inbox_with_their_reason(run_cli, workspace, issued, pki, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "letter.pdf").write_text("Dear coordinator, please find attached")
    unissued = build_pack(workspace, MOU, "surrey", tmp_path / "unrecorded", WHEN)
    _sign(pki, unissued.folder / f"{MOU}--surrey.pdf", "dcs", inbox / "surrey.pdf")
    tampered = _sign(pki, issued["kent"], "dcs", tmp_path / "t.pdf").read_bytes()
    at = len(tampered) // 4  # inside the issued revision, which the signature covers
    flipped = bytes([tampered[at] ^ 0x01])
    (inbox / "tampered.pdf").write_bytes(tampered[:at] + flipped + tampered[at + 1 :])
    untrusted = TestPki("Somebody Else's Root")
    _sign(untrusted, issued["kent"], "lead-member", inbox / "untrusted.pdf")

    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    reasons = {
        p.name.removesuffix(".rejected.txt"): p.read_text() for p in inbox.glob("*.rejected.txt")
    }
    assert set(reasons) == {"letter.pdf", "surrey.pdf", "tampered.pdf", "untrusted.pdf"}
    assert "PDF" in reasons["letter.pdf"]
    assert "matches no issued PDF" in reasons["surrey.pdf"]
    assert "dcs" in reasons["tampered.pdf"]
    assert "NO_CERTIFICATE_CHAIN_FOUND" in reasons["untrusted.pdf"]
    for name in reasons:
        assert (inbox / name).exists(), "a rejected file stays where it was"
    assert not workspace.signed_dir.joinpath(MOU).exists()
    assert _signatures(workspace) == []


def test_signer_must_be_the_configured_signatory(run_cli, workspace, issued, pki, tmp_path):
    region = workspace.regions_dir / "south-east.yaml"
    region.write_text(
        region.read_text().replace(
            "Bracey, email: dcs@example.org", "Bracey, email: m.bracey@mk.example"
        )
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _sign(pki, issued["milton-keynes"], "dcs", inbox / "wrong.pdf", email="someone@else.example")
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 1
    assert "m.bracey@mk.example" in (inbox / "wrong.pdf.rejected.txt").read_text()
    _sign(pki, issued["milton-keynes"], "dcs", inbox / "right.pdf", email="M.Bracey@mk.example")
    (inbox / "wrong.pdf").unlink()
    assert _collect(run_cli, inbox, tmp_path).exit_code == 0


def test_collecting_the_same_file_again_counts_nothing_twice(
    run_cli, workspace, issued, pki, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    signed = _sign(pki, issued["kent"], "dcs", tmp_path / "kent.pdf")
    for _ in range(2):
        shutil.copy(signed, inbox / "kent.pdf")
        assert _collect(run_cli, inbox, tmp_path).exit_code == 0
    assert len(list((workspace.signed_dir / MOU / "kent").glob("*.pdf"))) == 1
    assert len(_signatures(workspace)) == 1


def _mougen(workspace, *args: str, extra_env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, **(extra_env or {}), "MOUGEN_WORKSPACE": str(workspace.root)}
    return subprocess.Popen(
        [sys.executable, "-m", "mougen", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _many_signed(pki, issued, inbox: Path, tmp_path: Path) -> int:
    count = 0
    for slug, pdf in issued.items():
        for role in ("dcs", "lead-member", "chief-executive"):
            _sign(pki, pdf, role, inbox / f"{slug}-{role}.pdf")
            count += 1
    return count


def test_two_collectors_at_once_file_and_record_each_once(workspace, issued, pki, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    total = _many_signed(pki, issued, inbox, tmp_path)
    trust = ("--trust", str(tmp_path / "root.pem"))
    procs = [_mougen(workspace, "collect", str(inbox), *trust) for _ in range(2)]
    for proc in procs:
        proc.wait(timeout=300)
        assert proc.returncode in (0, 1), proc.stderr.read().decode()
        assert b"Traceback" not in proc.stderr.read()
    filed = list(workspace.signed_dir.glob(f"{MOU}/*/*.pdf"))
    assert len(filed) == total
    assert len(_signatures(workspace)) == total
    assert not list(inbox.glob("*.pdf")), "every file was collected by one or the other"
    with Tracker.open(workspace.db_url) as tracker:
        assert tracker.verify_log() == []


def test_killed_between_archiving_and_recording_loses_nothing(workspace, issued, pki, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    total = _many_signed(pki, issued, inbox, tmp_path)
    # A hook that stops the collector dead right after the first file reaches the archive.
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os, signal\n"
        "import mougen.collect.collector as c\n"
        "_file = c.file_signed\n"
        "def file_then_die(*a, **k):\n"
        "    path = _file(*a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "c.file_signed = file_then_die\n"
    )
    proc = _mougen(
        workspace,
        "collect",
        str(inbox),
        "--trust",
        str(tmp_path / "root.pem"),
        extra_env={"PYTHONPATH": str(hook)},
    )
    proc.wait(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert len(list(workspace.signed_dir.glob(f"{MOU}/*/*.pdf"))) == 1
    assert len(list(inbox.glob("*.pdf"))) == total, "nothing left the inbox before recording"
    assert _signatures(workspace) == []

    again = _mougen(workspace, "collect", str(inbox), "--trust", str(tmp_path / "root.pem"))
    again.wait(timeout=300)
    assert again.returncode == 0, again.stderr.read().decode()
    assert len(list(workspace.signed_dir.glob(f"{MOU}/*/*.pdf"))) == total
    assert len(_signatures(workspace)) == total


def test_inbox_that_is_not_a_folder(run_cli, tmp_path):
    result = run_cli("collect", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "nowhere" in result.output and "Traceback" not in result.output


def test_verify_checks_provenance_where_the_workspace_has_a_tracker(
    run_cli, workspace, issued, pki, tmp_path
):
    region = workspace.regions_dir / "south-east.yaml"
    region.write_text(
        region.read_text().replace(
            "Bracey, email: dcs@example.org", "Bracey, email: m.bracey@mk.example"
        )
    )
    right = _sign(
        pki, issued["milton-keynes"], "dcs", tmp_path / "right.pdf", email="m.bracey@mk.example"
    )
    wrong = _sign(
        pki, issued["milton-keynes"], "dcs", tmp_path / "wrong.pdf", email="imposter@mk.example"
    )
    unissued = build_pack(workspace, MOU, "surrey", tmp_path / "unrecorded", WHEN)
    stray = _sign(pki, unissued.folder / f"{MOU}--surrey.pdf", "dcs", tmp_path / "stray.pdf")
    trust = ("--trust", str(tmp_path / "root.pem"))

    result = run_cli("verify", str(right), str(wrong), str(stray), *trust, "--json")
    by_file = {Path(e["file"]).name: e for e in json.loads(result.output)}
    assert by_file["right.pdf"]["issued"] == {"mou": MOU, "authority": "milton-keynes"}
    assert by_file["right.pdf"]["provenance_problems"] == []
    assert "m.bracey@mk.example" in by_file["wrong.pdf"]["provenance_problems"][0]
    assert by_file["wrong.pdf"]["valid"] is False
    assert by_file["stray.pdf"]["issued"] is None and by_file["stray.pdf"]["valid"] is False

    unsigned = run_cli("verify", str(issued["kent"]), *trust, "--json")
    assert json.loads(unsigned.output)[0]["issued"] == {"mou": MOU, "authority": "kent"}

    text = run_cli("verify", str(wrong), *trust).output
    assert "provenance: issued as se-2018 for milton-keynes; the dcs field of milton-keynes" in text
    assert run_cli("verify", str(stray), *trust).exit_code == 1


def test_verify_outside_a_tracked_workspace_checks_signatures_only(run_cli, issued, pki, tmp_path):
    signed = _sign(pki, issued["kent"], "dcs", tmp_path / "kent.pdf")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(
        "--workspace",
        str(elsewhere),
        "verify",
        str(signed),
        "--trust",
        str(tmp_path / "root.pem"),
        "--json",
    )
    [entry] = json.loads(result.output)
    assert "issued" not in entry and entry["missing_roles"] == ["lead-member", "chief-executive"]
    assert not (elsewhere / "mougen.db").exists(), "verify does not create a tracker"

"""Collect: returned PDFs verified, matched by content to what was issued, filed, recorded."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from mougen.collect import Rejection, accept, collect_bytes, file_accepted
from mougen.pack import build_pack
from mougen.pack.issued import record_issued
from mougen.roles import ROLE_IDS
from mougen.signing import load_pkcs12, sign_pdf
from mougen.tracker import Tracker
from mougen.workflow.checking import Checker, workspace_spec
from mougen.workspace import Workspace
from tests.conftest import scratch_workspace, take_up
from tests.nss import NssSigner
from tests.pki import TestPki
from tests.verify_docs import write

MOU = "se-2018"
SLUGS = ("milton-keynes", "kent")
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


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Workspace, dict[str, bytes]]:
    """A workspace with packs for two authorities recorded as issued, made once per module;
    slug -> issued PDF. The test signers are bound to both authorities' roles by email."""
    ws = scratch_workspace(tmp_path_factory.mktemp("prepared") / "ws")
    _bind_test_signers(ws)
    packs = [build_pack(ws, MOU, slug, ws.root.parent / "packs", WHEN) for slug in SLUGS]
    record_issued(ws, packs, WHEN)
    return ws, {p.authority: (p.folder / f"{MOU}--{p.authority}.pdf").read_bytes() for p in packs}


@pytest.fixture
def issued(workspace, prepared, tmp_path):
    """Packs for two authorities, recorded as issued; returns slug -> issued PDF path.

    The test signers are bound to both authorities' roles by email in the config.
    """
    ws, pdfs = prepared
    take_up(workspace, ws)
    (tmp_path / "packs").mkdir()
    return {slug: write(tmp_path / "packs" / f"{MOU}--{slug}.pdf", pdfs[slug]) for slug in SLUGS}


@pytest.fixture(scope="module")
def module_pki() -> TestPki:
    return TestPki()


@pytest.fixture
def pki(module_pki, tmp_path):
    module_pki.root.write_pem(tmp_path / "root.pem")
    return module_pki


def _sign(pki, pdf: Path, role: str, out: Path, email: str | None = None) -> Path:
    who = pki.signer(f"{role} signer", email or f"{role}@example.org")
    p12 = who.write_p12(out.with_suffix(".p12"), PASS)
    sign_pdf(pdf, role, load_pkcs12(p12, PASS), out, when=datetime.now(UTC))
    return out


def _configure_dcs_email(workspace) -> None:
    """Give Milton Keynes' DCS an email in the config, which the signer must then match."""
    region = workspace.regions_dir / "south-east.yaml"
    region.write_text(
        region.read_text().replace(
            "Bracey, email: dcs@example.org", "Bracey, email: m.bracey@mk.example"
        )
    )


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
    # Since main's status change: three counterparts, but no one fully executed document.
    assert (kent["counterparts_complete"], kent["complete"]) == (True, False)


def test_collect_json_gives_each_file_its_outcome(run_cli, workspace, issued, pki, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _sign(pki, issued["kent"], "dcs", inbox / "a-kent.pdf")
    (inbox / "b-letter.pdf").write_text("not a PDF at all")
    result = run_cli("collect", str(inbox), "--trust", str(tmp_path / "root.pem"), "--json")
    assert result.exit_code == 1  # one rejected
    filed, letter = json.loads(result.stdout)
    assert filed["file"] == "a-kent.pdf" and filed["accepted"] is True
    assert (filed["mou"], filed["authority"], filed["roles"]) == (MOU, "kent", ["dcs"])
    assert (workspace.root / filed["archived"]).is_file() and filed["recorded"] == 1
    assert letter["file"] == "b-letter.pdf" and letter["accepted"] is False
    assert letter["archived"] is None and "PDF" in letter["reason"]


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
    _sparse(inbox / "huge.pdf", 65 * 2**20)  # never read into memory

    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    reasons = {
        p.name.removesuffix(".rejected.txt"): p.read_text() for p in inbox.glob("*.rejected.txt")
    }
    assert set(reasons) == {"letter.pdf", "surrey.pdf", "tampered.pdf", "untrusted.pdf", "huge.pdf"}
    assert "PDF" in reasons["letter.pdf"]
    assert "larger than 64 MB" in reasons["huge.pdf"]
    assert "matches no issued PDF" in reasons["surrey.pdf"]
    assert "dcs" in reasons["tampered.pdf"]
    assert "NO_CERTIFICATE_CHAIN_FOUND" in reasons["untrusted.pdf"]
    for name in reasons:
        assert (inbox / name).exists(), "a rejected file stays where it was"
    assert not workspace.signed_dir.joinpath(MOU).exists()
    assert _signatures(workspace) == []


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(size)


def test_signer_must_be_the_configured_signatory(run_cli, workspace, issued, pki, tmp_path):
    _configure_dcs_email(workspace)
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
        # The hook first, then whatever mougen the tests run (a worktree's, say).
        extra_env={"PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])},
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
    _configure_dcs_email(workspace)
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


# -- an inbox that loses nothing and counts nothing twice ---------------------------------------


def _filed(workspace) -> list[Path]:
    return sorted(workspace.signed_dir.glob(f"{MOU}/*/*.pdf"))


def test_a_file_that_grows_while_collect_runs_is_kept_until_it_is_whole(
    run_cli, workspace, issued, pki, tmp_path, monkeypatch
):
    import mougen.collect.collector as collector

    two = _sign(
        pki,
        _sign(pki, issued["kent"], "dcs", tmp_path / "1.pdf"),
        "lead-member",
        tmp_path / "2.pdf",
    )
    three = _sign(pki, two, "chief-executive", tmp_path / "3.pdf").read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    returned = inbox / "kent.pdf"
    returned.write_bytes(two.read_bytes())  # the signer's tool has written two revisions...
    file_signed = collector.file_signed

    def rest_arrives_meanwhile(*args, **kwargs):
        with returned.open("ab") as f:  # ...and writes the third while collect is at work
            f.write(three[len(two.read_bytes()) :])
        return file_signed(*args, **kwargs)

    monkeypatch.setattr(collector, "file_signed", rest_arrives_meanwhile)
    first = _collect(run_cli, inbox, tmp_path)
    assert first.exit_code == 0, first.output
    assert "kept in the inbox: it changed while it was collected" in first.output
    assert returned.read_bytes() == three, "the whole file is still in the inbox"
    assert [p.read_bytes() for p in _filed(workspace)] == [two.read_bytes()]
    assert len(_signatures(workspace)) == 2

    monkeypatch.setattr(collector, "file_signed", file_signed)
    second = _collect(run_cli, inbox, tmp_path)
    assert second.exit_code == 0, second.output
    assert "(dcs, lead-member, chief-executive; 1 new)" in second.output
    assert not returned.exists()
    assert three in [p.read_bytes() for p in _filed(workspace)]
    assert sorted(s.role for s in _signatures(workspace)) == sorted(
        ["dcs", "lead-member", "chief-executive"]
    )


def _bump_signer_info_version(signed: bytes) -> bytes:
    """The same file with its CMS SignerInfo version changed: no key needed, signature intact."""
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    [(_, value, _)] = [f for f in enumerate_sig_fields(reader) if f[1] is not None]
    _, start, end, _ = value.get_object()["/ByteRange"]
    hex_contents = signed[start + 1 : end - 1]  # between the < and > of /Contents
    content_info = cms.ContentInfo.load(bytes.fromhex(hex_contents.decode()), strict=False)
    content_info = cms.ContentInfo.load(content_info.dump())  # without the zero padding
    signer_info = content_info["content"]["signer_infos"][0]
    signer_info["version"] = "v3" if signer_info["version"].native == "v1" else "v1"
    altered = content_info.dump(force=True).hex().encode().ljust(len(hex_contents), b"0")
    return signed[: start + 1] + altered + signed[end - 1 :]


def test_a_copy_altered_in_its_unsigned_cms_is_the_same_signature(
    run_cli, workspace, issued, pki, tmp_path
):
    signed = _sign(pki, issued["kent"], "dcs", tmp_path / "kent.pdf")
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(_bump_signer_info_version(signed.read_bytes()))
    trust = ("--trust", str(tmp_path / "root.pem"))
    reports = json.loads(run_cli("verify", str(signed), str(altered), *trust, "--json").output)
    assert reports[0]["sha256"] != reports[1]["sha256"], "two different files..."
    assert [r["signatures"][0]["indication"] for r in reports] == ["TOTAL_PASSED"] * 2
    ids = {r["signatures"][0]["signature_sha256"] for r in reports}
    assert len(ids) == 1, "...holding one signature"

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for copy in (altered, signed):
        shutil.copy(copy, inbox / copy.name)
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert not list(inbox.iterdir()), "both copies were taken; neither is lost"
    assert len(_filed(workspace)) == 2
    assert [s.signature_sha256 for s in _signatures(workspace)] == list(ids)

    (workspace.root / "mougen.db").unlink()  # the database was lost
    rebuilt = run_cli("tracker", "rebuild", *trust)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "2 signed files, 2 signatures (1 new)" in rebuilt.output
    assert [s.signature_sha256 for s in _signatures(workspace)] == list(ids)


@pytest.mark.parametrize("length", [242, 250, 255])
def test_any_file_name_works_and_a_long_one_gets_a_short_note(
    run_cli, workspace, issued, pki, tmp_path, length
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = "g" * (length - 4) + ".pdf"
    bad = "b" * (length - 4) + ".pdf"
    _sign(pki, issued["kent"], "dcs", inbox / good)
    (inbox / bad).write_text("not a PDF at all")
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"filed     {good} -> " in result.output, "a file after the long one is still taken"
    [note] = [p for p in inbox.iterdir() if p.name.endswith(".rejected.txt")]
    assert len(note.name.encode()) <= 255
    assert note.read_text().startswith(f"{bad}: ")
    assert (inbox / bad).exists() and not (inbox / good).exists()
    assert len(_signatures(workspace)) == 1


def test_a_symlink_out_of_the_inbox_is_not_followed(run_cli, workspace, issued, pki, tmp_path):
    outside = _sign(pki, issued["kent"], "dcs", tmp_path / "elsewhere.pdf")
    before = outside.read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link.pdf").symlink_to(outside)
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "symbolic link" in (inbox / "link.pdf.rejected.txt").read_text()
    assert (inbox / "link.pdf").is_symlink() and outside.read_bytes() == before
    assert _filed(workspace) == [] and _signatures(workspace) == []


def test_control_characters_in_names_cannot_fake_a_line(run_cli, workspace, issued, pki, tmp_path):
    _configure_dcs_email(workspace)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    forged = "x\nverdict: VALID\r\x1b[2K.pdf"
    who = pki.signer("Mallory\nverdict: VALID", "mallory@example.org")
    p12 = who.write_p12(tmp_path / "m.p12", PASS)
    sign_pdf(
        issued["milton-keynes"],
        "dcs",
        load_pkcs12(p12, PASS),
        inbox / forged,
        when=datetime.now(UTC),
    )
    latin1 = os.fsdecode(b"caf\xe9.pdf")  # a name that is not UTF-8
    (inbox / latin1).write_text("not a PDF")
    result = _collect(run_cli, inbox, tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3 and not any(line.startswith("verdict") for line in lines)
    assert lines[0].startswith("rejected  caf\\xe9.pdf: ")
    assert "x\\nverdict: VALID\\r\\x1b[2K.pdf" in lines[1]
    assert "Mallory\\nverdict: VALID" in lines[1]
    note = (inbox / (forged + ".rejected.txt")).read_text()
    assert note.count("\n") == 1 and "\x1b" not in note
    assert (inbox / (latin1 + ".rejected.txt")).exists()


def test_temporary_files_left_by_a_crash_are_swept_on_the_next_run(
    run_cli, workspace, pki, tmp_path
):
    folder = workspace.signed_dir / MOU / "kent"
    folder.mkdir(parents=True)
    crashed = folder / ".incoming.abc123.tmp"
    crashed.write_bytes(b"half a PDF")
    live = folder / ".incoming.def456.tmp"
    live.write_bytes(b"being written")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with live.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a collector running alongside holds its own
        assert _collect(run_cli, inbox, tmp_path).exit_code == 0
    assert not crashed.exists()
    assert live.exists(), "another collector's file in progress is left alone"


def test_collect_bytes_files_a_file_held_in_memory(workspace, issued, pki, tmp_path):
    signed = _sign(pki, issued["kent"], "dcs", tmp_path / "kent.pdf")
    with Tracker.open(workspace.db_url) as tracker:
        checker = Checker(workspace_spec(workspace, tracker, trust=[tmp_path / "root.pem"]))
        outcome = collect_bytes(workspace, signed.read_bytes(), "upload", tracker, checker)
        again = collect_bytes(workspace, signed.read_bytes(), "upload", tracker, checker)
        refused = collect_bytes(workspace, b"%PDF-1.7 nonsense", "junk", tracker, checker)
    assert (outcome.mou, outcome.authority, outcome.roles, outcome.recorded) == (
        MOU,
        "kent",
        ("dcs",),
        1,
    )
    assert outcome.archived.read_bytes() == signed.read_bytes()
    assert again.archived == outcome.archived and again.recorded == 0
    assert not refused.accepted and "not a readable PDF" in refused.reason
    assert signed.exists(), "the caller's copy is the caller's"


def test_a_caller_that_verifies_itself_accepts_then_files(workspace, issued, pki, tmp_path):
    data = _sign(pki, issued["milton-keynes"], "dcs", tmp_path / "mk.pdf").read_bytes()
    unissued = build_pack(workspace, MOU, "surrey", tmp_path / "unrecorded", WHEN)
    stray = _sign(pki, unissued.folder / f"{MOU}--surrey.pdf", "dcs", tmp_path / "s.pdf")
    with Tracker.open(workspace.db_url) as tracker:
        checker = Checker(workspace_spec(workspace, tracker, trust=[tmp_path / "root.pem"]))
        accepted = accept(data, checker.check_bytes(data, "up.pdf"))
        assert (accepted.mou, accepted.authority, accepted.roles) == (
            MOU,
            "milton-keynes",
            ("dcs",),
        )
        assert _signatures(workspace) == [], "accepting files nothing"
        outcome = file_accepted(workspace, tracker, accepted)
        with pytest.raises(Rejection, match="matches no issued PDF"):
            accept(stray.read_bytes(), checker.check_bytes(stray.read_bytes(), "stray.pdf"))
    assert (outcome.name, outcome.recorded) == ("up.pdf", 1)
    assert outcome.archived.read_bytes() == data

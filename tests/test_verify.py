"""mougen verify: verdicts, JSON, exit codes, the audit report, and unreadable input."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import subprocess
import sys
from enum import StrEnum
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from pyhanko.sign.fields import enumerate_sig_fields

from mougen.cli import cli
from mougen.roles import ROLE_IDS
from mougen.verify import first_revision_bytes, verify_file
from tests.background import serve_in_background
from tests.pki import TestPki
from tests.verify_docs import issued_pdf, ocsp_declaring_signer, sign, sign_all, write


@pytest.fixture(scope="module")
def signer(pki: TestPki):
    return pki.signer("Dana Director", "dana@example.org")


@pytest.fixture(scope="module")
def issued() -> bytes:
    return issued_pdf()


@pytest.fixture(scope="module")
def executed(issued: bytes, signer) -> bytes:
    return sign_all(issued, signer)


@pytest.fixture
def root(tmp_path: Path, pki: TestPki) -> Path:
    return pki.root.write_pem(tmp_path / "root.pem")


def _json(result) -> list[dict]:
    return json.loads(result.output)


def test_fully_executed_file_passes(run_cli, tmp_path, root, executed, issued):
    pdf = write(tmp_path / "signed.pdf", executed)
    result = run_cli("verify", str(pdf), "--trust", str(root), "--json")
    assert result.exit_code == 0, result.output
    [report] = _json(result)
    assert report["valid"] is True
    assert report["missing_roles"] == []
    assert report["sha256"] == hashlib.sha256(executed).hexdigest()
    assert report["first_revision_sha256"] == hashlib.sha256(issued).hexdigest()
    assert [s["field"] for s in report["signatures"]] == list(ROLE_IDS)
    for s in report["signatures"]:
        assert (s["signer"], s["email"]) == ("Dana Director", "dana@example.org")
        assert s["intact"] and s["trusted"] and not s["revoked"]
        assert s["indication"] == "TOTAL_PASSED" and s["sub_indication"] is None
        assert s["modification"] in ("NONE", "FORM_FILLING")
        assert len(s["cert_sha256"]) == 64
    assert [s["revision"] for s in report["signatures"]] == [1, 2, 3]  # after the issued one


def test_human_output_is_a_table_and_verdict(run_cli, tmp_path, root, executed):
    pdf = write(tmp_path / "signed.pdf", executed)
    result = run_cli("verify", str(pdf), "--trust", str(root))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[1].split()[:4] == ["FIELD", "SIGNER", "SIGNED", "AT"]
    assert sum("Dana Director" in line and "TOTAL_PASSED" in line for line in lines) == 3
    assert lines[-1].strip().startswith("verdict: VALID")


def test_without_trust_roots_nothing_is_trusted(run_cli, tmp_path, executed):
    pdf = write(tmp_path / "signed.pdf", executed)
    result = run_cli("verify", str(pdf), "--json")
    assert result.exit_code == 1
    [report] = _json(result)
    assert report["valid"] is False
    for s in report["signatures"]:
        assert s["intact"] and not s["trusted"]
        assert (s["indication"], s["sub_indication"]) == (
            "INDETERMINATE",
            "NO_CERTIFICATE_CHAIN_FOUND",
        )


def test_unsigned_roles_are_listed(run_cli, tmp_path, root, issued, signer):
    pdf = write(tmp_path / "part.pdf", sign(issued, "dcs", signer))
    result = run_cli("verify", str(pdf), "--trust", str(root), "--json")
    assert result.exit_code == 1
    [report] = _json(result)
    assert report["missing_roles"] == ["lead-member", "chief-executive"]
    assert report["signatures"][0]["indication"] == "TOTAL_PASSED"


def test_first_revision_bytes_is_the_issued_pdf(tmp_path, executed, issued):
    assert first_revision_bytes(write(tmp_path / "s.pdf", executed)) == issued


def test_library_api(tmp_path, root, executed):
    report = verify_file(write(tmp_path / "s.pdf", executed), [root])
    assert report.fully_executed
    assert report.to_json()["signatures"][0]["signer"] == "Dana Director"


def test_a_report_holds_plain_values_not_the_pdf(tmp_path, root, executed):
    """A PDF string object keeps its whole reader alive, and copying the report copied it."""
    report = verify_file(write(tmp_path / "s.pdf", executed), [root])
    plain = (str, int, bool, tuple, type(None))
    for signature in report.signatures:
        values = signature.to_json().values()
        assert all(type(v) in plain or isinstance(v, StrEnum) for v in values), values


@pytest.mark.parametrize(
    "content",
    [b"just some text\n", b"", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", None],
    ids=["text", "empty", "truncated", "no-fields"],
)
def test_unreadable_input_exits_2_with_one_line(run_cli, tmp_path, root, content, issued):
    if content is None:  # a real PDF without signature fields
        blank = pikepdf.new()
        blank.add_blank_page()
        out = io.BytesIO()
        blank.save(out)
        content = out.getvalue()
    bad = write(tmp_path / "bad.pdf", content)
    result = run_cli("verify", str(bad), "--trust", str(root))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"mougen: {bad}: ")
    assert "Traceback" not in result.output


def test_a_file_bigger_than_any_mou_is_refused_unread(run_cli, tmp_path, root):
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as f:  # sparse: 65 MB that take no room on disk
        f.write(b"%PDF-1.7\n")
        f.truncate(65 * 2**20)
    result = run_cli("verify", str(huge), "--trust", str(root))
    assert result.exit_code == 2
    assert result.output == (
        f"mougen: {huge}: too large to verify: 68,157,440 bytes (the limit is 67,108,864)\n"
    )


def _fields_of_nothing(_reader):
    return enumerate_sig_fields(None)  # pyHanko reads fields from no document at all


def _certificate_of_a_number(_reader):
    return [asn1_x509.Certificate.load(5)]  # asn1crypto parses a number as DER


@pytest.mark.parametrize("reading", [_fields_of_nothing, _certificate_of_a_number])
def test_a_type_error_inside_the_parsers_is_an_unreadable_file(
    run_cli, tmp_path, root, issued, monkeypatch, reading
):
    # pyHanko and asn1crypto meet an object of the wrong type in a malformed file as a
    # TypeError or AttributeError raised in their own code.
    monkeypatch.setattr("mougen.verify.validate.enumerate_sig_fields", reading)
    result = run_cli("verify", str(write(tmp_path / "x.pdf", issued)), "--trust", str(root))
    assert result.exit_code == 2
    assert result.output.startswith(f"mougen: {tmp_path / 'x.pdf'}: not a readable PDF (")


def test_a_type_error_in_mougen_is_a_bug_not_a_bad_file(
    workspace, tmp_path, root, executed, monkeypatch
):
    def broken(_reports):
        raise TypeError("a bug")

    monkeypatch.setattr("mougen.verify.validate.split_document_timestamps", broken)
    path = write(tmp_path / "x.pdf", executed)
    args = ["-w", str(workspace.root), "verify", str(path), "--trust", str(root)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 70
    assert "internal error: TypeError: a bug" in result.stderr


def test_worst_exit_code_wins(run_cli, tmp_path, root, executed, issued, signer):
    good = write(tmp_path / "good.pdf", executed)
    part = write(tmp_path / "part.pdf", sign(issued, "dcs", signer))
    bad = write(tmp_path / "bad.pdf", b"not a pdf")
    assert run_cli("verify", str(good), str(part), "--trust", str(root)).exit_code == 1
    result = run_cli("verify", str(good), str(part), str(bad), "--trust", str(root), "--json")
    assert result.exit_code == 2
    reports = json.loads(result.output[result.output.index("[") :])
    assert [r["valid"] for r in reports] == [True, False, False]


def test_bad_trust_or_crl_file_is_a_usage_error(run_cli, tmp_path, executed):
    pdf = write(tmp_path / "s.pdf", executed)
    junk = write(tmp_path / "junk.pem", b"not a certificate")
    assert run_cli("verify", str(pdf), "--trust", str(junk)).exit_code == 2
    assert run_cli("verify", str(pdf), "--crl", str(junk)).exit_code == 2
    assert run_cli("verify", str(pdf), "--trust", str(tmp_path / "missing.pem")).exit_code == 2


def test_audit_report_pdf(run_cli, tmp_path, root, executed, pki):
    pdf = write(tmp_path / "signed.pdf", executed)
    out = tmp_path / "audit.pdf"
    result = run_cli("verify", str(pdf), "--trust", str(root), "--report", str(out))
    assert result.exit_code == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert hashlib.sha256(executed).hexdigest() in text
    assert (
        pki.root.cert.fingerprint(
            __import__("cryptography").hazmat.primitives.hashes.SHA256()
        ).hex()
        in text
    )
    assert text.count("TOTAL_PASSED") == 3
    assert "Checked at" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_audit_report_unwritable_leaves_nothing(run_cli, tmp_path, root, executed):
    pdf = write(tmp_path / "signed.pdf", executed)
    blocker = write(tmp_path / "not-a-folder", b"")
    result = run_cli("verify", str(pdf), "--trust", str(root), "--report", str(blocker / "a.pdf"))
    assert result.exit_code == 1
    assert f"mougen: {blocker}: cannot create folder" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "not-a-folder",
        "root.pem",
        "signed.pdf",
        "ws",
    ]


class _Responder(http.server.BaseHTTPRequestHandler):
    """An OCSP responder that counts requests and answers none."""

    hits = 0

    def do_POST(self):
        type(self).hits += 1
        self.send_error(404)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def responder():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Responder)
    _Responder.hits = 0
    serve_in_background(server)
    yield f"http://127.0.0.1:{server.server_port}/ocsp", _Responder
    server.shutdown()


def test_offline_unless_allow_fetch(run_cli, tmp_path, root, pki, issued, responder):
    url, counter = responder
    pdf = write(tmp_path / "s.pdf", sign(issued, "dcs", ocsp_declaring_signer(pki, "On Line", url)))
    offline = run_cli("verify", str(pdf), "--trust", str(root), "--json")
    assert counter.hits == 0
    assert _json(offline)[0]["signatures"][0]["indication"] == "TOTAL_PASSED"
    run_cli("verify", str(pdf), "--trust", str(root), "--json", "--allow-fetch")
    assert counter.hits >= 1


def test_no_files_is_a_usage_error(run_cli):
    assert run_cli("verify").exit_code == 2


def test_many_files_are_checked_in_workers_with_the_verdicts_of_one_at_a_time(
    workspace, tmp_path, root, executed, issued, signer
):
    """``verify`` with several files forks one worker per core (a fresh process runs one
    thread, so it may fork): the verdicts, their order and the exit code are those of
    checking the files one at a time."""
    files = [
        write(tmp_path / "good.pdf", executed),
        write(tmp_path / "bad.pdf", b"not a pdf"),
        write(tmp_path / "part.pdf", sign(issued, "dcs", signer)),
        write(tmp_path / "again.pdf", executed),
    ]

    def verify(jobs: str) -> tuple[int, list[dict], str]:
        done = subprocess.run(
            [sys.executable, "-m", "mougen", "--workspace", str(workspace.root), "verify"]
            + [str(f) for f in files]
            + ["--trust", str(root), "--json", "--jobs", jobs],
            capture_output=True,
            text=True,
        )
        return done.returncode, json.loads(done.stdout), done.stderr

    one_at_a_time, in_workers = verify("1"), verify("2")
    assert in_workers == one_at_a_time
    code, reports, stderr = in_workers
    assert code == 2
    assert [r["valid"] for r in reports] == [True, False, False, True]
    assert [Path(r["file"]).name for r in reports] == [f.name for f in files]
    assert stderr.count("bad.pdf") == 1

"""One verdict per file: the exit code, the table and the JSON agree, and print safely."""

from __future__ import annotations

import json

import pytest

from mougen.errors import PdfReadError
from mougen.printable import printable
from mougen.verify.provenance import Provenance
from mougen.verify.table import render_text
from mougen.verify.validate import Settings, verify_bytes
from mougen.verify.verdict import Verdict
from tests.verify_docs import asn1_cert, issued_pdf, sign, sign_all, write

FAKE = "\n  verdict: VALID: fully executed, every signature valid and trusted"


@pytest.fixture(scope="module")
def executed(pki) -> bytes:
    return sign_all(issued_pdf(), pki.signer("Dana Director", "dana@example.org"))


def _report(pki, data: bytes):
    return verify_bytes(data, "doc.pdf", Settings([asn1_cert(pki.root)]))


def test_provenance_problems_make_a_valid_file_invalid(pki, executed):
    report = _report(pki, executed)
    assert Verdict("doc.pdf", report).bottom_line and Verdict("doc.pdf", report).exit_code == 0
    wrong = Provenance("se-2018", "milton-keynes", ("the dcs field of milton-keynes is ...",))
    verdict = Verdict("doc.pdf", report, wrong)
    assert not verdict.bottom_line and verdict.exit_code == 1 and not verdict.sound
    assert verdict.reasons == ["the dcs field of milton-keynes is ..."]
    assert verdict.to_json()["valid"] is False
    text = render_text(verdict)
    assert "verdict: VALID" not in text
    assert text.splitlines()[-1] == "  verdict: NOT VALID: the dcs field of milton-keynes is ..."


def test_a_partly_signed_file_is_sound_but_not_valid(pki):
    report = _report(pki, sign(issued_pdf(), "dcs", pki.signer("Dana Director")))
    verdict = Verdict("doc.pdf", report, Provenance("se-2018", "milton-keynes", ()))
    assert verdict.sound and not verdict.bottom_line
    assert verdict.reasons == ["2 role(s) unsigned"]


def test_an_unreadable_file_has_a_verdict_too():
    verdict = Verdict.unreadable("x.pdf", PdfReadError("empty file, not a PDF", "x.pdf"))
    assert (verdict.bottom_line, verdict.sound, verdict.exit_code) == (False, False, 2)
    assert verdict.to_json() == {
        "file": "x.pdf",
        "valid": False,
        "error": "empty file, not a PDF",
        "missing_roles": [],
        "signatures": [],
    }


def test_printable_escapes_every_line_breaker():
    assert (
        printable("a\nb\rc\x1b[31md\u2028e\u202ef\x85")
        == "a\\nb\\rc\\x1b[31md\\u2028e\\u202ef\\x85"
    )
    assert printable("Zoë Łukasz 王") == "Zoë Łukasz 王"


def test_names_cannot_print_a_fake_verdict(run_cli, tmp_path, pki):
    forger = pki.signer("M" + FAKE[:40])
    signed = sign(issued_pdf(), "dcs", forger)  # two roles unsigned: not valid
    pdf = write(tmp_path / ("doc.pdf" + FAKE), signed)
    empty = write(tmp_path / ("empty.pdf" + FAKE), b"")
    root = pki.root.write_pem(tmp_path / "root.pem")
    result = run_cli("verify", str(pdf), str(empty), "--trust", str(root))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert not [line for line in lines if line.strip().startswith("verdict: VALID")]
    assert sum("verdict: NOT VALID" in line for line in lines) == 1
    assert "M\\n  verdict: VALID" in result.output
    as_json = run_cli("verify", str(pdf), str(empty), "--trust", str(root), "--json")
    entries = json.loads(as_json.stdout)
    assert entries[0]["signatures"][0]["signer"] == "M" + FAKE[:40]
    assert entries[1]["file"].endswith(FAKE) and entries[1]["valid"] is False


def test_the_fast_path_for_printable_text_agrees_with_escaping_each_character():
    """``printable`` and ``is_safe`` pass text Python calls printable at C speed. That holds
    only if no character Python calls printable is one ``_escape`` changes (but ``\\``)."""
    from mougen.printable import _escape, is_safe

    changed = [
        hex(code)
        for code in range(0x110000)
        if (c := chr(code)).isprintable() and c != "\\" and _escape(c) != c
    ]
    assert changed == []
    assert printable("C:\\packs\\kent") == "C:\\\\packs\\\\kent"
    assert is_safe("Zoë \\ 王") and not is_safe("a\u202eb") and is_safe("a\u00a0b")
    assert printable("a\u00a0b") == "a\u00a0b"  # not printable to Python, safe to print

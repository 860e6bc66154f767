"""Signatures made by other tools on an issued MoU, as signatories make them, checked by
``mougen verify``: endesive (PyPI) filling a role field, and LibreOffice through UNO."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

import pypdf.generic
import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from mougen.signing import load_pkcs12, sign_pdf
from tests.nss import NssSigner
from tests.pki import TestPki
from tests.signing import field_area
from tests.verify_docs import issued_pdf

PASS = b"other signers only"
LIBREOFFICE = Path(__file__).with_name("libreoffice_sign.py")
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture
def issued(tmp_path: Path, pki: TestPki) -> Path:
    pki.root.write_pem(tmp_path / "root.pem")
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    return pdf


def verify_json(run_cli, pdf: Path) -> tuple[int, dict]:
    result = run_cli("verify", str(pdf), "--trust", str(pdf.parent / "root.pem"), "--json")
    [report] = json.loads(result.output)
    return result.exit_code, report


def _endesive_cms(monkeypatch):
    """endesive's PDF signer, made importable with what this environment holds.

    ``endesive.pdf`` also imports endesive's verifier, whose certvalidator needs oscrypto
    1.3.0, which cannot parse OpenSSL 3.0.19's version string; the signer does not use it,
    so the package is set up without it. endesive 3.0.1 still passes pypdf < 5's
    ``encryption_key`` argument to ``DictionaryObject.write_to_stream``, which pypdf 7
    no longer takes; the shim drops it.
    """
    folder = Path(importlib.util.find_spec("endesive").origin).parent / "pdf"
    package = types.ModuleType("endesive.pdf")
    package.__path__ = [str(folder)]
    monkeypatch.setitem(sys.modules, "endesive.pdf", package)
    write = pypdf.generic.DictionaryObject.write_to_stream
    monkeypatch.setattr(
        pypdf.generic.DictionaryObject,
        "write_to_stream",
        lambda self, stream, encryption_key=None: write(self, stream),
    )
    monkeypatch.delitem(sys.modules, "endesive.pdf.cms", raising=False)
    return importlib.import_module("endesive.pdf.cms")


def test_endesive_fills_a_role_field_and_mougen_completes_the_round(
    run_cli, issued, pki, tmp_path, monkeypatch
):
    cms = _endesive_cms(monkeypatch)
    who = pki.signer("Endesive Signer", "endesive@example.org")
    key, cert, chain = pkcs12.load_key_and_certificates(who.p12(PASS), PASS)
    when = datetime.now(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    details = {
        "sigfield": "dcs",
        "signform": True,  # sign the existing dcs field, not a new one
        "sigflags": 3,
        "sigpage": field_area(issued, "dcs")[0] - 1,
        "signaturebox": (0, 0, 0, 0),  # ignored for an existing field
        "signature": "Endesive Signer",
        "contact": "endesive@example.org",
        "location": "Milton Keynes",
        "reason": "Signed for the MoU",
        "signingdate": when,
    }
    data = issued.read_bytes()
    by_endesive = tmp_path / "endesive.pdf"
    by_endesive.write_bytes(data + cms.sign(data, details, key, cert, chain, "sha256"))

    code, report = verify_json(run_cli, by_endesive)
    [signature] = report["signatures"]
    assert (signature["field"], signature["signer"]) == ("dcs", "Endesive Signer")
    assert signature["indication"] == "TOTAL_PASSED", signature
    assert code == 1 and report["missing_roles"] == ["lead-member", "chief-executive"]

    pdf = by_endesive
    for role in ("lead-member", "chief-executive"):
        p12 = pki.signer(f"{role} signer").write_p12(tmp_path / f"{role}.p12", PASS)
        sign_pdf(
            pdf, role, load_pkcs12(p12, PASS), tmp_path / f"{role}.pdf", when=datetime.now(UTC)
        )
        pdf = tmp_path / f"{role}.pdf"
    code, report = verify_json(run_cli, pdf)
    assert code == 0 and report["valid"], report
    assert [s["indication"] for s in report["signatures"]] == ["TOTAL_PASSED"] * 3


def _libreoffice_can_run() -> str | None:
    """Why LibreOffice cannot sign here, or None if it can."""
    if shutil.which("soffice") is None:
        return "LibreOffice (Debian libreoffice-writer-nogui) is not installed"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "Debian's python3-uno is not installed"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_libreoffice_can_run() is not None, reason=str(_libreoffice_can_run()))
def test_libreoffice_signature_verifies(run_cli, issued, pki, tmp_path):
    """LibreOffice 7.4 signs the issued PDF (no unassigned object numbers) with a /M date
    ending in Z', which poppler and mougen accept."""
    nss = NssSigner(
        tmp_path / "nss",
        pki.signer("LibreOffice Signer", "lo@example.org"),
        [tmp_path / "root.pem"],
    )
    by_libreoffice = tmp_path / "libreoffice.pdf"
    shutil.copy(issued, by_libreoffice)
    signing = subprocess.run(
        [SYSTEM_PYTHON, str(LIBREOFFICE), str(by_libreoffice), nss.db],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if signing.returncode != 0:
        pytest.fail(f"LibreOffice did not sign: {signing.stderr.strip()}", pytrace=False)
    assert by_libreoffice.read_bytes().startswith(issued.read_bytes()), "an incremental update"

    _, report = verify_json(run_cli, by_libreoffice)
    # LibreOffice signs a field of its own (Signature1), never one of the role fields.
    [signature] = report["signatures"]
    assert signature["signer"] == "LibreOffice Signer", signature
    assert signature["indication"] == "TOTAL_PASSED", signature

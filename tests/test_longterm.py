"""Long-term verification: document timestamps, past-signature validation, --at, and every
piece of embedded revocation data counting."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper

from mougen.roles import ROLE_IDS
from tests.programme import P12_PASS, Programme, make_programme
from tests.trust_services import TrustServices
from tests.verify_docs import add_dss, issued_pdf, sign, write

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


@pytest.fixture(scope="module")
def services():
    with TrustServices() as running:
        yield running


@pytest.fixture(scope="module")
def programme(services, tmp_path_factory) -> Programme:
    return make_programme(tmp_path_factory.mktemp("programme"), services)


@pytest.fixture(scope="module")
def b_lta(programme: Programme, tmp_path_factory) -> Path:
    tsa = programme.services.tsa_url
    out = tmp_path_factory.mktemp("b-lta")
    return programme.sign_all(out, "--level", "B-LTA", "--tsa", tsa, "--allow-fetch")


def _verdicts(report: dict) -> list[tuple[str, str | None]]:
    everything = report["signatures"] + report["document_timestamps"]
    return [(s["indication"], s["sub_indication"]) for s in everything]


def _by_field(report: dict) -> dict[str, dict]:
    return {s["field"]: s for s in report["signatures"]}


def _expiry(programme: Programme) -> datetime:
    """When the programme certificates expire."""
    _, cert, _ = pkcs12.load_key_and_certificates(
        programme.p12["dcs"].read_bytes(), P12_PASS.encode()
    )
    return cert.not_valid_after_utc


def test_a_b_lta_mou_verifies_now_with_its_document_timestamps(programme, b_lta):
    table = programme.run("verify", str(b_lta)).stdout
    assert table.count("mougen Test TSA") == 3 and "verdict: VALID" in table
    code, report = programme.verify(b_lta)
    assert code == 0, report
    assert len(report["document_timestamps"]) == 3
    assert set(_verdicts(report)) == {("TOTAL_PASSED", None)}
    assert {t["signer"] for t in report["document_timestamps"]} == {"mougen Test TSA"}


def test_a_b_lta_mou_verifies_after_its_certificates_expire(programme, b_lta):
    later = _expiry(programme) + timedelta(days=365)
    code, report = programme.verify(b_lta, "--at", later.strftime("%Y-%m-%d"))
    assert code == 0, _verdicts(report)
    assert set(_verdicts(report)) == {("TOTAL_PASSED", None)}


def test_without_a_timestamp_nothing_proves_a_signature_predates_expiry(programme, tmp_path):
    """The control: B-B signatures have no proof of existence, so they fail once expired."""
    signed = programme.sign_all(tmp_path, "--level", "B-B")
    assert programme.verify(signed)[0] == 0
    later = _expiry(programme) + timedelta(days=365)
    code, report = programme.verify(signed, "--at", later.strftime("%Y-%m-%d"))
    assert code == 1
    assert {s["indication"] for s in report["signatures"]} == {"INDETERMINATE"}


def test_revocation_after_signing_keeps_the_mou_valid_but_stops_new_signatures(services, tmp_path):
    programme = make_programme(tmp_path / "own", services)  # this test revokes a certificate
    signed = programme.sign_all(
        tmp_path, "--level", "B-LTA", "--tsa", services.tsa_url, "--allow-fetch"
    )
    time.sleep(1.1)  # revocation times have whole seconds: revoke strictly after signing
    revoked = programme.ca("revoke", "--authority", "milton-keynes", "--role", "dcs")
    assert revoked.exit_code == 0, revoked.output
    crl = programme.publish_crl()

    code, report = programme.verify(signed, "--crl", str(crl))
    dcs = _by_field(report)["dcs"]
    assert dcs["revoked"], "the CRL must have been consulted"
    assert code == 0 and dcs["indication"] == "TOTAL_PASSED", _verdicts(report)

    fresh = write(tmp_path / "fresh.pdf", issued_pdf())
    out = tmp_path / "again.pdf"
    refused = programme.sign(fresh, "dcs", out, "--level", "B-T", "--tsa", services.tsa_url)
    assert refused.exit_code == 1 and "is revoked" in refused.stderr and not out.exists()

    by_another_tool = write(tmp_path / "other.pdf", _pyhanko_sign(programme, fresh, services))
    code, report = programme.verify(by_another_tool, "--crl", str(crl))
    dcs = _by_field(report)["dcs"]
    assert code == 1 and dcs["revoked"]
    assert (dcs["indication"], dcs["sub_indication"]) == ("TOTAL_FAILED", "REVOKED")


def _pyhanko_sign(programme: Programme, pdf: Path, services: TrustServices) -> bytes:
    """The dcs field signed with the (revoked) dcs key by pyHanko itself, timestamped (B-T)."""
    signer = signers.SimpleSigner.load_pkcs12(
        str(programme.p12["dcs"]), passphrase=P12_PASS.encode()
    )
    meta = signers.PdfSignatureMetadata(field_name="dcs", subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()), strict=False)
    timestamper = HTTPTimeStamper(services.tsa_url)
    signers.PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(writer, output=out)
    return out.getvalue()


def test_a_b_lta_file_made_by_pyhankos_cli_verifies(programme, services, tmp_path):
    pdf = write(tmp_path / "issued.pdf", issued_pdf())
    tsa_root = services.write_root(tmp_path / "tsa-root.pem")
    for role in ROLE_IDS:
        out = tmp_path / f"{role}.pdf"
        args = [
            PYHANKO, "sign", "addsig", "--field", role, "--use-pades", "--with-validation-info",
            "--use-pades-lta", "--timestamp-url", services.tsa_url,
            "--trust", str(programme.ca_root), "--trust", str(tsa_root),
            "pkcs12", "--passfile", str(programme.p12_pass),
            str(pdf), str(out), str(programme.p12[role]),
        ]  # fmt: skip
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        pdf = out
    code, report = programme.verify(pdf)
    assert len(report["document_timestamps"]) == 3
    assert code == 0, _verdicts(report)
    assert {t["sub_filter"] for t in report["document_timestamps"]} == {"ETSI.RFC3161"}


def test_a_tampered_document_timestamp_fails(programme, b_lta, tmp_path):
    """A bit flipped in the newest document timestamp's own signature value."""
    data = bytearray(b_lta.read_bytes())
    stamp = PdfFileReader(io.BytesIO(bytes(data)), strict=False).embedded_timestamp_signatures[-1]
    start, length = stamp.byte_range[0], stamp.byte_range[1]
    der = cms.ContentInfo.load(stamp.pkcs7_content, strict=False).dump()  # without padding
    at = start + length + 1 + len(der) * 2 - 20  # in the TSA's RSA signature value
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    tampered = write(tmp_path / "tampered.pdf", bytes(data))
    assert "NOT VALID: Timestamp-" in programme.run("verify", str(tampered)).stdout
    code, report = programme.verify(tampered)
    assert code == 1
    assert report["document_timestamps"][-1]["indication"] == "TOTAL_FAILED"


def test_an_ocsp_response_in_the_dss_revokes_a_signer_that_names_no_responder(pki, tmp_path):
    from click.testing import CliRunner

    from mougen.cli import cli

    signer = pki.signer("Quiet Signer", "quiet@example.org")  # no OCSP URL, no CRL DP
    revoking = pki.ocsp_response(signer, revoked_at=datetime.now(UTC) - timedelta(days=2))
    signed = add_dss(sign(issued_pdf(), "dcs", signer), ocsp=revoking)
    pdf = write(tmp_path / "doc.pdf", signed)
    root = pki.root.write_pem(tmp_path / "root.pem")
    result = CliRunner().invoke(cli, ["verify", str(pdf), "--trust", str(root), "--json"])
    s = json.loads(result.stdout)[0]["signatures"][0]
    assert s["revoked"] and (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "REVOKED")

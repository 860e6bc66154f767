"""Proven time: a timestamp counts only from a trusted TSA; claimed times must be plausible."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.pki import TestPki
from tests.verify_docs import asn1_cert, issued_pdf, sign, tsa, tsa_client, verifier, write

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def good_tsa(pki):
    return tsa(pki, "Trusted TSA")


@pytest.fixture
def verify(run_cli, tmp_path, pki):
    """Verify ``data`` trusting the test root; returns (exit code, the dcs signature's JSON)."""
    run = verifier(run_cli, tmp_path, pki)

    def first_signature(data: bytes, *extra: str) -> tuple[int, dict]:
        code, report = run(data, *extra)
        return code, report["signatures"][0]

    return first_signature


def _passed(s: dict) -> bool:
    return (s["indication"], s["sub_indication"]) == ("TOTAL_PASSED", None)


def test_trusted_timestamp_is_the_proven_time(verify, signer, good_tsa):
    before = datetime.now(UTC).replace(microsecond=0)
    signed = sign(issued_pdf(), "dcs", signer, timestamper=tsa_client(good_tsa))
    after = datetime.now(UTC)
    code, s = verify(signed)
    assert code == 1  # two roles unsigned; the signature itself passes
    assert _passed(s)
    assert before <= datetime.fromisoformat(s["timestamp"]) <= after  # the token's own time


def test_self_signed_tsa_proves_nothing(verify, signer):
    rogue = TestPki("Rogue TSA Root")
    signed = sign(issued_pdf(), "dcs", signer, timestamper=tsa_client(tsa(rogue, "Rogue TSA")))
    code, s = verify(signed)
    assert code == 1 and s["trusted"]
    assert (s["indication"], s["sub_indication"]) == ("INDETERMINATE", "TIMESTAMP_NOT_TRUSTED")
    assert s["timestamp"] is None


def test_tsa_trust_root_makes_the_timestamp_count(verify, signer, tmp_path):
    other = TestPki("Timestamping Root")
    signed = sign(issued_pdf(), "dcs", signer, timestamper=tsa_client(tsa(other, "Other TSA")))
    tsa_root = other.root.write_pem(tmp_path / "tsa-root.pem")
    _, s = verify(signed, "--tsa-trust", str(tsa_root))
    assert _passed(s) and s["timestamp"] is not None
    # A TSA root vouches for timestamps only, never for a signer.
    stranger = sign(issued_pdf(), "dcs", other.signer("Mallory"))
    _, s = verify(stranger, "--tsa-trust", str(tsa_root))
    assert s["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"


@pytest.mark.parametrize("eku", [None, ExtendedKeyUsageOID.SERVER_AUTH])
def test_token_signed_by_a_certificate_that_is_not_a_tsa(verify, signer, pki, eku):
    impostor = tsa(pki, "Not A TSA", eku=eku)
    code, s = verify(sign(issued_pdf(), "dcs", signer, timestamper=tsa_client(impostor)))
    assert code == 1
    assert (s["indication"], s["sub_indication"]) == ("INDETERMINATE", "TIMESTAMP_NOT_TRUSTED")
    assert s["timestamp"] is None


def _token(pdf: bytes) -> cms.ContentInfo:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    unsigned = reader.embedded_signatures[0].signer_info["unsigned_attrs"]
    return unsigned[0]["values"][0]


def test_timestamp_over_other_data(verify, signer, good_tsa):
    # The token of one signature grafted into another's unsigned attributes: its imprint
    # is of the wrong signature value, though the token itself is genuine.
    client = tsa_client(good_tsa)
    donor = sign(issued_pdf(), "dcs", signer, timestamper=client)
    target = sign(issued_pdf(), "dcs", signer, timestamper=client)
    reader = PdfFileReader(io.BytesIO(target), strict=False)
    embedded = reader.embedded_signatures[0]
    start, length, end, _ = embedded.byte_range
    content = cms.ContentInfo.load(embedded.pkcs7_content)
    signer_info = content["content"]["signer_infos"][0]
    signer_info["unsigned_attrs"][0]["values"][0] = _token(donor)
    grafted = content.dump(force=True)
    hex_len = end - (start + length) - 2
    assert len(grafted) * 2 <= hex_len
    padded = grafted.hex().encode().ljust(hex_len, b"0")
    forged = target[: start + length + 1] + padded + target[end - 1 :]
    code, s = verify(forged)
    assert code == 1 and s["intact"]
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "TIMESTAMP_INVALID")
    assert s["timestamp"] is None


def test_claimed_signing_time_in_the_future(verify, pki):
    signer = pki.signer("Future Signer", not_after=NOW + timedelta(days=10 * 365))
    code, s = verify(sign(issued_pdf(), "dcs", signer, claimed=NOW + timedelta(days=5 * 365)))
    assert code == 1
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "SIGNING_TIME_IN_FUTURE")


def test_claimed_signing_time_outside_the_certificate(verify, pki):
    signer = pki.signer("Backdated Signer", not_before=NOW - timedelta(days=1))
    code, s = verify(sign(issued_pdf(), "dcs", signer, claimed=NOW - timedelta(days=30)))
    assert code == 1
    assert (s["indication"], s["sub_indication"]) == (
        "TOTAL_FAILED",
        "SIGNING_TIME_OUTSIDE_CERTIFICATE",
    )


def test_timestamp_earlier_than_the_claimed_time_is_reported(
    verify, run_cli, tmp_path, pki, signer, good_tsa
):
    early = tsa_client(good_tsa, at=NOW - timedelta(hours=1))
    signed = sign(issued_pdf(), "dcs", signer, timestamper=early)
    _, s = verify(signed)
    assert _passed(s)
    [warning] = s["warnings"]
    assert "earlier than the claimed signing time" in warning
    root = pki.root.write_pem(tmp_path / "root.pem")
    text = run_cli("verify", str(tmp_path / "doc.pdf"), "--trust", str(root)).output
    assert "dcs: warning: timestamp" in text


def test_at_validates_at_the_given_time(verify, pki):
    signer = pki.signer("Dana Director", not_before=NOW - timedelta(days=30))
    signed = sign(issued_pdf(), "dcs", signer)
    tomorrow = (NOW + timedelta(days=1)).isoformat()
    assert _passed(verify(signed, "--at", tomorrow)[1])
    # The signer's certificate has expired two years on.
    later = verify(signed, "--at", (NOW + timedelta(days=730)).isoformat())[1]
    assert later["indication"] == "INDETERMINATE" and not later["trusted"]
    # A week ago the certificate was valid, but the signature did not exist yet.
    earlier = verify(signed, "--at", (NOW - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))[1]
    assert earlier["sub_indication"] == "SIGNING_TIME_IN_FUTURE"


def test_at_that_is_not_a_time(run_cli, tmp_path):
    result = run_cli("verify", str(write(tmp_path / "x.pdf", b"%PDF")), "--at", "next tuesday")
    assert result.exit_code == 2
    assert "next tuesday" in result.output and "Traceback" not in result.output


def test_tsa_trust_that_is_not_a_certificate(run_cli, tmp_path):
    bogus = write(tmp_path / "tsa.pem", b"not a certificate")
    pdf = write(tmp_path / "x.pdf", issued_pdf())
    result = run_cli("verify", str(pdf), "--tsa-trust", str(bogus))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "tsa.pem" in result.output and "not a PEM or DER certificate" in result.output


def test_verification_judges_now_by_the_clock_it_is_given(pki):
    """ "Now" comes from the settings' clock (issue 16's one clock): a signature made now is
    in the future for a clock stopped a year ago, and fine for the wall clock."""
    from mougen.clock import FixedClock
    from mougen.verify.validate import Settings, verify_bytes

    signer = pki.signer("Clocked Signer", not_after=NOW + timedelta(days=10 * 365))
    signed = sign(issued_pdf(), "dcs", signer)
    roots = (asn1_cert(pki.root),)
    (today,) = verify_bytes(signed, "a.pdf", Settings(roots)).signatures
    stopped = Settings(roots, clock=FixedClock(NOW - timedelta(days=365)))
    (year_ago,) = verify_bytes(signed, "a.pdf", stopped).signatures
    assert today.indication == "TOTAL_PASSED"
    assert year_ago.indication != "TOTAL_PASSED"

"""The test PKI itself (conftest.py's `pki` fixture): chains, validity windows, revocation."""

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.x509 import ocsp

from tests.pki import TestPki


def test_signer_chains_to_root_and_is_revocable(pki: TestPki):
    alice = pki.signer("Alice Example", "alice@example.org")
    alice.cert.verify_directly_issued_by(pki.root.cert)
    assert alice.cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    when = datetime.now(UTC) - timedelta(days=2)
    crl = pki.crl([(alice, when)])
    assert crl.get_revoked_certificate_by_serial_number(alice.cert.serial_number) is not None
    response = ocsp.load_der_ocsp_response(pki.ocsp_response(alice, revoked_at=when))
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED


def test_expired_and_self_signed_variants(pki: TestPki):
    old = pki.signer(
        "Old",
        not_before=datetime(2020, 1, 1, tzinfo=UTC),
        not_after=datetime(2021, 1, 1, tzinfo=UTC),
    )
    assert old.cert.not_valid_after_utc.year == 2021
    lone = pki.signer("Lone", self_signed=True)
    assert lone.cert.issuer == lone.cert.subject
    assert lone.chain == []

"""A throwaway PKI for tests: roots, signers, CRLs and OCSP responses made at run time.

Built on ``cryptography`` so the tests do not depend on mougen's own CA code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.ocsp import OCSPCertStatus, OCSPResponseBuilder
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, email: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mougen tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


@dataclass
class Issued:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    chain: list[x509.Certificate] = field(default_factory=list)

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write_pem(self, path: Path) -> Path:
        path.write_bytes(self.pem())
        return path

    def p12(self, passphrase: bytes) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"signer",
            self.key,
            self.cert,
            self.chain,
            serialization.BestAvailableEncryption(passphrase),
        )

    def write_p12(self, path: Path, passphrase: bytes) -> Path:
        path.write_bytes(self.p12(passphrase))
        return path


class TestPki:
    """A root CA that issues signer certificates, CRLs and OCSP responses on demand."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "mougen Test Root CA"):
        key = _key()
        subject = _name(name)
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=3650))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        self.root = Issued(cert, key)

    def signer(
        self,
        name: str,
        email: str | None = None,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        can_sign: bool = True,
        self_signed: bool = False,
    ) -> Issued:
        """A signing certificate; by default valid from a day ago for a year."""
        key = _key()
        now = _now()
        subject = _name(name, email)
        issuer = self.root
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else issuer.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - timedelta(days=1))
            .not_valid_after(not_after or now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False, can_sign=can_sign), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if email:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
            )
        if can_sign:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
            )
        cert = builder.sign(key if self_signed else issuer.key, hashes.SHA256())
        return Issued(cert, key, [] if self_signed else [issuer.cert])

    def crl(self, revoked: list[tuple[Issued, datetime]] = ()) -> x509.CertificateRevocationList:
        """A CRL from the root listing each (certificate, revocation time)."""
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.cert.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
        )
        for issued, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(issued.cert.serial_number)
                .revocation_date(when)
                .build()
            )
        return builder.sign(self.root.key, hashes.SHA256())

    def write_crl(self, path: Path, revoked: list[tuple[Issued, datetime]] = ()) -> Path:
        path.write_bytes(self.crl(revoked).public_bytes(serialization.Encoding.DER))
        return path

    def ocsp_response(self, issued: Issued, revoked_at: datetime | None = None) -> bytes:
        """A DER OCSP response from the root: good, or revoked at ``revoked_at``."""
        now = _now()
        status = OCSPCertStatus.REVOKED if revoked_at else OCSPCertStatus.GOOD
        response = (
            OCSPResponseBuilder()
            .add_response(
                cert=issued.cert,
                issuer=self.root.cert,
                algorithm=hashes.SHA256(),
                cert_status=status,
                this_update=now - timedelta(minutes=5),
                next_update=now + timedelta(days=1),
                revocation_time=revoked_at,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
            )
            .responder_id(x509.ocsp.OCSPResponderEncoding.HASH, self.root.cert)
            .sign(self.root.key, hashes.SHA256())
        )
        return response.public_bytes(serialization.Encoding.DER)


def _usage(*, ca: bool, can_sign: bool = True) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=can_sign and not ca,
        content_commitment=can_sign and not ca,
        key_encipherment=not can_sign and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )

"""Issuing a signatory's signing certificate from the region CA, as a PKCS#12 file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mougen.atomic import write_bytes
from mougen.errors import MougenError, OutputError
from mougen.pki.binding import ProgrammeBinding
from mougen.pki.ca import RegionCa
from mougen.pki.certs import key_usage, new_key
from mougen.pki.lookup import authority as find_authority
from mougen.roles import role as find_role
from mougen.workspace import Workspace

CERT_VALIDITY = timedelta(days=2 * 365)


#: Adobe's "Authentic Documents Trust" document-signing purpose (1.2.840.113583.1.1.5),
#: which Acrobat accepts for signing; emailProtection keeps S/MIME-minded tools content.
ADOBE_AUTHENTIC_DOCUMENTS = x509.ObjectIdentifier("1.2.840.113583.1.1.5")


@dataclass(frozen=True)
class CertificateHolder:
    """Who a certificate is for: a person signing for a council in a role."""

    name: str
    email: str | None
    council: str
    role_title: str
    binding: ProgrammeBinding


@dataclass(frozen=True)
class IssuedCertificate:
    """A new signing certificate, its key, and the CA certificate that issued it."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate


def configured_signatory(
    ws: Workspace,
    slug: str,
    role_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    region_id: str | None = None,
) -> tuple[str, CertificateHolder]:
    """The region id and signatory of ``slug`` in ``role_id``; arguments override config."""
    role = find_role(role_id)
    region, auth = find_authority(ws, slug, region_id)
    configured = auth.signatories.for_role(role_id)
    chosen_name = name or configured.name
    if not chosen_name:
        raise MougenError(f"no {role_id} signatory name is configured for {slug}; give --name")
    chosen_email = email or configured.email
    binding = ProgrammeBinding(region.region.id, slug, role_id)
    return region.region.id, CertificateHolder(
        chosen_name, chosen_email, auth.council, role.title, binding
    )


def issue_certificate(
    ca: RegionCa, who: CertificateHolder, *, when: datetime, crl_url: str | None = None
) -> IssuedCertificate:
    """A two-year certificate for ``who`` from ``when``, and a new key, issued by ``ca``.

    ``crl_url`` is where the region publishes its CRL, named as the distribution point.
    """
    key = new_key()
    return IssuedCertificate(
        certificate_for(ca, who, key.public_key(), crl_url, when), key, ca.cert
    )


def certificate_for(
    ca: RegionCa,
    who: CertificateHolder,
    public_key: rsa.RSAPublicKey,
    crl_url: str | None,
    now: datetime,
) -> x509.Certificate:
    """A two-year certificate, from ``now``, that may sign documents for ``who``'s
    ``public_key``, by ``ca``.

    The key may be anywhere: made here for a PKCS#12 file, or inside a token.
    """
    builder = (
        x509.CertificateBuilder()
        .subject_name(_subject(who))
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + CERT_VALIDITY, ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ADOBE_AUTHENTIC_DOCUMENTS, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
    )
    alt_names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(who.binding.uri)]
    if who.email:
        alt_names.append(x509.RFC822Name(who.email))
    builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def write_pkcs12(issued: IssuedCertificate, path: Path, passphrase: bytes) -> None:
    """Write the certificate, its key and the CA certificate as an encrypted PKCS#12 file."""
    if path.exists():
        raise OutputError("already exists; a key file is never overwritten", path)
    if not passphrase:
        raise MougenError("the PKCS#12 file needs a passphrase (it holds a private key)")
    name = issued.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    data = pkcs12.serialize_key_and_certificates(
        str(name).encode(),
        issued.key,
        issued.cert,
        [issued.ca_cert],
        serialization.BestAvailableEncryption(passphrase),
    )
    write_bytes(path, data, mode=0o600)  # it holds a private key, however well encrypted


def _subject(who: CertificateHolder) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, who.council),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, who.role_title),
        x509.NameAttribute(NameOID.COMMON_NAME, who.name),
    ]
    if who.email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, who.email))
    return x509.Name(attrs)

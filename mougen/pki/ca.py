"""A region's programme CA: a root certificate and its key, kept in ``<workspace>/ca/<region>/``.

The key is stored as encrypted PKCS#8, so a copied workspace does not give away the CA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from mougen.atomic import write_bytes
from mougen.errors import MougenError, SigningError
from mougen.pki.certs import key_usage, new_key
from mougen.pki.lookup import region_file
from mougen.workspace import Workspace

CA_VALIDITY = timedelta(days=10 * 365)


@dataclass(frozen=True)
class RegionCa:
    """A region CA's certificate and private key, ready to issue certificates."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def ca_dir(ws: Workspace, region_id: str) -> Path:
    """The folder holding a region's CA."""
    return ws.root / "ca" / region_id


def ca_cert_path(ws: Workspace, region_id: str) -> Path:
    return ca_dir(ws, region_id) / "ca.pem"


def ca_key_path(ws: Workspace, region_id: str) -> Path:
    return ca_dir(ws, region_id) / "ca.key"


def init_ca(ws: Workspace, region_id: str, passphrase: bytes, when: datetime) -> Path:
    """Create the region's CA, valid from ``when``, its key encrypted with ``passphrase``;
    returns the cert's path.

    Refuses to replace an existing CA, since every certificate it issued depends on it.
    """
    region = region_file(ws, region_id).region
    cert_path, key_path = ca_cert_path(ws, region_id), ca_key_path(ws, region_id)
    if cert_path.exists() or key_path.exists():
        raise MougenError(
            "a CA already exists for this region; it is never replaced", cert_path.parent
        )
    if not passphrase:
        raise MougenError("the CA key needs a passphrase (it is stored encrypted)")
    key = new_key()
    cert = _self_signed(key, _ca_name(region.name, region.programme), when)
    encryption = serialization.BestAvailableEncryption(passphrase)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    write_bytes(key_path, key_pem, mode=0o600)  # encrypted, but still nobody else's business
    write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path


def load_ca(ws: Workspace, region_id: str, passphrase: bytes) -> RegionCa:
    """The region's CA, its key decrypted with ``passphrase``."""
    cert_path, key_path = ca_cert_path(ws, region_id), ca_key_path(ws, region_id)
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key_pem = key_path.read_bytes()
    except FileNotFoundError as exc:
        raise MougenError(
            f"no CA for region {region_id!r} (run `mougen ca init --region {region_id}`)",
            exc.filename,
        ) from None
    except OSError as exc:
        raise MougenError(f"cannot read: {exc.strerror}", exc.filename) from None
    try:
        key = serialization.load_pem_private_key(key_pem, passphrase or None)
    except (ValueError, TypeError):
        raise SigningError("cannot open the CA key: wrong passphrase", key_path) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningError("the CA key is not an RSA key", key_path)
    return RegionCa(cert, key)


def _ca_name(region_name: str, programme: str | None) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, programme or region_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{region_name} MoU Signing CA"),
        ]
    )


def _self_signed(key: rsa.RSAPrivateKey, name: x509.Name, now: datetime) -> x509.Certificate:
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )

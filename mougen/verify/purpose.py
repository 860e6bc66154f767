"""What a signer's certificate and algorithms must allow for a signature on a MoU."""

from __future__ import annotations

from asn1crypto import x509
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

#: Extended key usages that allow signing documents. Council certificates often carry TLS
#: client authentication beside (or instead of) email protection; a certificate for a web
#: server or a time-stamping authority alone may not sign a MoU.
DOCUMENT_SIGNING_PURPOSES = frozenset(
    {
        "email_protection",
        "client_auth",
        "adobe_authentic_documents_trust",
        "microsoft_document_signing",
        "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
        "any_extended_key_usage",
    }
)

# Councils' certificates carry digitalSignature, nonRepudiation or both; either will do.
# A certificate without an extended key usage extension is not restricted by one.
SIGNING_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"},
    extd_key_usage=DOCUMENT_SIGNING_PURPOSES,
    explicit_extd_key_usage_required=False,
)

KEY_PURPOSE_NOT_SIGNING = "KEY_PURPOSE_NOT_SIGNING"


def not_for_signing(cert: x509.Certificate) -> bool:
    """Whether ``cert`` names extended key usages, none of which is signing documents."""
    purposes = cert.extended_key_usage_value
    return purposes is not None and not set(purposes.native) & DOCUMENT_SIGNING_PURPOSES


def unsupported_digest(algorithm: str) -> bool:
    """Whether no hash implementation is known for the digest algorithm ``algorithm``."""
    try:
        get_pyca_cryptography_hash(algorithm)
    except (AttributeError, ValueError, KeyError):
        return True
    return False

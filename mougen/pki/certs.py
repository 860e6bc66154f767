"""What the programme CA's certificates have in common: their keys and key usages."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

#: RSA, which every PDF reader can check, at a size good beyond 2030.
KEY_SIZE = 3072


def new_key() -> rsa.RSAPrivateKey:
    """A fresh private key for a CA or a signatory."""
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def key_usage(*, ca: bool) -> x509.KeyUsage:
    """Certificate and CRL signing for a CA; document signing (with non-repudiation) otherwise."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )

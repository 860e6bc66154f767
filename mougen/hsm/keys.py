"""Programme keys generated inside the token: made there, never leaving it, destroyed on revocation.

Each key and its certificate share a label (pyHanko's PKCS#11 signer finds both by it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass, Session

#: RSA at the programme CA's own size: every PDF reader can check it, good beyond 2030.
KEY_SIZE = 3072


@dataclass(frozen=True)
class KeyFacts:
    """What the token says about a private key: whether it may ever leave the token."""

    label: str
    sensitive: bool
    extractable: bool
    always_sensitive: bool
    never_extractable: bool


def new_label(prefix: str) -> str:
    """A label no other key has: ``prefix`` (say, the binding URI) and a random suffix."""
    return f"{prefix}#{secrets.token_hex(6)}"


def generate_key(session: Session, label: str) -> rsa.RSAPublicKey:
    """Generate an RSA key pair in the token under ``label``; its public key.

    The private key is sensitive and not extractable: it can sign, and nothing else.
    """
    key_id = secrets.token_bytes(8)
    public, _ = session.generate_keypair(
        KeyType.RSA,
        KEY_SIZE,
        id=key_id,
        label=label,
        store=True,
        public_template={Attribute.VERIFY: True, Attribute.ENCRYPT: False, Attribute.WRAP: False},
        private_template={
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.SIGN: True,
            Attribute.DECRYPT: False,
            Attribute.UNWRAP: False,
            Attribute.PRIVATE: True,
        },
    )
    modulus = int.from_bytes(public[Attribute.MODULUS], "big")
    exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def store_certificate(session: Session, label: str, cert: x509.Certificate) -> None:
    """Keep ``cert`` on the token beside the key labelled ``label``, with the key's id."""
    (key,) = session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: label})
    session.create_object(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.LABEL: label,
            Attribute.ID: key[Attribute.ID],
            Attribute.SUBJECT: cert.subject.public_bytes(),
            Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
        }
    )


def key_facts(session: Session, label: str) -> KeyFacts | None:
    """The protection attributes of the private key labelled ``label``; None if there is none."""
    found = list(
        session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: label})
    )
    if not found:
        return None
    key = found[0]
    return KeyFacts(
        label,
        sensitive=bool(key[Attribute.SENSITIVE]),
        extractable=bool(key[Attribute.EXTRACTABLE]),
        always_sensitive=bool(key[Attribute.ALWAYS_SENSITIVE]),
        never_extractable=bool(key[Attribute.NEVER_EXTRACTABLE]),
    )


def destroy_key(session: Session, label: str) -> int:
    """Destroy every object (private key, public key, certificate) labelled ``label``;
    how many there were."""
    found = list(session.get_objects({Attribute.LABEL: label}))
    for obj in found:
        obj.destroy()
    return len(found)

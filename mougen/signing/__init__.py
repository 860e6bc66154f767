"""Signing an MoU's signature fields: the signer's key, the visible stamp, the PAdES signature."""

from mougen.signing.chain import common_name
from mougen.signing.field_owner import FieldOwner, issued_to
from mougen.signing.keys import load_chain, load_pkcs12, pkcs11_signer
from mougen.signing.levels import Level
from mougen.signing.ltv import ValidationData, validation_data
from mougen.signing.passphrase import PASSPHRASE_ENV, read_passphrase
from mougen.signing.signer import (
    SignResult,
    check_can_sign,
    check_new_output,
    sign_pdf,
)

__all__ = [
    "PASSPHRASE_ENV",
    "FieldOwner",
    "Level",
    "SignResult",
    "ValidationData",
    "check_can_sign",
    "check_new_output",
    "common_name",
    "issued_to",
    "load_chain",
    "load_pkcs12",
    "pkcs11_signer",
    "read_passphrase",
    "sign_pdf",
    "validation_data",
]

"""Verification for auditors: is a signed MoU genuine, complete and unaltered?"""

from mougen.verify.revision import first_revision_bytes
from mougen.verify.status import FileReport, Indication, Modification, SignatureReport
from mougen.verify.validate import verify_bytes, verify_file

__all__ = [
    "FileReport",
    "Indication",
    "Modification",
    "SignatureReport",
    "first_revision_bytes",
    "verify_bytes",
    "verify_file",
]

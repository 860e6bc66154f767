"""Signing time: what a signature claims, what a timestamp proves, and whether they agree.

A timestamp proves a time only when its token is intact, its imprint matches the signature,
and its TSA's certificate has the timeStamping EKU and chains to a trusted root; pyHanko checks
each of these, and this module reads its findings. A claimed signing time (the CMS
signingTime, or the signature dictionary's ``/M``) is only a claim, but one that lies about
the future or outside the signer's certificate is refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pyhanko.sign.validation import PdfSignatureStatus

from mougen.verify.status import Indication

#: How far ahead of the validation time a claimed signing time may be (clock skew).
CLOCK_SKEW = timedelta(minutes=5)

TIMESTAMP_INVALID = "TIMESTAMP_INVALID"
TIMESTAMP_NOT_TRUSTED = "TIMESTAMP_NOT_TRUSTED"
SIGNING_TIME_IN_FUTURE = "SIGNING_TIME_IN_FUTURE"
SIGNING_TIME_OUTSIDE_CERTIFICATE = "SIGNING_TIME_OUTSIDE_CERTIFICATE"


def proven_time(status: PdfSignatureStatus) -> datetime | None:
    """The time the signature's timestamp proves, or None if it has none that counts."""
    token = status.timestamp_validity
    if token is None or not (token.intact and token.valid and token.trusted):
        return None
    return token.timestamp


def broken_timestamp(status: PdfSignatureStatus) -> tuple[Indication, str] | None:
    """A timestamp token that is forged or belongs to other data: the signature fails."""
    token = status.timestamp_validity
    if token is not None and not (token.intact and token.valid):
        return Indication.TOTAL_FAILED, TIMESTAMP_INVALID
    return None


def untrusted_timestamp(status: PdfSignatureStatus) -> tuple[Indication, str] | None:
    """A sound timestamp from a TSA that is not trusted (or not a TSA): nothing is proven."""
    token = status.timestamp_validity
    if token is not None and not token.trusted:
        return Indication.INDETERMINATE, TIMESTAMP_NOT_TRUSTED
    return None


def false_claim(status: PdfSignatureStatus, moment: datetime) -> tuple[Indication, str] | None:
    """A claimed signing time after ``moment`` or outside the signer certificate's validity."""
    claimed = status.signer_reported_dt
    if claimed is None:
        return None
    if claimed > moment + CLOCK_SKEW:
        return Indication.TOTAL_FAILED, SIGNING_TIME_IN_FUTURE
    cert = status.signing_cert
    if not cert.not_valid_before <= claimed <= cert.not_valid_after:
        return Indication.TOTAL_FAILED, SIGNING_TIME_OUTSIDE_CERTIFICATE
    return None


def timing_warnings(status: PdfSignatureStatus) -> list[str]:
    """What an auditor should know about the times that does not by itself fail the signature."""
    claimed, proven = status.signer_reported_dt, proven_time(status)
    if claimed is not None and proven is not None and proven < claimed.replace(microsecond=0):
        return [
            f"timestamp {proven.isoformat()} is earlier than the claimed signing time "
            f"{claimed.isoformat()}"
        ]
    return []

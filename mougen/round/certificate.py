"""The completion certificate: a one-page PDF of who signed, the hashes and the trust roots.

Laid out by ``certificate.typ`` through :func:`mougen.typeset.typeset`, like every PDF
mougen writes: tagged (PDF/UA-1), its data passed as JSON, never pasted into markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from asn1crypto import x509

from mougen import __version__
from mougen.config.catalog import MouEntry
from mougen.dates import time_in_words
from mougen.digest import sha256_hex
from mougen.roles import ROLE_IDS, role
from mougen.typeset import typeset
from mougen.verify import FileReport
from mougen.verify.status import SignatureReport
from mougen.verify.words import outcome

#: How a signature made with a certificate of the signer's own is described.
OWN_CERTIFICATE = "own certificate"


@dataclass(frozen=True)
class HistoryLine:
    """One signature on the certificate: its time and outcome in words, and the signer's
    email with places it may break (the column is narrower than some addresses)."""

    role: str
    signer: str
    email: str
    cert_sha256: str
    signed_at: str
    verdict: str
    how: str  # "own certificate", or how a programme key held here was released


def certificate_pdf(
    entry: MouEntry,
    slug: str,
    report: FileReport,
    issued_sha256: str,
    roots: Sequence[x509.Certificate],
    now: datetime,
    released: Mapping[str, str] | None = None,
) -> bytes:
    """The certificate for the executed file that ``report`` describes.

    ``released`` says, by signature SHA-256, how each signature made with a programme key
    held by the service was released; every other signature was made with its signer's
    own certificate.
    """
    authority = entry.party(slug)
    data = {
        "title": entry.mou.title,
        "mou": entry.mou.id,
        "authority": slug,
        "council": authority.council,
        "verdict": "yes" if report.fully_executed else "no",
        "history": [asdict(_line(s, released or {})) for s in report.signatures],
        "issued_sha256": issued_sha256,
        "executed_sha256": report.sha256,
        "roots": [
            {"subject": r.subject.human_friendly, "sha256": sha256_hex(r.dump())} for r in roots
        ],
        "generated_at": time_in_words(now),
        "version": __version__,
    }
    return typeset("certificate.typ", data, when=now).pdf


def _line(signature: SignatureReport, released: Mapping[str, str]) -> HistoryLine:
    moment = signature.timestamp or signature.signing_time
    return HistoryLine(
        role=role(signature.field).title if signature.field in ROLE_IDS else signature.field,
        signer=signature.signer or "unknown",
        # a zero-width space after "@" and each "." lets a long address wrap in its column
        email=re.sub(r"([@.])", "\\1\u200b", signature.email or ""),
        cert_sha256=signature.cert_sha256 or "unknown",
        signed_at=time_in_words(datetime.fromisoformat(moment)) if moment else "unknown",
        verdict=outcome(signature),
        how=released.get(signature.signature_sha256 or "", OWN_CERTIFICATE),
    )

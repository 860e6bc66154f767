"""The completion certificate: a one-page PDF of who signed, the hashes and the trust roots.

Laid out by ``certificate.typ`` through :func:`mougen.typeset.typeset`, like every PDF
mougen writes: tagged (PDF/UA-1), its data passed as JSON, never pasted into markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from asn1crypto import x509

from mougen import __version__
from mougen.config.catalog import MouEntry
from mougen.digest import sha256_hex
from mougen.roles import ROLE_IDS, role
from mougen.typeset import typeset
from mougen.verify import FileReport


@dataclass(frozen=True)
class HistoryLine:
    """One signature on the certificate."""

    role: str
    signer: str
    cert_sha256: str
    signed_at: str
    verdict: str


def certificate_pdf(
    entry: MouEntry,
    slug: str,
    report: FileReport,
    issued_sha256: str,
    roots: Sequence[x509.Certificate],
    now: datetime | None = None,
) -> bytes:
    """The certificate for the executed file that ``report`` describes."""
    authority = entry.party(slug)
    moment = now or datetime.now(UTC)
    data = {
        "title": entry.mou.title,
        "mou": entry.mou.id,
        "authority": slug,
        "council": authority.council,
        "verdict": "yes" if report.valid else "NO",
        "history": [asdict(_line(s)) for s in report.signatures],
        "issued_sha256": issued_sha256,
        "executed_sha256": report.sha256,
        "roots": [
            {"subject": r.subject.human_friendly, "sha256": sha256_hex(r.dump())} for r in roots
        ],
        "generated_at": moment.isoformat(timespec="seconds"),
        "version": __version__,
    }
    return typeset("certificate.typ", data, when=moment).pdf


def _line(signature) -> HistoryLine:
    who = signature.signer or "unknown"
    if signature.email:
        who += f" <{signature.email}>"
    verdict = signature.indication.value
    if signature.sub_indication:
        verdict += f"/{signature.sub_indication}"
    return HistoryLine(
        role=role(signature.field).title if signature.field in ROLE_IDS else signature.field,
        signer=who,
        cert_sha256=signature.cert_sha256 or "unknown",
        signed_at=signature.timestamp or signature.signing_time or "unknown",
        verdict=verdict,
    )

"""The completion certificate: a one-page PDF of who signed, the hashes and the trust roots.

Laid out by Typst from a small template, with the data passed as JSON through
``sys.inputs`` (never pasted into markup).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.resources import files

import typst
from asn1crypto import x509

from mougen import __version__
from mougen.config.catalog import MouEntry
from mougen.digest import sha256_hex
from mougen.roles import ROLE_IDS, role
from mougen.verify import FileReport

TEMPLATE = files("mougen.web") / "typst" / "certificate.typ"


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
        "generated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "version": __version__,
    }
    return typst.compile(str(TEMPLATE), sys_inputs={"data": json.dumps(data)})


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

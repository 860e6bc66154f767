"""What the public ``/verify`` page may say about a file, in plain words.

Anyone can upload a crafted file, so the answer names roles, the document and what the
signers' own certificates say, never what the region config holds (a signatory's configured
email or certificate): the coordinator's sentences from :mod:`mougen.verify.binding` stay in
the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mougen.config.catalog import Catalog
from mougen.dates import day_in_words
from mougen.roles import ROLE_IDS, role
from mougen.verify.binding import binding_problems
from mougen.verify.provenance import Provenance
from mougen.verify.status import FileReport, Indication, SignatureReport
from mougen.verify.workspace_trust import RegionTrust

#: What a failed or uncertain signature means, for the sub-indications a reader may meet.
_WHY = {
    "HASH_FAILURE": "the document was changed after it was signed",
    "SIG_CRYPTO_FAILURE": "the signature does not match the document",
    "NO_CERTIFICATE_CHAIN_FOUND": "the signer's certificate is not from an authority this "
    "service trusts",
    "REVOKED": "the signer's certificate has been revoked",
    "EXPIRED": "the signer's certificate had expired",
    "NOT_YET_VALID": "the signer's certificate was not yet valid",
}


@dataclass(frozen=True)
class PublicSignature:
    """One signature as the public sees it."""

    role: str
    signer: str
    signed_on: str | None
    holds: bool
    why_not: str | None


@dataclass(frozen=True)
class PublicResult:
    """The verdict on an uploaded file, for anyone."""

    valid: bool
    document: str | None
    unsigned_roles: tuple[str, ...]
    signatures: tuple[PublicSignature, ...]
    findings: tuple[str, ...]


def public_result(
    report: FileReport, found: Provenance, valid: bool, catalog: Catalog, trust: RegionTrust
) -> PublicResult:
    """``report`` and ``found`` told without a configured contact."""
    document, findings = None, []
    entry = catalog.mou(found.mou) if found.mou else None
    if entry is None or found.authority is None:
        findings.append("It does not match any MoU issued by this service.")
        bound = dict.fromkeys(ROLE_IDS, True)
    else:
        party = entry.party(found.authority)
        document = f"{entry.mou.title}, the copy issued for {party.name}"
        bound = {
            s.field: not binding_problems([s], entry, found.authority, trust)
            for s in report.signatures
        }
        if found.problems and all(bound.values()):
            findings.append("One certificate signs more than one role's field.")
    signatures = tuple(_signature(s, bound.get(s.field, True)) for s in report.signatures)
    unsigned = tuple(role(r).title for r in report.missing_roles if r in ROLE_IDS)
    return PublicResult(valid, document, unsigned, signatures, tuple(findings))


def _signature(s: SignatureReport, bound: bool) -> PublicSignature:
    title = role(s.field).title if s.field in ROLE_IDS else f"an unexpected field ({s.field})"
    why = None
    if s.indication is not Indication.TOTAL_PASSED:
        why = _WHY.get(s.sub_indication or "", "it could not be confirmed")
    elif not bound:
        why = f"the signer is not registered as the {title} of this authority"
    return PublicSignature(
        title,
        s.signer or "an unnamed signer",
        _day(s.timestamp or s.signing_time),
        why is None,
        why,
    )


def _day(when: str | None) -> str | None:
    if when is None:
        return None
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return None
    return day_in_words(moment)

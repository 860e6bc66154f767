"""The audit report: a PDF an auditor can file, recording what was checked and what was found.

It is laid out by ``report.typ`` from :class:`AuditEntry` values, one per file checked:
a summary page first, then the trust roots, the files that could not be read (with
why), and a section per file with its provenance and each signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509

from mougen import __version__
from mougen.typeset import typeset
from mougen.verify.status import FileReport, SignatureReport
from mougen.verify.table import verdict

TITLE = "Signature verification report"


@dataclass(frozen=True)
class AuditEntry:
    """One file in the audit report: its verdict and what it rests on.

    ``error`` is set for a file that could not be read (and then it has no
    signatures); ``provenance`` holds one line per finding about where the file came
    from (issued by this workspace, signed by the configured signatories).
    """

    file: str
    valid: bool
    verdict: str
    error: str | None = None
    signatures: tuple[SignatureReport, ...] = ()
    missing_roles: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ()
    sha256: str | None = None
    first_revision_sha256: str | None = None


def entry_for(
    report: FileReport, provenance: Sequence[str] = (), valid: bool | None = None
) -> AuditEntry:
    """The audit entry of a file that was read, from its verification report."""
    return AuditEntry(
        file=report.file,
        valid=report.valid if valid is None else valid,
        verdict=verdict(report),
        signatures=tuple(report.signatures),
        missing_roles=tuple(report.missing_roles),
        provenance=tuple(provenance),
        sha256=report.sha256,
        first_revision_sha256=report.first_revision_sha256,
    )


def audit_report_pdf(
    entries: Sequence[AuditEntry], trust_roots: Sequence[x509.Certificate], checked_at: datetime
) -> bytes:
    """The audit report for ``entries``, checked at ``checked_at`` against ``trust_roots``."""
    return typeset("report.typ", report_data(entries, trust_roots, checked_at), when=checked_at).pdf


def report_data(
    entries: Sequence[AuditEntry], trust_roots: Sequence[x509.Certificate], checked_at: datetime
) -> dict:
    """What the report prints, as the JSON data ``report.typ`` reads."""
    unreadable = [e for e in entries if e.error is not None]
    valid = sum(e.valid for e in entries)
    return {
        "title": TITLE,
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "version": __version__,
        "counts": f"{len(entries)} file(s): {valid} valid, "
        f"{len(entries) - valid - len(unreadable)} not valid, {len(unreadable)} unreadable.",
        "roots": [
            {"subject": r.subject.human_friendly, "sha256": r.sha256.hex()} for r in trust_roots
        ],
        "unreadable": [{"file": e.file, "error": e.error} for e in unreadable],
        "files": [_file(e) for e in entries],
    }


def _file(entry: AuditEntry) -> dict:
    result = "unreadable" if entry.error else "valid" if entry.valid else "NOT VALID"
    return {
        "file": entry.file,
        "result": result,
        "verdict": entry.error or entry.verdict,
        "error": entry.error,
        "facts": [
            ("Document", entry.file),
            ("SHA-256", entry.sha256 or "-"),
            ("Issued revision SHA-256", entry.first_revision_sha256 or "-"),
            ("Unsigned roles", ", ".join(entry.missing_roles) or "none"),
            ("Verdict", entry.verdict),
        ],
        "provenance": list(entry.provenance),
        "signatures": [{"field": s.field, "facts": _signature_facts(s)} for s in entry.signatures],
    }


def _signature_facts(s: SignatureReport) -> list[tuple[str, str]]:
    return [
        ("Signer", f"{s.signer or '?'} <{s.email or '-'}>"),
        ("Certificate SHA-256", s.cert_sha256 or "-"),
        ("Signing time (claimed)", s.signing_time or "-"),
        ("Timestamp", s.timestamp or "none"),
        ("Signed revision", str(s.revision)),
        ("Format", s.sub_filter or "-"),
        ("Intact / trusted / revoked", f"{s.intact} / {s.trusted} / {s.revoked}"),
        ("Coverage", s.coverage),
        ("Changes after signing", s.modification.value + (f": {s.changes}" if s.changes else "")),
        ("Indication", s.indication.value + (f" / {s.sub_indication}" if s.sub_indication else "")),
    ]

"""The audit report: a PDF an auditor can file, recording what was checked and what was found.

It is laid out by ``report.typ`` from the :class:`Verdict` on each file checked (the same
verdict the exit code and the table read):
a summary page first, then the trust roots, the files that could not be read (with
why), and a section per file with its provenance and each signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asn1crypto import x509

from mougen import __version__
from mougen.dates import time_in_words
from mougen.typeset import typeset
from mougen.verify.provenance import Provenance
from mougen.verify.status import FileReport, SignatureReport
from mougen.verify.table import verdict_line
from mougen.verify.verdict import Verdict
from mougen.verify.words import outcome

TITLE = "Signature verification report"


def audit_report_pdf(
    verdicts: Sequence[Verdict], trust_roots: Sequence[x509.Certificate], checked_at: datetime
) -> bytes:
    """The audit report for ``verdicts``, checked at ``checked_at`` against ``trust_roots``."""
    return typeset(
        "report.typ", report_data(verdicts, trust_roots, checked_at), when=checked_at
    ).pdf


def report_data(
    verdicts: Sequence[Verdict], trust_roots: Sequence[x509.Certificate], checked_at: datetime
) -> dict:
    """What the report prints, as the JSON data ``report.typ`` reads."""
    unreadable = [v for v in verdicts if v.report is None]
    valid = sum(v.bottom_line for v in verdicts)
    # a root given twice (in the workspace and with --trust) is one root
    roots = {r.sha256: r for r in trust_roots}.values()
    return {
        "title": TITLE,
        "checked_at": time_in_words(checked_at),
        "version": __version__,
        "counts": f"{len(verdicts)} file(s): {valid} valid, "
        f"{len(verdicts) - valid - len(unreadable)} not valid, {len(unreadable)} unreadable.",
        "roots": [{"subject": r.subject.human_friendly, "sha256": r.sha256.hex()} for r in roots],
        "unreadable": [{"file": v.file, "error": v.error} for v in unreadable],
        "files": [_file(v) for v in verdicts],
    }


def _file(found: Verdict) -> dict:
    report = found.report
    result = "unreadable" if report is None else "valid" if found.bottom_line else "NOT VALID"
    line = found.error or verdict_line(found)
    missing = report.missing_roles if report is not None else []
    return {
        "file": found.file,
        "result": result,
        "verdict": line,
        "error": found.error,
        "facts": [
            ("Document", found.file),
            ("SHA-256", report.sha256 if report else "-"),
            ("Issued revision SHA-256", (report.first_revision_sha256 if report else None) or "-"),
            ("Unsigned roles", ", ".join(missing) or "none"),
            ("Changed after the last signature", _metadata_line(report)),
            ("Verdict", line),
        ],
        "provenance": _provenance_lines(found.provenance),
        "signatures": [
            {"field": s.field, "facts": _signature_facts(s)}
            for s in (report.signatures if report else [])
        ],
    }


def _metadata_line(report: FileReport | None) -> str:
    """The document information and XMP changes after the last signature, or "none"."""
    changes = report.metadata_changes if report is not None else []
    return "; ".join(str(c) for c in changes) or "none"


def _provenance_lines(found: Provenance | None) -> list[str]:
    """Where the file came from, a line per finding (none outside a tracked workspace)."""
    if found is None:
        return []
    party = found.council or found.authority
    issued = f"Issued as {found.mou} for {party}." if found.mou else "Not issued here."
    return [issued, *found.problems]


def _signature_facts(s: SignatureReport) -> list[tuple[str, str]]:
    signer = s.signer or "unknown"
    return [
        ("Signer", f"{signer} <{s.email}>" if s.email else f"{signer} (no email address)"),
        ("Outcome", outcome(s)),
        ("Certificate SHA-256", s.cert_sha256 or "-"),
        ("Signing time (claimed)", _when(s.signing_time) or "-"),
        ("Timestamp", _when(s.timestamp) or "none"),
        ("Signed revision", str(s.revision)),
        ("Format", s.sub_filter or "-"),
        ("Signed content unchanged", _yes_no(s.intact)),
        ("Signer's root trusted", _yes_no(s.trusted)),
        ("Certificate revoked", _yes_no(s.revoked)),
        ("Coverage", s.coverage),
        ("Changes after signing", s.modification.value + (f": {s.changes}" if s.changes else "")),
        ("Indication", s.indication.value + (f" / {s.sub_indication}" if s.sub_indication else "")),
    ]


def _yes_no(fact: bool) -> str:
    return "yes" if fact else "no"


def _when(moment: str | None) -> str | None:
    """An ISO 8601 time from the verdict, in words."""
    return time_in_words(datetime.fromisoformat(moment)) if moment else None

"""Provenance: whether a signed PDF is the very document a workspace issued, signed by the
signatories bound to its roles.

Both collect (before filing) and verify (for an auditor) ask these questions, of the
tracker (what was issued) and of the config and region CAs (who is bound to which role).
"""

from __future__ import annotations

from mougen.config import Catalog
from mougen.tracker import Tracker
from mougen.verify.binding import binding_problems
from mougen.verify.provenance import Provenance
from mougen.verify.status import FileReport
from mougen.verify.workspace_trust import RegionTrust


def provenance(
    report: FileReport, tracker: Tracker, catalog: Catalog, trust: RegionTrust
) -> Provenance:
    """Match ``report``'s unsigned revision to an issued PDF, and its signers to their roles."""
    # An unsigned file is its own first revision.
    first = report.first_revision_sha256 if report.signatures else report.sha256
    issue = tracker.find_issue(first) if first else None
    if issue is None:
        problem = (
            "its unsigned revision matches no issued PDF (was it re-saved, or issued from "
            f"another workspace?) first revision SHA-256 {first or 'unknown'}"
        )
        return Provenance(None, None, (problem,))
    entry = catalog.mou(issue.mou)
    problems = binding_problems(report.signatures, entry, issue.authority, trust)
    council = (
        entry.authorities[issue.authority].council if issue.authority in entry.authorities else None
    )
    return Provenance(issue.mou, issue.authority, tuple(problems), council)

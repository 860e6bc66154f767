"""Provenance: whether a signed PDF is the very document a workspace issued, signed by the
signatories bound to its roles.

Cryptographic validity says a signature is sound; provenance says it is the right one.
Both collect (before filing) and verify (for an auditor) ask these questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from mougen.config import Catalog
from mougen.tracker import Tracker
from mougen.verify.binding import binding_problems
from mougen.verify.status import FileReport
from mougen.verify.workspace_trust import RegionTrust


@dataclass(frozen=True)
class Provenance:
    """The issue a file matches (if any) and what is wrong with who signed it."""

    mou: str | None
    authority: str | None
    problems: tuple[str, ...]

    @property
    def holds(self) -> bool:
        """Issued by this workspace, and every signature by the expected person."""
        return self.mou is not None and not self.problems

    def to_json(self) -> dict:
        issued = {"mou": self.mou, "authority": self.authority} if self.mou else None
        return {"issued": issued, "provenance_problems": list(self.problems)}


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
    return Provenance(issue.mou, issue.authority, tuple(problems))

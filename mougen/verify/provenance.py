"""Provenance: whether a signed PDF is the very document a workspace issued, signed by the
signatories configured for it.

Cryptographic validity says a signature is sound; provenance says it is the right one.
Both collect (before filing) and verify (for an auditor) ask these questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from mougen.config import Catalog
from mougen.roles import ROLE_IDS
from mougen.tracker import Tracker
from mougen.verify.status import FileReport


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


def provenance(report: FileReport, tracker: Tracker, catalog: Catalog) -> Provenance:
    """Match ``report``'s unsigned revision to an issued PDF, and its signers to config."""
    # An unsigned file is its own first revision.
    first = report.first_revision_sha256 if report.signatures else report.sha256
    issue = tracker.find_issue(first) if first else None
    if issue is None:
        problem = (
            "its unsigned revision matches no issued PDF (was it re-saved, or issued from "
            f"another workspace?) first revision SHA-256 {first or 'unknown'}"
        )
        return Provenance(None, None, (problem,))
    signatories = catalog.mou(issue.mou).party(issue.authority).signatories
    problems = []
    for s in report.signatures:
        if s.field not in ROLE_IDS:
            problems.append(f"signature in field {s.field!r}, which is not a signatory's field")
            continue
        expected = signatories.for_role(s.field).email
        if expected and (s.email or "").lower() != expected.lower():
            problems.append(
                f"{s.field} signed by {s.signer or 'unknown'} <{s.email or 'no email'}>, "
                f"but {issue.authority}'s {s.field} is {expected}"
            )
    return Provenance(issue.mou, issue.authority, tuple(problems))

"""What a returned PDF must satisfy before it is filed: issued by us, validly signed, by whom."""

from __future__ import annotations

from mougen.config.catalog import MouEntry
from mougen.roles import ROLE_IDS
from mougen.tracker import IssueRecord, Tracker
from mougen.verify import FileReport


class Rejection(Exception):
    """A returned file that cannot be accepted, with the reason to give the coordinator."""


def issued_document(report: FileReport, tracker: Tracker) -> IssueRecord:
    """The issue this file's first revision is byte-identical to."""
    first = report.first_revision_sha256
    issue = tracker.find_issue(first) if first else None
    if issue is None:
        raise Rejection(
            "its unsigned revision matches no issued PDF (was it re-saved, or issued "
            f"from another workspace?) first revision SHA-256 {first or 'unknown'}"
        )
    return issue


def signatures_hold(report: FileReport) -> None:
    """The file is signed, and every signature is valid, trusted, and unaltered since."""
    if not report.signatures:
        raise Rejection("no signatures: nothing to collect")
    failed = [
        f"{s.field}: {s.indication}" + (f"/{s.sub_indication}" if s.sub_indication else "")
        for s in report.signatures
        if not s.passed
    ]
    if failed:
        raise Rejection("signature not accepted (" + "; ".join(failed) + ")")


def expected_signers(report: FileReport, entry: MouEntry, authority: str) -> None:
    """Each signature is in a role's field, by the signatory configured for it (by email)."""
    people = entry.party(authority).signatories
    for s in report.signatures:
        if s.field not in ROLE_IDS:
            raise Rejection(f"signature in field {s.field!r}, which is not a signatory's field")
        expected = people.for_role(s.field).email
        if expected and (s.email or "").lower() != expected.lower():
            raise Rejection(
                f"{s.field} signed by {s.signer or 'unknown'} <{s.email or 'no email'}>, "
                f"but {authority}'s {s.field} is {expected}"
            )

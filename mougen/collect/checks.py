"""What a returned PDF must satisfy before it is filed: validly signed, issued by us, by whom."""

from __future__ import annotations

from mougen.tracker import Tracker
from mougen.verify import FileReport
from mougen.verify.provenance import Provenance
from mougen.verify.verdict import Verdict
from mougen.workflow.checking import WorkspaceRecords
from mougen.workflow.provenance import provenance
from mougen.workspace import Workspace


class Rejection(Exception):
    """A returned file that cannot be accepted, with the reason to give the coordinator."""


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


def issued_and_rightly_signed(report: FileReport, tracker: Tracker, ws: Workspace) -> Provenance:
    """The issue the file came from, once its verdict is sound: every signer bound to the role
    they signed, under a trust root of the MoU's own region."""
    records = WorkspaceRecords.of(ws, tracker)
    found = provenance(report, tracker, records.catalog, records.trust)
    verdict = Verdict(report.file, report, found)
    if not verdict.sound:
        raise Rejection("; ".join(verdict.faults))
    return found

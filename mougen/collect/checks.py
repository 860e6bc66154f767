"""What a returned PDF must satisfy before it is filed: validly signed, issued by us, by whom."""

from __future__ import annotations

from mougen.config import Catalog
from mougen.tracker import Tracker
from mougen.verify import FileReport
from mougen.verify.provenance import Provenance, provenance


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


def issued_and_rightly_signed(report: FileReport, tracker: Tracker, catalog: Catalog) -> Provenance:
    """The issue the file came from, once its signers are the configured signatories."""
    found = provenance(report, tracker, catalog)
    if not found.holds:
        raise Rejection("; ".join(found.problems))
    return found

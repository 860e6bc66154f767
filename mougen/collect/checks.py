"""What a returned PDF must satisfy before it is filed: validly signed, issued by us, by whom."""

from __future__ import annotations

from mougen.errors import MougenError
from mougen.verify import FileReport
from mougen.verify.provenance import Provenance
from mougen.verify.verdict import Verdict


class Rejection(MougenError):
    """A returned file that cannot be accepted, with the reason to give the coordinator."""


def signatures_hold(verdict: Verdict) -> FileReport:
    """The file was read, is signed, and every signature is valid, trusted, and unaltered
    since; its report."""
    report = verdict.report
    if report is None:
        raise Rejection(verdict.error or "unreadable")
    if not report.signatures:
        raise Rejection("no signatures: nothing to collect")
    failed = [
        f"{s.field}: {s.indication}" + (f"/{s.sub_indication}" if s.sub_indication else "")
        for s in report.signatures
        if not s.passed
    ]
    if failed:
        raise Rejection("signature not accepted (" + "; ".join(failed) + ")")
    return report


def issued_and_rightly_signed(verdict: Verdict) -> Provenance:
    """The issue the file came from, once its verdict is sound: every signer bound to the role
    they signed, under a trust root of the MoU's own region."""
    if verdict.provenance is None:
        raise Rejection("judged outside a tracked workspace: its issue is unknown")
    if not verdict.sound:
        raise Rejection("; ".join(verdict.faults))
    return verdict.provenance

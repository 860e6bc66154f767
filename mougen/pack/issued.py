"""Recording issued packs in the tracker, so collect can recognise the PDFs that return."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from mougen.pack.builder import PackResult
from mougen.tracker.records import IssueRecord
from mougen.tracker.versions import catalog_versions
from mougen.workspace import Workspace


def issue_records(
    ws: Workspace, results: Iterable[PackResult], when: datetime
) -> list[IssueRecord]:
    """What the tracker records of each pack: its issued PDF, when and by whom."""
    return [
        IssueRecord(
            mou=r.mou,
            authority=r.authority,
            pdf_sha256=r.pdf_sha256,
            issued_at=when,
            issued_by=r.manifest.issued_by,
            manifest=str(r.record.relative_to(ws.root)),
        )
        for r in results
    ]


def record_issued(ws: Workspace, results: Iterable[PackResult], when: datetime) -> int:
    """Record every pack's issued PDF in one transaction; returns how many were new."""
    from mougen.tracker import Tracker  # SQLAlchemy: not loaded by issue_records

    versions = catalog_versions(ws.catalog, ws.templates_dir)
    with Tracker.open(ws.db_url) as tracker:
        return tracker.record_issues(versions, issue_records(ws, results, when))

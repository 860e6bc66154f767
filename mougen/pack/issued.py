"""Recording issued packs in the tracker, so collect can recognise the PDFs that return."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from mougen.pack.builder import PackResult
from mougen.tracker import Tracker
from mougen.tracker.records import IssueRecord
from mougen.tracker.versions import catalog_versions
from mougen.workspace import Workspace


def record_issued(ws: Workspace, results: Iterable[PackResult], when: datetime) -> int:
    """Record every pack's issued PDF in one transaction; returns how many were new."""
    issues = [
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
    with Tracker.open(ws.db_url) as tracker:
        return tracker.record_issues(catalog_versions(ws.catalog, ws.templates_dir), issues)

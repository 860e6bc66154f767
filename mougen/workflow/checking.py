"""Checking files into verdicts: validation, then (in a tracked workspace) provenance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mougen.config import Catalog
from mougen.errors import MougenError
from mougen.tracker import Tracker
from mougen.verify.validate import Settings, read_pdf, verify_bytes
from mougen.verify.verdict import Verdict
from mougen.verify.workspace_trust import RegionTrust, region_trust
from mougen.workflow.provenance import provenance
from mougen.workspace import Workspace


@dataclass(frozen=True)
class WorkspaceRecords:
    """What a tracked workspace knows: what it issued, who is bound to which role, whose roots."""

    tracker: Tracker
    catalog: Catalog
    trust: RegionTrust

    @classmethod
    def of(cls, ws: Workspace, tracker: Tracker) -> WorkspaceRecords:
        return cls(tracker, ws.catalog, region_trust(ws))


@dataclass(frozen=True)
class Checker:
    """How files are checked: the validation settings, and the workspace's records if any."""

    settings: Settings
    records: WorkspaceRecords | None = None

    def check_file(self, path: Path) -> Verdict:
        """The verdict on the file at ``path`` (an unreadable file gets one too)."""
        try:
            data = read_pdf(path)
        except MougenError as exc:
            return Verdict.unreadable(str(path), exc)
        return self.check_bytes(data, str(path))

    def check_bytes(self, data: bytes, name: str) -> Verdict:
        """The verdict on a PDF already in memory (``name`` is used in messages)."""
        try:
            report = verify_bytes(
                data, name, trust_roots=self.settings.trust_roots, settings=self.settings
            )
        except MougenError as exc:
            return Verdict.unreadable(name, exc)
        if self.records is None:
            return Verdict(name, report)
        records = self.records
        found = provenance(report, records.tracker, records.catalog, records.trust)
        return Verdict(name, report, found)

"""What the tracker hands back: plain frozen records, so callers never hold a database session."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class VersionRecord:
    """An MoU version as last synchronised from the catalog."""

    id: str
    region: str
    title: str
    template_sha256: str | None
    commences: str
    review_after: str | None
    successor: str | None


@dataclass(frozen=True)
class IssueRecord:
    """A PDF issued to an authority for signature (identified by its SHA-256)."""

    mou: str
    authority: str
    pdf_sha256: str
    issued_at: datetime
    issued_by: str
    manifest: str


@dataclass(frozen=True)
class SignatureRecord:
    """One signature (one CMS blob), wherever it was first seen in the archive."""

    mou: str
    authority: str
    role: str
    signer_name: str | None
    signer_email: str | None
    cert_sha256: str
    signed_at: datetime | None
    timestamp_at: datetime | None
    verdict: str
    signature_sha256: str
    archive_path: str
    file_sha256: str
    recorded_at: datetime


@dataclass(frozen=True)
class EventRecord:
    """One entry of the append-only event log, chained to the one before by ``prev_hash``."""

    id: int
    at: datetime
    kind: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        """The event as JSON-ready values (``at`` in ISO 8601)."""
        return {**asdict(self), "at": self.at.isoformat()}

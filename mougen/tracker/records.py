"""What the tracker hands back: plain frozen records, so callers never hold a database session."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
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
class SignatureFacts:
    """What one archived signature (one CMS blob) says: what ``Tracker.record_signature`` takes."""

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

    @property
    def valid(self) -> bool:
        """Whether the signature was TOTAL_PASSED when it was verified."""
        return self.verdict == "TOTAL_PASSED"

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON-ready values (times in ISO 8601, or null)."""
        return {
            **{f.name: getattr(self, f.name) for f in fields(SignatureFacts)},
            "signed_at": _iso(self.signed_at),
            "timestamp_at": _iso(self.timestamp_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignatureFacts:
        """The facts back from :meth:`to_json`'s shape."""
        values = {f.name: data[f.name] for f in fields(SignatureFacts)}
        values["signed_at"] = _from_iso(data["signed_at"])
        values["timestamp_at"] = _from_iso(data["timestamp_at"])
        return cls(**values)


@dataclass(frozen=True)
class SignatureRecord(SignatureFacts):
    """A recorded signature: its facts and when the tracker first saw it."""

    recorded_at: datetime


@dataclass(frozen=True)
class MailReceipt:
    """One part of a message read from a collection mailbox (see ``MailReceiptRow``):
    the message's sender, ``Date`` and ``Message-ID``, and the part's outcome."""

    mailbox: str
    uidvalidity: int
    uid: int
    part_sha256: str
    part_name: str
    sender: str
    sent: str | None
    message_id: str | None
    accepted: bool
    mou: str | None
    authority: str | None
    reason: str | None


@dataclass(frozen=True)
class ReceivedRecord(MailReceipt):
    """A recorded mail receipt and when the tracker first saw it."""

    received_at: datetime


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


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None

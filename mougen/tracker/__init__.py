"""The tracker: an index, in any SQLAlchemy database, of what was issued and who signed."""

from mougen.tracker.records import (
    EventRecord,
    IssueRecord,
    MailReceipt,
    ReceivedRecord,
    SignatureFacts,
    SignatureRecord,
    VersionRecord,
)
from mougen.tracker.store import Clock, Tracker, wall_clock

__all__ = [
    "Clock",
    "EventRecord",
    "IssueRecord",
    "MailReceipt",
    "ReceivedRecord",
    "SignatureFacts",
    "SignatureRecord",
    "Tracker",
    "VersionRecord",
    "wall_clock",
]

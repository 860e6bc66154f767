"""The tracker: an index, in any SQLAlchemy database, of what was issued and who signed."""

from mougen.tracker.records import (
    EventRecord,
    IssueRecord,
    SignatureFacts,
    SignatureRecord,
    VersionRecord,
)
from mougen.tracker.store import Tracker

__all__ = [
    "EventRecord",
    "IssueRecord",
    "SignatureFacts",
    "SignatureRecord",
    "Tracker",
    "VersionRecord",
]

"""The tracker: an index, in any SQLAlchemy database, of what was issued and who signed.

Its records (``mougen.tracker.records``) are plain dataclasses; the store, and SQLAlchemy
with it, loads when ``Tracker`` is first asked for, so a process can describe what to
record without loading the database layer (``pack`` hands its records to a process of
its own that does).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mougen.tracker.records import (
    EventRecord,
    IssueRecord,
    MailReceipt,
    ReceivedRecord,
    SignatureFacts,
    SignatureRecord,
    VersionRecord,
)

if TYPE_CHECKING:
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

#: What the store module defines, loaded on first use (PEP 562).
_FROM_STORE = {"Clock", "Tracker", "wall_clock"}


def __getattr__(name: str) -> Any:
    if name in _FROM_STORE:
        return getattr(importlib.import_module("mougen.tracker.store"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

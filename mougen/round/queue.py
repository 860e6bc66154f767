"""The emails the round owes, kept in the database so a crash between accepting a signature
and sending the next invitation loses nothing: they are queued in the accepting transaction
and sent from here, again after a failure or a crash, until done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mougen.round.records import Queued
from mougen.round.tables import QueuedRow
from mougen.tracker import Tracker

#: How long one sender holds a queued email before another may take it over.
LEASE = timedelta(minutes=5)


def enqueue(
    s: Session, kind: str, mou: str, authority: str, role: str | None, now: datetime
) -> None:
    """Queue an email, at ``now``, inside the caller's transaction."""
    s.add(
        QueuedRow(
            kind=kind,
            mou=mou,
            authority=authority,
            role=role,
            queued_at=now,
            attempts=0,
        )
    )


def claim(tracker: Tracker) -> list[Queued]:
    """Take every queued email no other sender holds, for :data:`LEASE`, oldest first."""
    now = tracker.now()
    query = (
        select(QueuedRow)
        .where(QueuedRow.done_at.is_(None))
        .where(or_(QueuedRow.claimed_until.is_(None), QueuedRow.claimed_until < now))
        .order_by(QueuedRow.id)
    )
    with tracker.transaction() as s:
        rows = list(s.scalars(query))
        for row in rows:
            row.claimed_until, row.attempts = now + LEASE, row.attempts + 1
        return [Queued(r.id, r.kind, r.mou, r.authority, r.role, r.attempts) for r in rows]


def finish(tracker: Tracker, item: Queued, error: str | None = None) -> None:
    """Mark a claimed email sent (or no longer due); with ``error``, release it for a retry."""
    with tracker.transaction() as s:
        row = s.get_one(QueuedRow, item.id)
        if error is None:
            row.done_at = tracker.now()
        else:
            row.claimed_until, row.last_error = None, error


def waiting(tracker: Tracker) -> list[Queued]:
    """The emails still owed."""
    with tracker.reading() as s:
        rows = s.scalars(select(QueuedRow).where(QueuedRow.done_at.is_(None)))
        return [Queued(r.id, r.kind, r.mou, r.authority, r.role, r.attempts) for r in rows]

"""A signing round's return-by date in the tracker: its table, read and set on their own.

``mougen pack`` reads the date on every run; keeping it apart from the web service's other
tables and records spares that command their imports (about 25 ms by ``-X importtime``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from mougen.tracker.schema import Base

if TYPE_CHECKING:
    from mougen.round.records import Actor
    from mougen.tracker import Tracker


class RoundRow(Base):
    """Settings of one signing round (an MoU version): its optional return-by date."""

    __tablename__ = "web_rounds"

    mou: Mapped[str] = mapped_column(String(64), primary_key=True)
    return_by: Mapped[date | None] = mapped_column(Date)


def return_by(tracker: Tracker, mou: str) -> date | None:
    """The round's return-by date; None when none was set."""
    with tracker.reading() as s:
        row = s.get(RoundRow, mou)
        return row.return_by if row else None


def set_return_by(tracker: Tracker, mou: str, when: date | None, actor: Actor) -> None:
    """Set (or, with None, clear) the round's return-by date, logged as ``actor``'s change."""
    with tracker.transaction() as s:
        row = s.get(RoundRow, mou)
        if row is None:
            s.add(RoundRow(mou=mou, return_by=when))
        else:
            row.return_by = when
        detail = {**actor.detail(), "return_by": when.isoformat() if when else None}
        tracker.log_event(s, "round-return-by", mou, detail)

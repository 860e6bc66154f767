"""The review calendar: when each MoU version is due for review, and whether it is."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from mougen.config import YearMonth
from mougen.config.catalog import MouEntry
from mougen.reports.mou_text import TextDates, text_dates, version_text
from mougen.workspace import Workspace

Source = Literal["text", "config"]


@dataclass(frozen=True)
class Review:
    """One MoU version's place in the review calendar on a given day.

    ``due_on`` is the first day after the review month; ``due`` means that day has come
    and no later version supersedes this one. ``overdue_days`` counts from ``due_on``.
    """

    mou: str
    region: str
    region_name: str
    commences: str
    review_after: str | None
    review_after_source: Source | None
    due_on: date | None
    due: bool
    overdue_days: int | None
    superseded_by: str | None

    def days_until_due(self, today: date) -> int | None:
        """Days from ``today`` to ``due_on`` (negative once passed); None without a date."""
        return None if self.due_on is None else (self.due_on - today).days

    def to_json(self) -> dict[str, Any]:
        """The object ``mougen reviews --json`` prints for this version."""
        data = asdict(self)
        data["due_on"] = self.due_on.isoformat() if self.due_on else None
        return data


def reviews(ws: Workspace, today: date) -> list[Review]:
    """Every MoU version of the workspace in review order (undated versions last)."""
    rows = [_review(ws, entry, today) for entry in ws.catalog.entries.values()]
    return sorted(rows, key=lambda r: (r.due_on or date.max, r.mou))


def due_within(rows: list[Review], today: date, days: int) -> list[Review]:
    """The versions still in force whose review falls due within ``days`` of today, or has."""
    return [
        r
        for r in rows
        if r.superseded_by is None and r.due_on is not None and (r.due_on - today).days <= days
    ]


def check_review_dates(ws: Workspace) -> list[str]:
    """One line for each version whose configured dates disagree with its own text."""
    return [p for mou_id in ws.catalog.entries for p in version_date_problems(ws, mou_id)]


def version_date_problems(ws: Workspace, mou_id: str) -> list[str]:
    """One line for each configured date of this version that its own text contradicts."""
    entry = ws.catalog.mou(mou_id)
    stated = text_dates(version_text(ws, mou_id))
    problems = []
    for key, phrase in (("commences", "commences in"), ("review_after", "reviewed after")):
        said, configured = getattr(stated, key), getattr(entry.mou, key)
        if said is not None and said != configured:
            shown = configured.words if configured else "not set"
            problems.append(
                f"{entry.source}: mous: {mou_id}: {key} is {shown} "
                f'but {entry.mou.template} says "{phrase} {said.words}"'
            )
    return problems


def _review(ws: Workspace, entry: MouEntry, today: date) -> Review:
    mou = entry.mou
    stated = text_dates(version_text(ws, mou.id))
    review_after, source = _review_month(entry, stated)
    due_on = _first_day_after(review_after) if review_after else None
    successor = ws.catalog.successor(mou.id)
    overdue = (today - due_on).days if due_on is not None and today >= due_on else None
    due = overdue is not None and successor is None
    return Review(
        mou=mou.id,
        region=entry.region.id,
        region_name=entry.region.name,
        commences=str(stated.commences or mou.commences),
        review_after=str(review_after) if review_after else None,
        review_after_source=source,
        due_on=due_on,
        due=due,
        overdue_days=overdue if due else None,
        superseded_by=successor,
    )


def _review_month(entry: MouEntry, stated: TextDates) -> tuple[YearMonth | None, Source | None]:
    # The MoU's own words win: they are what the parties signed.
    if stated.review_after is not None:
        return stated.review_after, "text"
    if entry.mou.review_after is not None:
        return entry.mou.review_after, "config"
    return None, None


def _first_day_after(month: YearMonth) -> date:
    year, last = month.last_month
    return date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)

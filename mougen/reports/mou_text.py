"""The words of an MoU version, and the dates its text states."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from mougen.config import YearMonth
from mougen.render import WORDS_ONLY, render_placeholder
from mougen.workspace import Workspace

_MONTH = "|".join(calendar.month_name[1:])
_COMMENCES = re.compile(rf"\bcommences in (?:({_MONTH}) )?(\d{{4}})\b", re.IGNORECASE)
_REVIEWED = re.compile(rf"\breviewed after ({_MONTH}) (\d{{4}})\b", re.IGNORECASE)


@dataclass(frozen=True)
class TextDates:
    """What an MoU's own words say about when it commences and when it is reviewed."""

    commences: YearMonth | None
    review_after: YearMonth | None


def version_text(ws: Workspace, mou_id: str) -> str:
    """The text of an MoU version rendered with placeholders, whitespace collapsed."""
    document = render_placeholder(ws, mou_id, when=WORDS_ONLY).document
    return " ".join(" ".join(p.body_text.split()) for p in document.paragraphs)


def text_dates(text: str) -> TextDates:
    """The commencement and review months stated in ``text`` (None where it says nothing)."""
    return TextDates(_year_month(_COMMENCES.search(text)), _year_month(_REVIEWED.search(text)))


def _year_month(match: re.Match[str] | None) -> YearMonth | None:
    if match is None:
        return None
    month, year = match.groups()
    if month is None:
        return YearMonth(int(year))
    return YearMonth(int(year), list(calendar.month_name).index(month.title()))

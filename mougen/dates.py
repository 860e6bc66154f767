"""Dates and times as mougen prints them to people: "4 December 2026", no leading zero.

Every PDF, email and report says a date one way; machine-readable output (JSON, the
manifest, the event log) keeps ISO 8601.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

#: The same style as a ``strftime`` format, for libraries that take one (pyHanko's stamp).
#: ``%-d`` (the day without a leading zero) is glibc's, which mougen runs on.
DAY_MONTH_YEAR = "%-d %B %Y"


def day_in_words(day: date) -> str:
    """A date as words: ``4 December 2026``."""
    return f"{day.day} {day:%B %Y}"


def time_in_words(moment: datetime) -> str:
    """A moment in UTC as words: ``4 December 2026 at 09:30 UTC``."""
    moment = moment.astimezone(UTC)
    return f"{day_in_words(moment)} at {moment:%H:%M} UTC"

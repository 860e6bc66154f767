"""The one place mougen reads the wall clock, and the clocks that stand in for it.

Library code takes ``when`` or a :data:`Clock` from its caller; the edges (the CLI, the web
app, the tracker) pass :func:`wall_clock` unless a test gives them a fixed one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

#: Something that says what time it is.
Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at ``at`` (it can cross into a child process, as a lambda cannot)."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at

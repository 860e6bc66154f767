"""What ``mougen pack`` keeps in step with the round: the version it packs is the current
one, the round's return-by date is the one every cover sheet prints, and every pack it
issues is recorded.

Its tracker work runs in a process forked beside the command before the command loads
anything else (see :class:`~mougen.workers.Beside`): none of it needs the config, so that
process loads only the tracker's modules, SQLAlchemy among them, while the command loads
the config, the templates and the render stack.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from mougen.cli.options import warn
from mougen.cli.tracking import open_tracker
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from mougen.pack.pool import Dates
    from mougen.round.records import Actor
    from mougen.tracker.records import IssueRecord, VersionRecord


@dataclass(frozen=True)
class RoundJob:
    """What the tracker work of a ``pack`` is told once the command has read the config:
    the versions packed, the return-by date given (if any), who is packing, and the
    workspace's MoU versions as the tracker keeps them."""

    mou_ids: tuple[str, ...]
    given: date | None
    actor: Actor
    versions: tuple[VersionRecord, ...]


def load_tracker() -> None:
    """Load the tracker's modules, and SQLAlchemy with them: a fifth of a second of CPU."""
    # imported for the modules they load, which record_round then finds loaded
    import mougen.round.due
    import mougen.tracker.store  # noqa: F401


def record_round(ws: Workspace, job: RoundJob) -> Generator[Dates, list[IssueRecord], int]:
    """A ``pack``'s tracker work: refuse a tracker it cannot write; yield each version's
    return-by date; then, sent the packs' issued PDFs, record them (and the versions) in
    one transaction and return how many were new."""
    issues = yield round_return_by(ws, job.mou_ids, job.given, job.actor)
    from mougen.tracker import Tracker

    with Tracker.open(ws.db_url) as tracker:
        return tracker.record_issues(job.versions, issues)


def warn_if_superseded(ws: Workspace, mou_id: str) -> None:
    """A warning when a later version replaces ``mou_id``: its round is no longer the one
    ``status``, ``report`` and the dashboard follow."""
    latest = mou_id
    while (later := ws.catalog.successor(latest)) is not None and later != mou_id:
        latest = later
    if latest != mou_id:
        warn(
            f"{mou_id} is superseded by {latest}: its packs are still made, but the "
            f"dashboard follows {latest}; pack {latest} to start the current round"
        )


def round_return_by(
    ws: Workspace, mou_ids: tuple[str, ...], given: date | None, actor: Actor
) -> Dates:
    """Each version's return-by date: ``given``, kept in the tracker for later runs (and the
    web round) as ``actor``'s change, else the one kept from an earlier run, if any (one
    tracker opened for all)."""
    from mougen.round import due

    dates: dict[str, date | None] = {}
    with open_tracker(ws, write=True) as tracker:
        for mou_id in mou_ids:
            kept = due.return_by(tracker, mou_id)
            if given is not None and given != kept:
                due.set_return_by(tracker, mou_id, given, actor)
                kept = given
            dates[mou_id] = kept
    return dates

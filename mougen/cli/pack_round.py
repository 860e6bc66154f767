"""What ``mougen pack`` keeps in step with the round: the version it packs is the current
one, and the round's return-by date is the one every cover sheet prints."""

from __future__ import annotations

from datetime import date

from mougen.cli.options import warn
from mougen.cli.tracking import cli_actor, open_tracker
from mougen.workspace import Workspace


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
    ws: Workspace, mou_ids: list[str], given: date | None
) -> dict[str, date | None]:
    """Each version's return-by date: ``given``, kept in the tracker for later runs (and the
    web round), else the one kept from an earlier run, if any (one tracker opened for all)."""
    from mougen.round import due

    dates: dict[str, date | None] = {}
    with open_tracker(ws, write=True) as tracker:
        for mou_id in mou_ids:
            kept = due.return_by(tracker, mou_id)
            if given is not None and given != kept:
                due.set_return_by(tracker, mou_id, given, cli_actor())
                kept = given
            dates[mou_id] = kept
    return dates

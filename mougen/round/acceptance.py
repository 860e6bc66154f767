"""Accepting a signed file into the round, as one transaction: the link and the roles still
open are checked again under the writers' lock, the file is filed and its new signatures
recorded, every link those signatures fill is closed, and the email now due is queued.

Every writer holds the tracker's chain head (BEGIN IMMEDIATE on SQLite, a row lock on
PostgreSQL), so two uploads on one link, or for one role, are taken one after the other:
the second finds the role filled and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mougen.collect import Accepted
from mougen.collect.checks import Rejection
from mougen.roles import role
from mougen.round.queue import enqueue
from mougen.round.records import Actor
from mougen.round.tables import LinkRow
from mougen.tracker import Tracker
from mougen.workflow.archive import signature_records
from mougen.workflow.filing import file_signed
from mougen.workspace import Workspace


@dataclass(frozen=True)
class Acceptance:
    """What an accepted file changed: the roles it newly filled, and whether the MoU is done."""

    recorded: tuple[str, ...]
    complete: bool


def accept(
    ws: Workspace,
    tracker: Tracker,
    checked: Accepted,
    order: Sequence[str],
    actor: Actor,
    link_id: int | None = None,
) -> Acceptance:
    """File and record ``checked`` (through link ``link_id``, if a signatory's); raises
    :class:`Rejection`, changing nothing, if the link or the roles are no longer open."""
    mou, slug, now = checked.mou, checked.authority, tracker.now()
    with tracker.transaction() as s:
        filled = tracker.signed_roles(s, mou, slug)
        if link_id is not None:
            _hold_link(s, link_id, filled, now)
        new = _new_roles(checked.roles, filled, order)
        archived = file_signed(ws, mou, slug, checked.data)
        for facts in signature_records(ws, archived, checked.data, checked.report):
            if facts.role in new:
                tracker.add_signature(s, facts)
        filled |= set(new)
        pending = [r for r in order if r not in filled]
        closed = _close_links(s, mou, slug, set(filled) if pending else None, link_id, now)
        if pending:
            enqueue(s, "invitation", mou, slug, pending[0], now)
        else:
            enqueue(s, "completion", mou, slug, None, now)
        detail = {**actor.detail(), "roles": list(new), "links_closed": closed, "link": link_id}
        tracker.log_event(s, "signatures-accepted", f"{mou}/{slug}", detail)
    return Acceptance(tuple(new), not pending)


def _hold_link(s: Session, link_id: int, filled: set[str], now: datetime) -> None:
    row = s.get(LinkRow, link_id, with_for_update=True)
    closed = row is None or row.accepted_at or row.revoked_at or row.expires_at <= now
    if closed or row is None or row.role in filled:
        raise Rejection("this link has been used or closed: nothing was changed")


def _new_roles(roles: Sequence[str], filled: set[str], order: Sequence[str]) -> list[str]:
    """The roles ``roles`` fills that are still open; refuses a file that fills none, or that
    leaves out a signature already recorded (it would replace the document being signed)."""
    if all(r in filled for r in order):
        raise Rejection(
            "this MoU is fully executed already; its executed document is kept and this file "
            "was not filed"
        )
    dropped = [role(r).title for r in order if r in filled and r not in roles]
    if dropped:
        raise Rejection(
            "the file lacks the " + " and ".join(dropped) + " signature already recorded: "
            "sign the latest document, the one on your page"
        )
    new = [r for r in roles if r not in filled]
    if not new:
        raise Rejection("every signature in this file is recorded already: nothing was changed")
    return new


def _close_links(
    s: Session,
    mou: str,
    slug: str,
    filled: set[str] | None,
    used: int | None,
    now: datetime,
) -> list[int]:
    """Close the open links of ``filled`` roles (every open link, with None); the one used is
    marked used. Returns the ids closed."""
    query = select(LinkRow).where(
        LinkRow.mou == mou,
        LinkRow.authority == slug,
        LinkRow.accepted_at.is_(None),
        LinkRow.revoked_at.is_(None),
    )
    closed = []
    for row in s.scalars(query.with_for_update()):
        if row.id == used:
            row.accepted_at = now
        elif filled is None or row.role in filled:
            row.revoked_at = now
            closed.append(row.id)
    return closed

"""The event hash chain: how an event's hash is computed, and how a log is checked."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from mougen.digest import sha256_hex
from mougen.tracker.records import EventRecord

#: The ``prev_hash`` of the first event.
GENESIS = "0" * 64


def event_hash(
    id: int, at: datetime, kind: str, subject: str, detail: dict[str, Any], prev_hash: str
) -> str:
    """SHA-256 of the canonical JSON of an event's content and its predecessor's hash."""
    content = [id, at.astimezone(UTC).isoformat(timespec="microseconds"), kind, subject, detail]
    canonical = json.dumps(
        [*content, prev_hash], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return sha256_hex(canonical.encode("utf-8"))


def recomputed(event: EventRecord) -> str:
    """The hash an event should carry, given what it says now."""
    return event_hash(event.id, event.at, event.kind, event.subject, event.detail, event.prev_hash)


def check_chain(events: Iterable[EventRecord], head: tuple[int, str] | None) -> list[str]:
    """Problems in a log read in id order, each naming an event; empty if the chain is intact.

    ``head`` is the (event id, hash) the chain head says is newest, which is what shows
    that events were cut off the end or added behind its back; None if it is gone.
    """
    problems = [] if head is not None else ["chain head missing: its row was deleted"]
    head_id, head_hash = head or (None, None)
    prev_id, prev_hash = 0, GENESIS
    for event in events:
        if event.id != prev_id + 1:
            problems.append(f"event {_span(prev_id + 1, event.id - 1)} missing: deleted")
        elif event.prev_hash != prev_hash:
            problems.append(
                f"event {event.id}: prev_hash does not match event {prev_id}"
                f" (event {prev_id} rewritten or event {event.id} inserted)"
            )
        if recomputed(event) != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (edited)")
        if head_id is not None and event.id > head_id:
            problems.append(f"event {event.id}: not in the chain head (inserted)")
        prev_id, prev_hash = event.id, event.hash
    if head_id is not None and prev_id < head_id:
        problems.append(f"event {_span(prev_id + 1, head_id)} missing: the chain head names it")
    elif prev_id == head_id and prev_hash != head_hash:
        problems.append(f"event {head_id}: hash does not match the chain head (edited)")
    return problems


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"

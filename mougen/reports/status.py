"""Who has signed: one row per authority per MoU version, from the catalog and the tracker."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, TextIO

from mougen.config import Catalog
from mougen.config.catalog import MouEntry
from mougen.errors import UnknownItem
from mougen.roles import ROLE_IDS

if TYPE_CHECKING:
    from mougen.tracker import SignatureRecord, Tracker


@dataclass(frozen=True)
class RoleState:
    """One role's signature for one authority: who signed and when, if anyone has."""

    signed: bool
    signer: str | None = None
    signed_at: str | None = None
    email: str | None = None


_STATE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RoleState))


@dataclass(frozen=True)
class StatusRow:
    """One authority's signing state for one MoU version."""

    mou: str
    region: str
    authority: str
    authority_name: str
    roles: dict[str, RoleState]
    #: The newest archived version of the signed file (after any archive extension).
    archived: str | None = None

    @property
    def complete(self) -> bool:
        """Whether every role has signed."""
        return all(state.signed for state in self.roles.values())

    @property
    def missing(self) -> list[str]:
        """The role ids still to sign, in signing order."""
        return [role for role, state in self.roles.items() if not state.signed]

    def to_json(self) -> dict[str, Any]:
        """The object ``mougen status --json`` prints for this row."""
        return {
            "mou": self.mou,
            "region": self.region,
            "authority": self.authority,
            "authority_name": self.authority_name,
            "complete": self.complete,
            "roles": {role: asdict(state) for role, state in self.roles.items()},
            "archived": self.archived,
        }


def status(
    catalog: Catalog, tracker: Tracker, mou_id: str | None = None, region: str | None = None
) -> list[StatusRow]:
    """The signing state of every party to the chosen versions (all by default)."""
    rows = []
    for entry in select_versions(catalog, mou_id, region):
        signed = _latest_by_party_and_role(tracker.signatures(entry.mou.id))
        rows += [_row(entry, slug, signed) for slug in entry.mou.parties]
    return rows


def select_versions(
    catalog: Catalog, mou_id: str | None = None, region: str | None = None
) -> list[MouEntry]:
    """The versions named by an MoU id and/or region id; all of them when neither is given."""
    entries = [catalog.mou(mou_id)] if mou_id else list(catalog.entries.values())
    if region is not None:
        regions = {e.region.id for e in catalog.entries.values()}
        if region not in regions:
            raise UnknownItem(f"unknown region {region!r} (known: {', '.join(sorted(regions))})")
        entries = [e for e in entries if e.region.id == region]
    return entries


def completion(rows: Iterable[StatusRow]) -> dict[str, tuple[int, int]]:
    """Per MoU id: (complete authorities, parties), in the order the rows come."""
    counts: dict[str, tuple[int, int]] = {}
    for row in rows:
        done, total = counts.get(row.mou, (0, 0))
        counts[row.mou] = (done + row.complete, total + 1)
    return counts


def write_status_csv(rows: list[StatusRow], out: TextIO) -> None:
    """Write ``rows`` as CSV: one line per row, four columns per role (``dcs_signed``...)."""
    writer = csv.writer(out)
    writer.writerow(
        ["mou", "authority", "authority_name", "complete"]
        + [f"{role}_{field}" for role in ROLE_IDS for field in _STATE_FIELDS]
    )
    for row in rows:
        cells = [row.mou, row.authority, row.authority_name, row.complete]
        cells += [getattr(row.roles[role], f) for role in ROLE_IDS for f in _STATE_FIELDS]
        writer.writerow(_csv_cell(cell) for cell in cells)


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _latest_by_party_and_role(
    records: list[SignatureRecord],
) -> dict[tuple[str, str], SignatureRecord]:
    # A role signed twice (a re-issued PDF, say) shows its latest signature.
    latest: dict[tuple[str, str], SignatureRecord] = {}
    for record in sorted(records, key=lambda r: r.recorded_at):
        latest[(record.authority, record.role)] = record
    return latest


def _row(entry: MouEntry, slug: str, signed: dict[tuple[str, str], SignatureRecord]) -> StatusRow:
    roles = {}
    for role in ROLE_IDS:
        record = signed.get((slug, role))
        roles[role] = _state(record) if record else RoleState(signed=False)
    records = [r for r in (signed.get((slug, role)) for role in ROLE_IDS) if r is not None]
    newest = max(records, key=lambda r: r.recorded_at, default=None)
    archived = newest.archive_path if newest else None
    return StatusRow(entry.mou.id, entry.region.id, slug, entry.party(slug).name, roles, archived)


def _state(record: SignatureRecord) -> RoleState:
    when = record.signed_at or record.timestamp_at
    return RoleState(
        signed=True,
        signer=record.signer_name,
        signed_at=when.isoformat() if when else None,
        email=record.signer_email,
    )

"""Who has signed: one row per authority per MoU version, from the catalog and the tracker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mougen.config import Catalog
from mougen.config.catalog import MouEntry
from mougen.csvcells import write_rows
from mougen.errors import UnknownItem
from mougen.pki.revocation import NONE_REVOKED, Revoked
from mougen.reports.executed import executed_in_one_document
from mougen.roles import ROLE_IDS

if TYPE_CHECKING:
    from mougen.tracker import SignatureRecord, Tracker


@dataclass(frozen=True)
class MailOrigin:
    """The message a signed file came in by (``collect --mailbox``): as its headers said."""

    sender: str
    sent: str | None
    message_id: str | None


@dataclass(frozen=True)
class RoleState:
    """One role's signature for one authority: who signed and when, if anyone has.

    A role signed more than once shows one signature, chosen by :func:`shown_signature`.
    """

    signed: bool
    signer: str | None = None
    signed_at: str | None = None
    email: str | None = None
    verdict: str | None = None
    #: The message the signed file came by, if it was returned by email.
    via: MailOrigin | None = None


# (the CSV keeps one plain column per field; where a file came from is in the JSON)
_STATE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RoleState) if f.name != "via")


@dataclass(frozen=True)
class StatusRow:
    """One authority's signing state for one MoU version.

    ``complete``: one archived document holds a valid signature in every role (it is
    fully executed, as ``mougen verify`` would say). ``counterparts_complete``: every role
    has a valid signature, though perhaps each in a separate counterpart. ``issued``: a
    PDF of this version was issued to the authority (or has come back signed).
    """

    mou: str
    region: str
    authority: str
    authority_name: str
    issued: bool
    complete: bool
    counterparts_complete: bool
    roles: dict[str, RoleState]
    #: The newest archived version of the signed file (after any archive extension).
    archived: str | None = None

    @property
    def missing(self) -> list[str]:
        """The role ids still to sign, in signing order."""
        return [role for role, state in self.roles.items() if not state.signed]

    @property
    def state(self) -> str:
        """The row's state in words, as the table and the dashboard show it."""
        if self.complete:
            return "yes"
        if self.counterparts_complete:
            return "complete in counterparts"
        return "no" if self.issued else "not issued"

    def to_json(self) -> dict[str, Any]:
        """The object ``mougen status --json`` prints for this row."""
        return {
            "mou": self.mou,
            "region": self.region,
            "authority": self.authority,
            "authority_name": self.authority_name,
            "issued": self.issued,
            "complete": self.complete,
            "counterparts_complete": self.counterparts_complete,
            "roles": {role: asdict(state) for role, state in self.roles.items()},
            "archived": self.archived,
        }


def status(
    catalog: Catalog,
    tracker: Tracker,
    mou_id: str | None = None,
    region: str | None = None,
    *,
    archive_root: Path | None = None,
    revoked: Revoked = NONE_REVOKED,
) -> list[StatusRow]:
    """The signing state of every party to the chosen versions (all by default).

    A signature whose certificate is in ``revoked`` no longer counts, unless a trusted
    timestamp shows it was made before the revocation (as ``verify`` judges it).

    ``archive_root`` is the workspace whose ``signed/`` files the tracker's paths name:
    a signature counts towards one document when it is in that document's file or in
    an earlier revision of it. Without it, only signatures first filed in the same file
    count together.
    """
    rows = []
    mailed = _mailed(tracker)
    for entry in select_versions(catalog, mou_id, region):
        records = _by_authority(tracker.signatures(entry.mou.id))
        issued = {issue.authority for issue in tracker.issues(entry.mou.id)}
        for slug in entry.mou.parties:
            mine = [_judged(r, revoked) for r in records.get(slug, [])]
            row = _row(entry, slug, slug in issued or bool(mine), mine, archive_root, mailed)
            rows.append(row)
    return rows


def _mailed(tracker: Tracker) -> dict[str, MailOrigin]:
    """File SHA-256 -> the first message that brought it and had it accepted."""
    origins: dict[str, MailOrigin] = {}
    for receipt in tracker.receipts():
        if receipt.accepted:
            origin = MailOrigin(receipt.sender, receipt.sent, receipt.message_id)
            origins.setdefault(receipt.part_sha256, origin)
    return origins


#: What ``verify`` says of a signature revoked with no proof it was made before.
REVOKED_VERDICT = "INDETERMINATE/REVOKED_NO_POE"


def _judged(record: SignatureRecord, revoked: Revoked) -> SignatureRecord:
    """The record, its verdict the revoked one if its certificate's revocation undermines it."""
    if record.valid and revoked.undermines(record.cert_sha256, record.timestamp_at):
        return replace(record, verdict=REVOKED_VERDICT)
    return record


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


def completion(rows: Iterable[StatusRow]) -> dict[str, VersionProgress]:
    """Per MoU id, how far its signing round has come, in the order the rows come."""
    grouped: dict[str, list[StatusRow]] = {}
    for row in rows:
        grouped.setdefault(row.mou, []).append(row)
    return {mou: VersionProgress.of(mine) for mou, mine in grouped.items()}


@dataclass(frozen=True)
class VersionProgress:
    """One version's round in numbers: parties, complete, complete only in counterparts."""

    parties: int
    complete: int
    counterparts: int
    issued: int

    @classmethod
    def of(cls, rows: list[StatusRow]) -> VersionProgress:
        return cls(
            parties=len(rows),
            complete=sum(r.complete for r in rows),
            counterparts=sum(r.counterparts_complete and not r.complete for r in rows),
            issued=sum(r.issued for r in rows),
        )

    @property
    def headline(self) -> str:
        """``se-2018: 1/19 complete`` without the id: what a reader wants first."""
        if not self.issued:
            return "not issued"
        return f"{self.complete}/{self.parties} complete"


def write_status_csv(rows: list[StatusRow], out: TextIO) -> None:
    """Write ``rows`` as CSV: one line per row, four columns per role (``dcs_signed``...),
    formula-like cells neutralised."""
    header = ["mou", "authority", "authority_name", "issued", "complete", "counterparts_complete"]
    header += [f"{role}_{field}" for role in ROLE_IDS for field in _STATE_FIELDS]
    lines = [header]
    for row in rows:
        cells = [row.mou, row.authority, row.authority_name, row.issued, row.complete]
        cells += [row.counterparts_complete]
        cells += [getattr(row.roles[role], f) for role in ROLE_IDS for f in _STATE_FIELDS]
        lines.append([_csv_cell(cell) for cell in cells])
    write_rows(out, lines)


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def shown_signature(records: Iterable[SignatureRecord]) -> SignatureRecord | None:
    """The one signature to show for a role signed more than once.

    Valid signatures before any other, then the earliest signed (by signing time, else
    timestamp), then the lowest CMS hash: so the answer does not depend on the order in
    which the signatures were collected or a rebuild met them.
    """
    return min(records, key=_shown_order, default=None)


def _shown_order(record: SignatureRecord) -> tuple[bool, bool, datetime, str]:
    moment = record.signed_at or record.timestamp_at
    return (not record.valid, moment is None, moment or _NEVER, record.signature_sha256)


_NEVER = datetime.max.replace(tzinfo=UTC)


def _by_authority(records: list[SignatureRecord]) -> dict[str, list[SignatureRecord]]:
    grouped: dict[str, list[SignatureRecord]] = {}
    for record in records:
        grouped.setdefault(record.authority, []).append(record)
    return grouped


def _row(
    entry: MouEntry,
    slug: str,
    issued: bool,
    records: list[SignatureRecord],
    archive_root: Path | None,
    mailed: dict[str, MailOrigin],
) -> StatusRow:
    roles = {
        role: _state(shown_signature(r for r in records if r.role == role), mailed)
        for role in ROLE_IDS
    }
    valid = [r for r in records if r.valid]
    counterparts = {r.role for r in valid} >= set(ROLE_IDS)
    complete = counterparts and executed_in_one_document(valid, archive_root)
    name = entry.party(slug).name
    # After an archive extension the signatures point at the newest version of the file.
    newest = max(records, key=lambda r: r.recorded_at, default=None)
    archived = newest.archive_path if newest else None
    return StatusRow(
        entry.mou.id, entry.region.id, slug, name, issued, complete, counterparts, roles, archived
    )


def _state(record: SignatureRecord | None, mailed: dict[str, MailOrigin]) -> RoleState:
    if record is None:
        return RoleState(signed=False)
    when = record.signed_at or record.timestamp_at
    return RoleState(
        signed=True,
        signer=record.signer_name,
        signed_at=when.isoformat() if when else None,
        email=record.signer_email,
        verdict=record.verdict,
        via=mailed.get(record.file_sha256),
    )

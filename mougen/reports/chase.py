"""The chase list: who still has to sign, as CSV that mail-merge tools read."""

from __future__ import annotations

from dataclasses import asdict, astuple, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mougen.config import Catalog
from mougen.csvcells import write_rows
from mougen.pki.revocation import NONE_REVOKED, Revoked
from mougen.reports.status import status
from mougen.roles import role

if TYPE_CHECKING:
    from mougen.tracker import Tracker


@dataclass(frozen=True)
class ChaseRow:
    """One signature still owed: the authority, the role, and whom to ask (where known)."""

    mou: str
    authority: str
    authority_name: str
    role: str
    role_title: str
    name: str
    email: str

    def to_json(self) -> dict[str, str]:
        """The object ``mougen chase --json`` prints for this row (the CSV's columns)."""
        return asdict(self)


CHASE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ChaseRow))


def chase(
    catalog: Catalog,
    tracker: Tracker,
    mou_id: str,
    *,
    archive_root: Path | None = None,
    revoked: Revoked = NONE_REVOKED,
) -> list[ChaseRow]:
    """One row per role still to sign, for each incomplete authority of the version.

    A version that was never issued to anyone has nothing to chase yet: no rows.
    """
    entry = catalog.mou(mou_id)
    rows = []
    found = status(catalog, tracker, mou_id, archive_root=archive_root, revoked=revoked)
    if not any(row.issued for row in found):
        return []
    for row in found:
        signatories = entry.party(row.authority).signatories
        for role_id in row.missing:
            person = signatories.for_role(role_id)
            rows.append(
                ChaseRow(
                    mou=row.mou,
                    authority=row.authority,
                    authority_name=row.authority_name,
                    role=role_id,
                    role_title=role(role_id).title,
                    name=person.name or "",
                    email=person.email or "",
                )
            )
    return rows


def write_chase_csv(rows: list[ChaseRow], out: TextIO) -> None:
    """Write ``rows`` as RFC 4180 CSV (header row, CRLF line ends, quoting where needed,
    formula-like cells neutralised)."""
    write_rows(out, [CHASE_COLUMNS, *(map(str, astuple(r)) for r in rows)])

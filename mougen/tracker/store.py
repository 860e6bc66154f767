"""The tracker: the database index of versions, issued PDFs, signatures and the event log."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar

from sqlalchemy import Engine, MetaData, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mougen.clock import Clock, wall_clock
from mougen.errors import MougenError
from mougen.printable import is_safe, printable
from mougen.tracker.chain import check_chain, event_hash
from mougen.tracker.create import create_if_empty
from mougen.tracker.database import database_errors, is_read_only, make_engine, writer
from mougen.tracker.records import (
    EventRecord,
    IssueRecord,
    MailReceipt,
    ReceivedRecord,
    SignatureFacts,
    SignatureRecord,
    VersionRecord,
)
from mougen.tracker.revision import HEAD, current_revision
from mougen.tracker.schema import (
    HEAD_ID,
    Base,
    ChainHeadRow,
    EventRow,
    IssuedPdfRow,
    MailReceiptRow,
    MouVersionRow,
    SignatureRow,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


class Tracker:
    """An open tracker database. Every change is one transaction that also appends its event."""

    def __init__(self, engine: Engine, url: str, clock: Clock = wall_clock):
        self._engine = engine
        self._writer = writer(engine)
        self._url = url
        self._clock = clock

    @classmethod
    def open(
        cls,
        url: str,
        *,
        readonly: bool = False,
        clock: Clock = wall_clock,
        tables: Callable[[], MetaData] | None = None,
    ) -> Self:
        """Open the tracker at an SQLAlchemy URL, creating or upgrading its schema.

        A reader passes ``readonly``: a missing SQLite file is then read as an empty
        tracker instead of being created. An SQLite file this process may not write is
        read as it stands (and must already be at this mougen's schema). ``clock`` gives
        the time each event is logged at. ``tables``, which gives the metadata of every table
        (:func:`mougen.round.schema.every_table`), lets a new database be made from the
        models rather than by replaying the migrations (see :mod:`mougen.tracker.create`);
        it is called only for a new database.
        """
        with database_errors(url):
            engine = make_engine(url, readonly=readonly)
            try:
                _bring_up_to_date(engine, url, tables)
            except Exception:
                engine.dispose()
                raise
        return cls(engine, url, clock)

    @property
    def clock(self) -> Clock:
        """The clock this tracker logs events at; the round and remote code read the time
        from it too, so one clock (fixed in tests) serves a whole service."""
        return self._clock

    def now(self) -> datetime:
        """The time now, on this tracker's clock."""
        return self._clock()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- recording -------------------------------------------------------------------------

    def sync_versions(self, versions: Iterable[VersionRecord]) -> None:
        """Record each MoU version (see :func:`~mougen.tracker.versions.catalog_versions`); a
        new or changed one appends a ``version`` event."""
        with self._writing() as session:
            self._sync_versions(session, versions)

    def record_issues(
        self, versions: Iterable[VersionRecord], issues: Iterable[IssueRecord]
    ) -> int:
        """Sync the versions and record each issued PDF, all in one transaction.

        Returns how many PDFs were new; a hash already known is left as it is.
        """
        issues = list(issues)
        with self._writing() as session:
            self._sync_versions(session, versions)
            # One query for the hashes already known, rather than a savepoint per PDF (a
            # round's 103 PDFs took 0.2 s): every writer holds the chain head, so none can
            # add a hash between this query and the inserts.
            hashes = {i.pdf_sha256 for i in issues}
            known = set(
                session.scalars(
                    select(IssuedPdfRow.pdf_sha256).where(IssuedPdfRow.pdf_sha256.in_(hashes))
                )
            )
            new = 0
            for issue in issues:
                if issue.pdf_sha256 in known:
                    continue
                known.add(issue.pdf_sha256)
                row = IssuedPdfRow(**asdict(issue))
                session.add(row)
                subject = f"{issue.mou}/{issue.authority}"
                _append(session, "issued", subject, _columns(row), self._clock())
                new += 1
            return new

    def record_issue(
        self,
        *,
        mou: str,
        authority: str,
        pdf_sha256: str,
        issued_at: datetime,
        issued_by: str,
        manifest: str,
    ) -> bool:
        """Record an issued PDF; False (and no change) if its hash is already known."""
        row = IssuedPdfRow(
            mou=mou,
            authority=authority,
            pdf_sha256=pdf_sha256,
            issued_at=issued_at,
            issued_by=issued_by,
            manifest=manifest,
        )
        return self._record_new(row, "issued", f"{mou}/{authority}")

    def record_signature(self, facts: SignatureFacts) -> bool:
        """Record a signature; False (and no change) if its CMS hash is already known."""
        with self._writing() as session:
            return self.add_signature(session, facts)

    def add_signature(self, session: Session, facts: SignatureFacts) -> bool:
        """:meth:`record_signature` inside :meth:`transaction`, with the caller's other changes."""
        row = SignatureRow(**asdict(facts), recorded_at=self._clock())
        return _insert_new(
            session, row, "signed", f"{facts.mou}/{facts.authority}/{facts.role}", self._clock()
        )

    def signed_roles(self, session: Session, mou: str, authority: str) -> set[str]:
        """The roles of an authority's MoU with a signature recorded, inside a transaction."""
        query = select(SignatureRow.role).where(
            SignatureRow.mou == mou, SignatureRow.authority == authority
        )
        return set(session.scalars(query))

    def record_receipt(self, receipt: MailReceipt) -> bool:
        """Record a part of a mailed message (a ``mailed`` event naming the sender, date and
        Message-ID); False (and no change) if that part of that message is already known."""
        row = MailReceiptRow(**asdict(receipt), received_at=self._clock())
        subject = f"{receipt.mailbox}/{receipt.uidvalidity}/{receipt.uid}"
        return self._record_new(row, "mailed", subject)

    def record_extension(
        self, *, mou: str, authority: str, from_sha256: str, archive_path: str, file_sha256: str
    ) -> int:
        """Record that an archived file was extended into a new version: its signatures now
        point at the new file, and an ``extended`` event holds the lineage. Returns how many
        signatures moved."""
        with self._writing() as session:
            rows = session.scalars(
                select(SignatureRow).where(SignatureRow.file_sha256 == from_sha256)
            ).all()
            for row in rows:
                row.archive_path, row.file_sha256 = archive_path, file_sha256
            detail = {
                "from_sha256": from_sha256,
                "file_sha256": file_sha256,
                "archive_path": archive_path,
                "signatures": sorted(row.signature_sha256 for row in rows),
            }
            _append(session, "extended", f"{mou}/{authority}", detail, self._clock())
        return len(rows)

    def record_event(self, kind: str, subject: str, detail: dict[str, Any]) -> None:
        """Append an event that no table records, such as a certificate issued or revoked."""
        with self._writing() as session:
            self.log_event(session, kind, subject, detail)

    # -- reading ---------------------------------------------------------------------------

    def versions(self) -> list[VersionRecord]:
        """Every MoU version recorded, by id."""
        return self._all(select(MouVersionRow).order_by(MouVersionRow.id), VersionRecord)

    def find_issue(self, pdf_sha256: str) -> IssueRecord | None:
        """The issued PDF with this SHA-256, if one was recorded."""
        with self._reading() as session:
            row = session.get(IssuedPdfRow, pdf_sha256)
            return _to_record(row, IssueRecord) if row is not None else None

    def issues(self, mou: str | None = None) -> list[IssueRecord]:
        """Issued PDFs (of one MoU version, or all), by MoU, authority and time."""
        query = select(IssuedPdfRow).order_by(
            IssuedPdfRow.mou, IssuedPdfRow.authority, IssuedPdfRow.issued_at
        )
        if mou is not None:
            query = query.where(IssuedPdfRow.mou == mou)
        return self._all(query, IssueRecord)

    def signatures(self, mou: str | None = None) -> list[SignatureRecord]:
        """Signatures (of one MoU version, or all), by MoU, authority, role and time recorded."""
        query = select(SignatureRow).order_by(
            SignatureRow.mou, SignatureRow.authority, SignatureRow.role, SignatureRow.recorded_at
        )
        if mou is not None:
            query = query.where(SignatureRow.mou == mou)
        return self._all(query, SignatureRecord)

    def receipts(self, mailbox: str | None = None) -> list[ReceivedRecord]:
        """The parts of mailed messages recorded (from one mailbox, or all), oldest first."""
        query = select(MailReceiptRow).order_by(MailReceiptRow.received_at, MailReceiptRow.uid)
        if mailbox is not None:
            query = query.where(MailReceiptRow.mailbox == mailbox)
        return self._all(query, ReceivedRecord)

    def events(self, limit: int | None = None) -> list[EventRecord]:
        """The event log (or its newest ``limit`` events), newest last."""
        newest_first = select(EventRow).order_by(EventRow.id.desc()).limit(limit)
        return self._all(newest_first, EventRecord)[::-1]

    def verify_log(self) -> list[str]:
        """Problems in the event hash chain, each naming an event; empty if it is intact."""
        with self._reading() as session:
            # A share lock holds writers off, so the log read next ends at this head.
            head = session.get(ChainHeadRow, HEAD_ID, with_for_update={"read": True})
            rows = session.scalars(select(EventRow).order_by(EventRow.id))
            return check_chain(
                (_to_record(row, EventRecord) for row in rows),
                (head.event_id, head.hash) if head is not None else None,
            )

    # -- other modules' tables --------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction, holding the chain head, for tables other modules keep here.

        Log each change in it with :meth:`log_event`, so the change and its event commit together.
        """
        with self._writing() as session:
            yield session

    def log_event(self, session: Session, kind: str, subject: str, detail: dict[str, Any]) -> None:
        """Append an event to the chain inside :meth:`transaction`, at the tracker's clock."""
        _append(session, kind, subject, detail, self._clock())

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session, for tables other modules keep here."""
        with self._reading() as session:
            yield session

    # -- internals -------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with database_errors(self._url), Session(self._engine) as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction that holds the chain head, so writers append one at a time."""
        with database_errors(self._url), Session(self._writer) as session, session.begin():
            # On SQLite BEGIN IMMEDIATE has already queued us; elsewhere the row lock does.
            session.get_one(ChainHeadRow, HEAD_ID, with_for_update=True)
            yield session

    def _sync_versions(self, session: Session, versions: Iterable[VersionRecord]) -> None:
        for version in sorted(versions, key=lambda v: v.id):
            wanted = MouVersionRow(**asdict(version))
            changed = _merge(session, wanted)
            if changed:
                detail = {**_columns(wanted), "changed": changed}
                _append(session, "version", version.id, detail, self._clock())

    def _record_new(self, row: Base, kind: str, subject: str) -> bool:
        with self._writing() as session:
            return _insert_new(session, row, kind, subject, self._clock())

    def _all(self, query: Any, record: type[R]) -> list[R]:
        with self._reading() as session:
            return [_to_record(row, record) for row in session.scalars(query)]


def _bring_up_to_date(engine: Engine, url: str, tables: Callable[[], MetaData] | None) -> None:
    current = current_revision(engine)
    if current == HEAD:
        return
    if is_read_only(engine):
        raise MougenError(
            f"tracker database {url} is read-only and at schema {current or '(empty)'},"
            f" not {HEAD}: run `mougen tracker upgrade` where it can be written"
        )
    if current is None and tables is not None and create_if_empty(engine, tables()):
        return
    from mougen.tracker import migrate  # Alembic is loaded only when there is work for it

    migrate.upgrade(engine)


def _append(
    session: Session, kind: str, subject: str, detail: dict[str, Any], at: datetime
) -> None:
    """Add the next event after the chain head (which the caller holds) and move the head."""
    head = session.get_one(ChainHeadRow, HEAD_ID)
    # Hash exactly what the database will give back: JSON-native values only, with any
    # line break or control character from outside (a login name, say) escaped.
    detail = _escaped(json.loads(json.dumps(detail, default=_iso)))
    subject, kind = _escaped(subject), _escaped(kind)
    event_id = head.event_id + 1
    digest = event_hash(event_id, at, kind, subject, detail, head.hash)
    session.add(
        EventRow(
            id=event_id,
            at=at,
            kind=kind,
            subject=subject,
            detail=detail,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    head.event_id, head.hash = event_id, digest


def _insert_new(session: Session, row: Base, kind: str, subject: str, at: datetime) -> bool:
    """Add ``row`` and its event, unless a row with its key is there (then False, no change)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if _stored(session, row):
            return False
        raise  # some other constraint: a bug, not a duplicate
    _append(session, kind, subject, _columns(row), at)
    return True


def _escaped(value: Any) -> Any:
    """``value`` with every string that holds an unsafe character escaped (see printable)."""
    if isinstance(value, str):
        return value if is_safe(value) else printable(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _stored(session: Session, row: Base) -> bool:
    """Whether a row with this row's primary key is already in the database."""
    key = inspect(type(row)).primary_key_from_instance(row)
    return session.get(type(row), key) is not None


def _merge(session: Session, wanted: MouVersionRow) -> list[str]:
    """Insert or update a version row; the names of the columns that changed."""
    current = session.get(MouVersionRow, wanted.id)
    if current is None:
        session.add(wanted)
        return sorted(_columns(wanted))
    changed = [name for name, value in _columns(wanted).items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, getattr(wanted, name))
    return changed


def _columns(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _to_record(row: Base, record: type[R]) -> R:
    return record(**{f.name: getattr(row, f.name) for f in fields(record)})


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an event")

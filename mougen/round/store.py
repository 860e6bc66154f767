"""The web service's data in the tracker database; every change is one audited transaction."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import delete, func, select

from mougen.round.passwords import hash_password, password_matches
from mougen.round.records import Actor, Email, Link, Round, Upload
from mougen.round.tables import EmailRow, LinkRow, LoginAttemptRow, RoundRow, UploadRow, UserRow
from mougen.round.tokens import new_token, same_hash, token_hash
from mougen.tracker import Tracker

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

#: Failed passwords in a row before an account locks, and for how long.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
#: Login attempts one address may make in a window, across all workers.
ATTEMPTS_PER_WINDOW = 20
ATTEMPT_WINDOW = timedelta(minutes=5)


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: Any, record: type[R]) -> R:
    return record(**{f.name: getattr(row, f.name) for f in fields(record)})


class RoundStore:
    """Accounts, links, emails, uploads and rounds, kept beside the tracker's own tables."""

    def __init__(self, tracker: Tracker):
        self.tracker = tracker

    # -- accounts --------------------------------------------------------------------------

    def add_user(self, name: str, password: str, actor: Actor) -> bool:
        """Make a coordinator account, or set a new password; True if the account is new."""
        digest = hash_password(password)
        with self.tracker.transaction() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            new = row is None
            if row is None:
                s.add(UserRow(name=name, password_hash=digest, failed_logins=0, created_at=_now()))
            else:
                row.password_hash, row.failed_logins, row.locked_until = digest, 0, None
            self.tracker.log_event(s, "user-added" if new else "password-set", name, actor.detail())
        return new

    def login(self, name: str, password: str, address: str | None) -> str:
        """Check a login: ``ok``, ``wrong``, ``locked`` or ``throttled``; each is logged."""
        # The hash is checked outside the write transaction, which other writers wait for.
        with self.tracker.reading() as s:
            stored = s.scalar(select(UserRow.password_hash).where(UserRow.name == name))
        matches = password_matches(stored, password)
        now = _now()
        with self.tracker.transaction() as s:
            s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < now - ATTEMPT_WINDOW))
            recent = s.execute(
                select(func.count()).where(LoginAttemptRow.address == (address or "-"))
            ).scalar_one()
            s.add(LoginAttemptRow(address=address or "-", at=now))
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if recent >= ATTEMPTS_PER_WINDOW:
                outcome = "throttled"
            elif row is not None and row.locked_until and row.locked_until > now:
                outcome = "locked"
            elif matches and row is not None and row.password_hash == stored:
                row.failed_logins, row.locked_until = 0, None
                outcome = "ok"
            else:
                outcome = "wrong"
                if row is not None:
                    row.failed_logins += 1
                    if row.failed_logins >= LOCK_AFTER:
                        row.locked_until, row.failed_logins = now + LOCK_FOR, 0
                        outcome = "locked"
            self.tracker.log_event(s, f"login-{outcome}", name, {"by": name, "address": address})
        return outcome

    def log(self, kind: str, subject: str, actor: Actor, **detail: Any) -> None:
        """Record an action that changes nothing else (a download, a verification...)."""
        with self.tracker.transaction() as s:
            self.tracker.log_event(s, kind, subject, {**actor.detail(), **detail})

    # -- links -----------------------------------------------------------------------------

    def new_link(
        self,
        mou: str,
        authority: str,
        role: str,
        document: str,
        email: str,
        days: int,
        actor: Actor,
    ) -> tuple[str, Link]:
        """A new link for one signatory; any earlier unused link of theirs is revoked."""
        token, now = new_token(), _now()
        with self.tracker.transaction() as s:
            self._revoke_open(s, mou, authority, role, now)
            row = LinkRow(
                token_sha256=token_hash(token),
                mou=mou,
                authority=authority,
                role=role,
                document_sha256=document,
                email=email,
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
            s.add(row)
            s.flush()
            link = _record(row, Link)
            self.tracker.log_event(
                s, "link-created", _subject(link), {**actor.detail(), "link": link.id}
            )
        return token, link

    def find_link(self, token: str) -> Link | None:
        """The usable link with this token; None for an unknown, used, expired or revoked one."""
        digest = token_hash(token)
        with self.tracker.reading() as s:
            row = s.scalar(select(LinkRow).where(LinkRow.token_sha256 == digest))
            if row is None or not same_hash(row.token_sha256, token):
                return None
            link = _record(row, Link)
        return link if link.usable(_now()) else None

    def link(self, link_id: int) -> Link | None:
        with self.tracker.reading() as s:
            row = s.get(LinkRow, link_id)
            return _record(row, Link) if row is not None else None

    def links(self, mou: str, authority: str | None = None) -> list[Link]:
        """The links of a round (or one authority in it), oldest first."""
        query = select(LinkRow).where(LinkRow.mou == mou).order_by(LinkRow.id)
        if authority is not None:
            query = query.where(LinkRow.authority == authority)
        with self.tracker.reading() as s:
            return [_record(row, Link) for row in s.scalars(query)]

    def revoke(self, link_id: int, actor: Actor) -> Link | None:
        """Revoke one link; the link, or None if it is unknown or already closed."""
        with self.tracker.transaction() as s:
            row = s.get(LinkRow, link_id, with_for_update=True)
            if row is None or row.revoked_at or row.accepted_at:
                return None
            row.revoked_at = _now()
            link = _record(row, Link)
            self.tracker.log_event(
                s, "link-revoked", _subject(link), {**actor.detail(), "link": link.id}
            )
        return link

    def accept(self, link_id: int, file_sha256: str, actor: Actor) -> bool:
        """Mark a link used by an accepted file; False if another upload got there first."""
        with self.tracker.transaction() as s:
            row = s.get(LinkRow, link_id, with_for_update=True)
            if row is None or row.accepted_at is not None:
                return False
            row.accepted_at = _now()
            detail = {**actor.detail(), "link": link_id, "file_sha256": file_sha256}
            self.tracker.log_event(s, "link-used", _subject(_record(row, Link)), detail)
        return True

    def _revoke_open(self, s, mou: str, authority: str, role: str, now: datetime) -> None:
        query = select(LinkRow).where(
            LinkRow.mou == mou,
            LinkRow.authority == authority,
            LinkRow.role == role,
            LinkRow.revoked_at.is_(None),
            LinkRow.accepted_at.is_(None),
        )
        for row in s.scalars(query):
            row.revoked_at = now

    # -- emails and uploads ----------------------------------------------------------------

    def record_email(self, email: dict[str, Any], actor: Actor) -> None:
        """Record one email sent (``EmailRow`` columns but ``id`` and ``sent_at``)."""
        with self.tracker.transaction() as s:
            s.add(EmailRow(sent_at=_now(), **email))
            subject = "/".join(x for x in (email["mou"], email["authority"]) if x) or "-"
            self.tracker.log_event(s, "email-sent", subject, {**actor.detail(), **email})

    def emails(self) -> list[Email]:
        with self.tracker.reading() as s:
            return [_record(r, Email) for r in s.scalars(select(EmailRow).order_by(EmailRow.id))]

    def record_upload(self, upload: dict[str, Any], actor: Actor) -> None:
        """Record an upload's outcome (``UploadRow`` columns but ``id``, ``at``, ``by``...)."""
        with self.tracker.transaction() as s:
            s.add(UploadRow(at=_now(), by=actor.who, address=actor.address, **upload))
            kind = "upload-accepted" if upload["accepted"] else "upload-rejected"
            subject = "/".join(x for x in (upload["mou"], upload["authority"]) if x) or "-"
            self.tracker.log_event(s, kind, subject, {**actor.detail(), **upload})

    def uploads(self, mou: str | None = None, *, rejected_only: bool = False) -> list[Upload]:
        query = select(UploadRow).order_by(UploadRow.id.desc())
        if mou is not None:
            query = query.where(UploadRow.mou == mou)
        if rejected_only:
            query = query.where(UploadRow.accepted.is_(False))
        with self.tracker.reading() as s:
            return [_record(r, Upload) for r in s.scalars(query)]

    # -- rounds ----------------------------------------------------------------------------

    def round(self, mou: str) -> Round:
        with self.tracker.reading() as s:
            row = s.get(RoundRow, mou)
            return Round(mou, row.return_by if row else None)

    def set_return_by(self, mou: str, when: date | None, actor: Actor) -> None:
        with self.tracker.transaction() as s:
            row = s.get(RoundRow, mou)
            if row is None:
                s.add(RoundRow(mou=mou, return_by=when))
            else:
                row.return_by = when
            detail = {**actor.detail(), "return_by": when.isoformat() if when else None}
            self.tracker.log_event(s, "round-return-by", mou, detail)


def _subject(link: Link) -> str:
    return f"{link.mou}/{link.authority}/{link.role}"

"""The web service's data in the tracker database; every change is one audited transaction."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mougen.errors import MougenError, UnknownItem
from mougen.round import due
from mougen.round.passwords import hash_password, password_matches
from mougen.round.records import (
    Account,
    Actor,
    Email,
    Link,
    Login,
    NewEmail,
    NewUpload,
    Round,
    Upload,
    audit_subject,
)
from mougen.round.tables import (
    CountRow,
    EmailRow,
    HitRow,
    LinkRow,
    LoginFailureRow,
    UploadRow,
    UserRow,
)
from mougen.round.tokens import new_nonce, same_hash, token_hash
from mougen.tracker import Tracker

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

#: Wrong passwords one address may give for one name before it must wait; the wait starts
#: at BACK_OFF and doubles with each further one, up to MAX_BACK_OFF.
FREE_FAILURES = 4
BACK_OFF = timedelta(seconds=30)
MAX_BACK_OFF = timedelta(minutes=15)
#: A name and address pair that has not failed for this long starts again.
FORGET_AFTER = timedelta(days=1)
#: Login attempts one address may make in a window, across all workers.
ATTEMPTS_PER_WINDOW = 20
ATTEMPT_WINDOW = timedelta(minutes=5)


class Keep:
    """The regions argument that keeps an account's scope as it is."""


KEEP = Keep()


def _record(row: Any, record: type[R]) -> R:
    return record(**{f.name: getattr(row, f.name) for f in fields(record)})


class RoundStore:
    """Accounts, links, emails, uploads and rounds, kept beside the tracker's own tables."""

    def __init__(self, tracker: Tracker):
        self.tracker = tracker

    # -- accounts --------------------------------------------------------------------------

    def add_user(
        self, name: str, password: str, actor: Actor, regions: tuple[str, ...] | Keep | None = KEEP
    ) -> bool:
        """Make a coordinator account, or set a new password (which ends its sessions); True if
        the account is new. ``regions`` None makes an administrator; ``KEEP`` keeps the scope
        of an existing account (a new one must be given one)."""
        digest = hash_password(password)
        with self.tracker.transaction() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            new = row is None
            if row is None:
                if isinstance(regions, Keep):
                    raise MougenError(f"user {name}: give --region R (or --admin for every region)")
                row = UserRow(
                    name=name,
                    session_generation=0,
                    session_nonce=new_nonce(),
                    created_at=self.tracker.now(),
                )
                s.add(row)
            else:
                row.session_generation += 1
            row.password_hash = digest
            if not isinstance(regions, Keep):
                row.regions = ",".join(regions) if regions is not None else None
            detail = {**actor.detail(), "regions": "all" if row.regions is None else row.regions}
            self.tracker.log_event(s, "user-added" if new else "password-set", name, detail)
        return new

    def scope_user(self, name: str, regions: tuple[str, ...] | None, actor: Actor) -> None:
        """Give an existing account ``regions`` (None: every region); its sessions end, so
        none goes on with the old scope. ``UnknownItem`` if there is no such account."""
        with self.tracker.transaction() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                raise UnknownItem(f"no user {name!r}")
            row.regions = ",".join(regions) if regions is not None else None
            row.session_generation += 1
            detail = {**actor.detail(), "regions": "all" if row.regions is None else row.regions}
            self.tracker.log_event(s, "user-scoped", name, detail)

    def remove_user(self, name: str, actor: Actor) -> None:
        """Remove an account; its sessions end with it. ``UnknownItem`` if there is none."""
        with self.tracker.transaction() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                raise UnknownItem(f"no user {name!r}")
            s.delete(row)
            self.tracker.log_event(s, "user-removed", name, actor.detail())

    def users(self) -> list[Account]:
        """Every coordinator account, by name."""
        with self.tracker.reading() as s:
            return [_account(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def account(self, user_id: int) -> Account | None:
        """The account with this id, as it is now (None once removed)."""
        with self.tracker.reading() as s:
            row = s.get(UserRow, user_id)
            return _account(row) if row is not None else None

    def end_sessions(self, user_id: int, actor: Actor) -> None:
        """Sign the account out everywhere (its session generation moves on)."""
        with self.tracker.transaction() as s:
            row = s.get(UserRow, user_id, with_for_update=True)
            if row is not None:
                row.session_generation += 1
                self.tracker.log_event(s, "logout", row.name, actor.detail())

    def login(self, name: str, password: str, address: str | None) -> Login:
        """Check a login (``ok``, ``wrong``, ``blocked`` or ``throttled``, each logged).

        Wrong passwords block only the pair of name and address that made them, for a time
        that doubles with each one past :data:`FREE_FAILURES`, so an attacker elsewhere cannot
        lock the owner out. Unknown names are treated exactly as known ones.
        """
        # The hash is checked outside the write transaction, which other writers wait for.
        with self.tracker.reading() as s:
            stored = s.scalar(select(UserRow.password_hash).where(UserRow.name == name))
        matches = password_matches(stored, password)
        now, where = self.tracker.now(), address or "-"
        with self.tracker.transaction() as s:
            throttled = self._too_many(s, "login", where, ATTEMPTS_PER_WINDOW, now)
            pair = s.get(LoginFailureRow, (name, where), with_for_update=True)
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            account = None
            if throttled:
                outcome = "throttled"
            elif pair is not None and pair.blocked_until and pair.blocked_until > now:
                outcome = "blocked"
            elif matches and row is not None and row.password_hash == stored:
                outcome, account = "ok", _account(row)
                if pair is not None:
                    s.delete(pair)
            else:
                outcome = "wrong"
                self._failed(s, pair, name, where, now)
            self.tracker.log_event(s, f"login-{outcome}", name, {"by": name, "address": address})
        return Login(outcome, account)

    @staticmethod
    def _failed(
        s: Session, pair: LoginFailureRow | None, name: str, where: str, now: datetime
    ) -> None:
        if pair is None:
            pair = LoginFailureRow(name=name, address=where, failures=0, last_at=now)
            s.add(pair)
        pair.failures += 1
        pair.last_at = now
        over = pair.failures - FREE_FAILURES
        if over >= 0:
            pair.blocked_until = now + min(BACK_OFF * 2**over, MAX_BACK_OFF)

    def _too_many(self, s: Session, purpose: str, address: str, limit: int, now: datetime) -> bool:
        """Count this request from ``address`` to ``purpose``; True if it is over ``limit``
        in the last :data:`ATTEMPT_WINDOW` (counted across workers, inside ``s``)."""
        s.execute(delete(HitRow).where(HitRow.at < now - ATTEMPT_WINDOW))
        s.execute(delete(LoginFailureRow).where(LoginFailureRow.last_at < now - FORGET_AFTER))
        recent = s.execute(
            select(func.count()).where(HitRow.purpose == purpose, HitRow.address == address)
        ).scalar_one()
        s.add(HitRow(purpose=purpose, address=address, at=now))
        return recent >= limit

    def allow(self, purpose: str, address: str | None, limit: int) -> bool:
        """Whether ``address`` may make one more ``purpose`` request in this window."""
        with self.tracker.transaction() as s:
            return not self._too_many(s, purpose, address or "-", limit, self.tracker.now())

    def count(self, name: str, day: date) -> None:
        """Add one to today's count of ``name`` (inside the writers' lock: none lost)."""
        with self.tracker.transaction() as s:
            row = s.get(CountRow, (name, day))
            if row is None:
                s.add(CountRow(name=name, day=day, count=1))
            else:
                row.count += 1

    def counts(self, name: str) -> dict[date, int]:
        """The daily counts of ``name``."""
        with self.tracker.reading() as s:
            rows = s.scalars(select(CountRow).where(CountRow.name == name))
            return {r.day: r.count for r in rows}

    def log(self, kind: str, subject: str, actor: Actor, **detail: Any) -> None:
        """Record an action that changes nothing else (a download, a verification...)."""
        with self.tracker.transaction() as s:
            self.tracker.log_event(s, kind, subject, {**actor.detail(), **detail})

    # -- links -----------------------------------------------------------------------------

    def new_link(
        self,
        token: str,
        mou: str,
        authority: str,
        role: str,
        document: str,
        email: str,
        lifetime: tuple[datetime, datetime],
        actor: Actor,
    ) -> Link:
        """A new link for one signatory, valid from and until ``lifetime``; any earlier unused
        link of theirs is revoked."""
        now, expires = lifetime
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
                expires_at=expires,
            )
            s.add(row)
            s.flush()
            link = _record(row, Link)
            self.tracker.log_event(
                s, "link-created", _subject(link), {**actor.detail(), "link": link.id}
            )
        return link

    def find_link(self, token: str) -> Link | None:
        """The usable link with this token; None for an unknown, used, expired or revoked one."""
        digest = token_hash(token)
        with self.tracker.reading() as s:
            row = s.scalar(select(LinkRow).where(LinkRow.token_sha256 == digest))
            if row is None or not same_hash(row.token_sha256, token):
                return None
            link = _record(row, Link)
            # A role filled by any route (a coordinator upload, collect) closes its links.
            filled = link.role in self.tracker.signed_roles(s, link.mou, link.authority)
        return link if link.usable(self.tracker.now()) and not filled else None

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
            row.revoked_at = self.tracker.now()
            link = _record(row, Link)
            self.tracker.log_event(
                s, "link-revoked", _subject(link), {**actor.detail(), "link": link.id}
            )
        return link

    def _revoke_open(self, s: Session, mou: str, authority: str, role: str, now: datetime) -> None:
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

    def record_email(self, email: NewEmail, actor: Actor) -> None:
        """Record one email sent."""
        with self.tracker.transaction() as s:
            s.add(EmailRow(sent_at=self.tracker.now(), **email.to_json()))
            subject = audit_subject(email.mou, email.authority)
            self.tracker.log_event(s, "email-sent", subject, {**actor.detail(), **email.to_json()})

    def emails(self) -> list[Email]:
        with self.tracker.reading() as s:
            return [_record(r, Email) for r in s.scalars(select(EmailRow).order_by(EmailRow.id))]

    def record_upload(self, upload: NewUpload, actor: Actor) -> None:
        """Record an upload's outcome, by whom and from where."""
        with self.tracker.transaction() as s:
            s.add(
                UploadRow(
                    at=self.tracker.now(), by=actor.who, address=actor.address, **upload.to_json()
                )
            )
            kind = "upload-accepted" if upload.accepted else "upload-rejected"
            detail = {**actor.detail(), **upload.to_json()}
            self.tracker.log_event(s, kind, audit_subject(upload.mou, upload.authority), detail)

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
        return Round(mou, due.return_by(self.tracker, mou))

    def set_return_by(self, mou: str, when: date | None, actor: Actor) -> None:
        due.set_return_by(self.tracker, mou, when, actor)


def _account(row: UserRow) -> Account:
    # None: an administrator; "": no region yet (an account from before scopes existed).
    regions = None if row.regions is None else tuple(r for r in row.regions.split(",") if r)
    return Account(row.id, row.name, regions, row.session_generation, row.session_nonce or "")


def _subject(link: Link) -> str:
    return f"{link.mou}/{link.authority}/{link.role}"

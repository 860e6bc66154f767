"""The web service's tables in the tracker database (migrations ``0003_web`` and
``0005_web_scopes``, ``0007_session_nonce``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mougen.round.due import RoundRow as RoundRow  # every web table, with the one pack reads
from mougen.tracker.schema import SHA256, Base, UtcDateTime


class UserRow(Base):
    """A coordinator account: an argon2 hash, its regions, and its session generation."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    #: Region ids joined by commas; None for an administrator, who sees every region.
    regions: Mapped[str | None] = mapped_column(Text)
    #: Raised by logout, a password change and removal: every older session ends.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Random per account (migration 0007): a session carries it, so one made for a removed
    #: account is not valid for a new account that reuses its name and id.
    session_nonce: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginFailureRow(Base):
    """Wrong passwords for one name from one address, and how long that pair must wait.

    Kept for any name tried, known or not, so the answers cannot tell them apart.
    """

    __tablename__ = "web_login_failures"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HitRow(Base):
    """One request from an address to a rate-limited page (``purpose``), across workers."""

    __tablename__ = "web_hits"
    __table_args__ = (Index(None, "purpose", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class CountRow(Base):
    """A daily count of something not logged one by one (anonymous checks on ``/verify``)."""

    __tablename__ = "web_counts"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class LinkRow(Base):
    """A signatory's personal link: only the SHA-256 of its token is kept."""

    __tablename__ = "web_links"
    __table_args__ = (Index(None, "mou", "authority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(SHA256, unique=True)
    mou: Mapped[str] = mapped_column(String(64))
    authority: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    #: The PDF this signatory is to sign: the issued one, or the file the last signer returned.
    document_sha256: Mapped[str] = mapped_column(SHA256)
    email: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EmailRow(Base):
    """An email sent (through SMTP, or written to the outbox)."""

    __tablename__ = "web_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    mou: Mapped[str | None] = mapped_column(String(64))
    authority: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(Text)


class UploadRow(Base):
    """An upload and its outcome; a rejected one keeps only the reason, never the file."""

    __tablename__ = "web_uploads"
    __table_args__ = (Index(None, "mou", "authority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    mou: Mapped[str | None] = mapped_column(String(64))
    authority: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    file_sha256: Mapped[str] = mapped_column(SHA256)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))


class QueuedRow(Base):
    """An email the round owes (``invitation`` of ``role``, or ``completion``), queued in the
    transaction that made it due and sent, with retries, from here."""

    __tablename__ = "web_queue"
    __table_args__ = (Index(None, "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    mou: Mapped[str] = mapped_column(String(64))
    authority: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: A sender has it until then; after that (it crashed, say) another may take it.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

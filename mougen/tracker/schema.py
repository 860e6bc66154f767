"""The tracker's tables as SQLAlchemy declarative models (the migrations create them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, MetaData, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

SHA256 = String(64)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, PostgreSQL answers in the session's zone; the event
    hashes need the same instant spelled the same way on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the tracker stores aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base; constraint names are fixed so migrations can refer to them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class MouVersionRow(Base):
    """An MoU version: its dates, template fingerprint and successor."""

    __tablename__ = "mou_versions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    template_sha256: Mapped[str | None] = mapped_column(SHA256)
    commences: Mapped[str] = mapped_column(String(7))
    review_after: Mapped[str | None] = mapped_column(String(7))
    successor: Mapped[str | None] = mapped_column(String(64))


class IssuedPdfRow(Base):
    """A PDF issued for signature, keyed by its SHA-256."""

    __tablename__ = "issued_pdfs"
    __table_args__ = (Index(None, "mou", "authority"),)

    pdf_sha256: Mapped[str] = mapped_column(SHA256, primary_key=True)
    mou: Mapped[str] = mapped_column(String(64))
    authority: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(Text)
    manifest: Mapped[str] = mapped_column(Text)


class SignatureRow(Base):
    """A signature, keyed by the SHA-256 of its CMS blob so each is recorded once."""

    __tablename__ = "signatures"
    __table_args__ = (Index(None, "mou", "authority"),)

    signature_sha256: Mapped[str] = mapped_column(SHA256, primary_key=True)
    mou: Mapped[str] = mapped_column(String(64))
    authority: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    signer_name: Mapped[str | None] = mapped_column(Text)
    signer_email: Mapped[str | None] = mapped_column(Text)
    cert_sha256: Mapped[str] = mapped_column(SHA256)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    timestamp_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verdict: Mapped[str] = mapped_column(String(64))
    archive_path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(SHA256)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MailReceiptRow(Base):
    """One part of one message read from a collection mailbox, and what became of it.

    A message is known by its mailbox, UIDVALIDITY and UID; a part by the SHA-256 of its
    bytes (``-`` for the message as a whole: too large, or without a PDF). Re-reading a
    message after a crash finds its parts here, so nothing is reported or answered twice.
    """

    __tablename__ = "mail_receipts"
    __table_args__ = (Index(None, "part_sha256"),)

    mailbox: Mapped[str] = mapped_column(String(255), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    uid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    part_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    part_name: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(Text)
    sent: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(Text)
    accepted: Mapped[bool] = mapped_column(Boolean)
    mou: Mapped[str | None] = mapped_column(String(64))
    authority: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EventRow(Base):
    """One event of the append-only log; ids are consecutive so a gap shows a deletion."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(SHA256)
    hash: Mapped[str] = mapped_column(SHA256, unique=True)


class ChainHeadRow(Base):
    """The single row naming the newest event: writers lock it, and it exposes a cut-off tail."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(SHA256)


#: The primary key of the one chain_head row.
HEAD_ID = 1

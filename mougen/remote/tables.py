"""Remote signing's tables in the tracker database (created by migration ``0006_remote``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mougen.tracker.schema import SHA256, Base, UtcDateTime


class ActivationCodeRow(Base):
    """A signature activation code sent to a signatory: only its argon2 hash is kept.

    ``state`` is ``open`` (may be entered), ``locked`` (five wrong attempts), ``used``
    (accepted once) or ``replaced`` (a newer code was requested for the link).
    """

    __tablename__ = "remote_codes"
    __table_args__ = (Index(None, "link_sha256", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_sha256: Mapped[str] = mapped_column(SHA256)
    document_sha256: Mapped[str] = mapped_column(SHA256)
    field: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(Text)
    code_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))


class CodeRequestRow(Base):
    """One request for a code, by link and by address: the rate limits count these."""

    __tablename__ = "remote_code_requests"
    __table_args__ = (Index(None, "link_sha256", "at"), Index(None, "address", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_sha256: Mapped[str] = mapped_column(SHA256)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class RemoteSignatureRow(Base):
    """The one signature a link may make in its field, from claim to filing.

    The unique link and field make the claim atomic: a second confirmation finds it taken.
    ``pdf`` is kept from the token's signature until filing, so a retry files it and never
    signs again.
    """

    __tablename__ = "remote_signatures"
    __table_args__ = (UniqueConstraint("link_sha256", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_sha256: Mapped[str] = mapped_column(SHA256)
    document_sha256: Mapped[str] = mapped_column(SHA256)
    field: Mapped[str] = mapped_column(String(32))
    code_id: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(SHA256)
    signature_sha256: Mapped[str | None] = mapped_column(SHA256)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

"""A claimed remote signature, from the token's signature to its filing, safe across crashes.

The signed PDF is written to the database as soon as the token has signed, before anything
is filed: a worker killed after that leaves it for a retry to file, never to sign again. A
worker killed between the claim and that write leaves a claim without a PDF; once its lease
has run out a retry may sign it (the first signature never left the dead worker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, select, update
from sqlalchemy.orm import Session

from mougen.remote.tables import ActivationCodeRow, RemoteSignatureRow
from mougen.tracker import Tracker

#: How long a claim without a signed PDF belongs to the worker signing it.
SIGNING_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Release:
    """How a remote signature was released: the code's address and when it was sent."""

    email: str
    code_sent_at: datetime

    def describe(self) -> str:
        """The completion certificate's words for it."""
        return (
            "programme key held by this service, released by a code emailed to "
            f"{self.email} at {self.code_sent_at:%Y-%m-%d %H:%M} UTC"
        )


@dataclass(frozen=True)
class Claim:
    """A link's one signature: its row, and the signed PDF once the token has made it."""

    id: int
    link_sha256: str
    document_sha256: str
    field: str
    claimed_at: datetime
    pdf: bytes | None
    filed: bool


class Claims:
    """The ``remote_signatures`` rows, in the tracker's database."""

    def __init__(self, tracker: Tracker, clock: Callable[[], datetime] | None = None) -> None:
        self.tracker = tracker
        self._clock = clock or tracker.clock  # the tracker's, unless a test fixes one

    def get(self, claim_id: int) -> Claim:
        with self.tracker.reading() as s:
            return _claim(s.get_one(RemoteSignatureRow, claim_id))

    def for_link(self, link_sha256: str, field: str) -> Claim | None:
        """The claim of this link and field, if a code was ever accepted for it."""
        with self.tracker.reading() as s:
            row = s.scalar(
                select(RemoteSignatureRow).where(
                    RemoteSignatureRow.link_sha256 == link_sha256,
                    RemoteSignatureRow.field == field,
                )
            )
            return _claim(row) if row is not None else None

    def signed_pdf(self, link_sha256: str) -> bytes | None:
        """The PDF signed for this link, once the token has signed it."""
        query = select(RemoteSignatureRow.pdf).where(RemoteSignatureRow.link_sha256 == link_sha256)
        with self.tracker.reading() as s:
            return next((pdf for pdf in s.scalars(query) if pdf), None)

    def releases(self, signature_sha256s: Iterable[str]) -> dict[str, Release]:
        """How each of these signatures (by :func:`signature_sha256`) was released, for
        those made here remotely."""
        wanted = list(signature_sha256s)
        query = (
            select(RemoteSignatureRow.signature_sha256, ActivationCodeRow)
            .join(ActivationCodeRow, ActivationCodeRow.id == RemoteSignatureRow.code_id)
            .where(RemoteSignatureRow.signature_sha256.in_(wanted))
        )
        with self.tracker.reading() as s:
            return {
                str(sha): Release(code.email, code.created_at) for sha, code in s.execute(query)
            }

    def take_over(self, claim: Claim, subject: str) -> bool:
        """Take a claim with no signed PDF whose lease ran out; False if it is not free."""
        now = self._clock()
        with self.tracker.transaction() as s:
            taken = _changed(
                s,
                update(RemoteSignatureRow)
                .where(
                    RemoteSignatureRow.id == claim.id,
                    RemoteSignatureRow.pdf.is_(None),
                    RemoteSignatureRow.claimed_at < now - SIGNING_LEASE,
                )
                .values(claimed_at=now),
            )
            if taken:
                detail = {"document_sha256": claim.document_sha256, "field": claim.field}
                self.tracker.log_event(s, "remote-signing-resumed", subject, detail)
        return bool(taken)

    def store_signed(
        self, claim: Claim, pdf: bytes, pdf_sha256: str, signature_sha256: str, subject: str
    ) -> Claim:
        """Keep the signed PDF; if another worker stored one first, theirs is the claim's."""
        now = self._clock()
        with self.tracker.transaction() as s:
            stored = _changed(
                s,
                update(RemoteSignatureRow)
                .where(RemoteSignatureRow.id == claim.id, RemoteSignatureRow.pdf.is_(None))
                .values(
                    pdf=pdf, pdf_sha256=pdf_sha256, signature_sha256=signature_sha256, signed_at=now
                ),
            )
            if stored:
                detail = {
                    "document_sha256": claim.document_sha256,
                    "field": claim.field,
                    "pdf_sha256": pdf_sha256,
                    "signature_sha256": signature_sha256,
                }
                self.tracker.log_event(s, "remote-signed", subject, detail)
        return self.get(claim.id)

    def mark_filed(self, claim: Claim) -> Claim:
        """Record that the signed PDF went through acceptance (filing, the tracker)."""
        with self.tracker.transaction() as s:
            s.execute(
                update(RemoteSignatureRow)
                .where(RemoteSignatureRow.id == claim.id, RemoteSignatureRow.filed_at.is_(None))
                .values(filed_at=self._clock())
            )
        return self.get(claim.id)


def _changed(s: Session, statement: Update) -> int:
    """How many rows an UPDATE changed: the test that this worker won the race."""
    return cast(CursorResult[Any], s.execute(statement)).rowcount


def _claim(row: RemoteSignatureRow) -> Claim:
    return Claim(
        row.id,
        row.link_sha256,
        row.document_sha256,
        row.field,
        row.claimed_at,
        row.pdf,
        row.filed_at is not None,
    )

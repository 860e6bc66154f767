"""Signature activation codes: six digits emailed to a signatory, releasing one signature.

A code is bound to one link, one document hash and one field; it is stored only as an argon2
hash of all four, lasts ten minutes, is used once, and locks after five wrong attempts.
Requests are rate-limited per link and per address. An unknown, expired, used or replaced
code, or one for another link, document or field, is refused in the same words.

Accepting a code claims the link's one signature in the same transaction (a unique row per
link and field), so two confirmations at once give one claim whatever the database.
Every step is in the tracker's audit log; a code never is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mougen.errors import MougenError
from mougen.remote.tables import ActivationCodeRow, CodeRequestRow, RemoteSignatureRow
from mougen.tracker import Tracker

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
#: Codes a link, and an address, may ask for in a window, across all workers.
REQUESTS_PER_LINK = 3
REQUESTS_PER_ADDRESS = 10
REQUEST_WINDOW = timedelta(minutes=10)

# Lighter than a password hash (OWASP's argon2id minimum): a code lives ten minutes, and
# trying its million values against a stolen hash at ~20 ms each takes hours, not minutes.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


class Outcome(StrEnum):
    """What entering a code did."""

    ACCEPTED = "accepted"  # the signature is released: the claim is the caller's
    WRONG = "wrong"  # not the code; attempts remain
    LOCKED = "locked"  # five wrong attempts: request a new code
    REFUSED = "refused"  # no usable code (unknown, expired, used, replaced, another binding)


class TooManyRequests(MougenError):
    """A link or an address asked for more codes than the rate limit allows."""


@dataclass(frozen=True)
class CodeBinding:
    """What a code releases: the signature of ``field`` in the document with this hash,
    from the link whose token hashes to ``link_sha256``; ``subject`` names it in the log."""

    link_sha256: str
    document_sha256: str
    field: str
    subject: str


@dataclass(frozen=True)
class Client:
    """Who is at the other end, as the audit log records them."""

    address: str | None
    user_agent: str | None

    def detail(self) -> dict[str, Any]:
        return {"address": self.address, "user_agent": self.user_agent}


@dataclass(frozen=True)
class NewCode:
    """A code to email to ``email``; the code itself is kept out of ``repr``."""

    code: str = field(repr=False)
    email: str
    expires_at: datetime


@dataclass(frozen=True)
class Confirmation:
    """The outcome of entering a code; ``claim`` is the signature row's id when accepted."""

    outcome: Outcome
    attempts_left: int = 0
    claim: int | None = None


class ActivationCodes:
    """Requesting and confirming codes, in the tracker's database."""

    def __init__(self, tracker: Tracker, clock: Callable[[], datetime] | None = None) -> None:
        self.tracker = tracker
        self._clock = clock or tracker.clock  # the tracker's, unless a test fixes one

    def request(self, binding: CodeBinding, email: str, client: Client) -> NewCode:
        """A new code for ``binding``, replacing any earlier one; ``TooManyRequests`` over
        the limits, ``MougenError`` once the link has signed."""
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = _HASHER.hash(_message(binding, code))
        now = self._clock()
        with self.tracker.transaction() as s:
            refusal = _request_refusal(s, binding, client, now)
            if refusal is None:
                _replace_open_codes(s, binding.link_sha256)
                s.add(_code_row(binding, email, digest, now))
                s.add(
                    CodeRequestRow(
                        link_sha256=binding.link_sha256, address=_address(client), at=now
                    )
                )
            kind = "remote-code-sent" if refusal is None else "remote-code-not-sent"
            detail = {**_detail(binding), **client.detail(), "to": email, "refusal": refusal}
            self.tracker.log_event(s, kind, binding.subject, detail)
        if refusal == "signed":
            raise MougenError("this field has already been signed from this link")
        if refusal is not None:
            raise TooManyRequests("too many codes were asked for: wait a few minutes")
        return NewCode(code, email, now + CODE_LIFETIME)

    def confirm(self, binding: CodeBinding, code: str, client: Client) -> Confirmation:
        """Check ``code`` for ``binding``; on success the code is used and the signature claimed."""
        with self.tracker.reading() as s:
            row = _latest(s, binding.link_sha256)
            candidate = (row.id, row.code_hash) if row is not None else None
        # argon2 is checked outside the write transaction, which other writers wait for.
        matches = candidate is not None and _matches(candidate[1], binding, code.strip())
        now = self._clock()
        with self.tracker.transaction() as s:
            row = s.get(ActivationCodeRow, candidate[0]) if candidate else None
            result = _judge(s, row, binding, matches, now)
            detail = {**_detail(binding), **client.detail(), "outcome": result.outcome.value}
            kind = "remote-code-accepted" if result.claim else "remote-code-refused"
            self.tracker.log_event(s, kind, binding.subject, detail)
        return result


def _judge(
    s: Session, row: ActivationCodeRow | None, binding: CodeBinding, matches: bool, now: datetime
) -> Confirmation:
    """The outcome for the code ``row`` (read again inside the write transaction)."""
    if row is None or row.state == "locked":
        return Confirmation(Outcome.LOCKED if row is not None else Outcome.REFUSED)
    usable = row.state == "open" and row.expires_at > now and _bound(row, binding)
    if not usable:
        return Confirmation(Outcome.REFUSED)
    if not matches:
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "locked"
            return Confirmation(Outcome.LOCKED)
        return Confirmation(Outcome.WRONG, MAX_ATTEMPTS - row.attempts)
    row.state = "used"
    claim = RemoteSignatureRow(
        link_sha256=binding.link_sha256,
        document_sha256=binding.document_sha256,
        field=binding.field,
        code_id=row.id,
        claimed_at=now,
    )
    try:
        with s.begin_nested():
            s.add(claim)
    except IntegrityError:  # the link already signed with an earlier code
        return Confirmation(Outcome.REFUSED)
    return Confirmation(Outcome.ACCEPTED, claim=claim.id)


def _request_refusal(s: Session, binding: CodeBinding, client: Client, now: datetime) -> str | None:
    """Why no code may be sent now (``signed``, ``link``, ``address``), or None."""
    signed = select(RemoteSignatureRow.id).where(
        RemoteSignatureRow.link_sha256 == binding.link_sha256,
        RemoteSignatureRow.field == binding.field,
    )
    if s.scalar(signed) is not None:
        return "signed"
    since = now - REQUEST_WINDOW
    recent = select(func.count()).select_from(CodeRequestRow).where(CodeRequestRow.at > since)
    by_link = s.scalar(recent.where(CodeRequestRow.link_sha256 == binding.link_sha256))
    if (by_link or 0) >= REQUESTS_PER_LINK:
        return "link"
    by_address = s.scalar(recent.where(CodeRequestRow.address == _address(client)))
    return "address" if (by_address or 0) >= REQUESTS_PER_ADDRESS else None


def _replace_open_codes(s: Session, link_sha256: str) -> None:
    s.execute(
        update(ActivationCodeRow)
        .where(ActivationCodeRow.link_sha256 == link_sha256, ActivationCodeRow.state == "open")
        .values(state="replaced")
    )


def _code_row(binding: CodeBinding, email: str, digest: str, now: datetime) -> ActivationCodeRow:
    return ActivationCodeRow(
        link_sha256=binding.link_sha256,
        document_sha256=binding.document_sha256,
        field=binding.field,
        email=email,
        code_hash=digest,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        attempts=0,
        state="open",
    )


def _latest(s: Session, link_sha256: str) -> ActivationCodeRow | None:
    query = select(ActivationCodeRow).where(ActivationCodeRow.link_sha256 == link_sha256)
    return s.scalar(query.order_by(ActivationCodeRow.id.desc()).limit(1))


def _bound(row: ActivationCodeRow, binding: CodeBinding) -> bool:
    return (row.document_sha256, row.field) == (binding.document_sha256, binding.field)


def _message(binding: CodeBinding, code: str) -> str:
    """What is hashed: the code with everything it is bound to."""
    return f"{binding.link_sha256}:{binding.document_sha256}:{binding.field}:{code}"


def _matches(stored: str, binding: CodeBinding, code: str) -> bool:
    try:
        return _HASHER.verify(stored, _message(binding, code))
    except (VerificationError, InvalidHashError):
        return False


def _address(client: Client) -> str:
    return (client.address or "-")[:64]


def _detail(binding: CodeBinding) -> dict[str, Any]:
    return {"document_sha256": binding.document_sha256, "field": binding.field}

"""What the web store hands back: frozen records, never database rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Link:
    """A signatory's personal link (without its token, which is never stored)."""

    id: int
    mou: str
    authority: str
    role: str
    document_sha256: str
    email: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    accepted_at: datetime | None

    def usable(self, now: datetime) -> bool:
        """Not revoked, not yet used, not expired."""
        return self.revoked_at is None and self.accepted_at is None and now < self.expires_at


def audit_subject(mou: str | None, authority: str | None) -> str:
    """What an audit-log event is about: ``mou/authority``, or as much as is known."""
    return "/".join(x for x in (mou, authority) if x) or "-"


@dataclass(frozen=True)
class NewUpload:
    """What a new upload came to, as the round records it (who and when are added)."""

    mou: str | None
    authority: str | None
    role: str | None
    file_sha256: str
    accepted: bool
    reason: str | None

    def to_json(self) -> dict[str, str | bool | None]:
        return asdict(self)


@dataclass(frozen=True)
class NewEmail:
    """An email just sent, as the round records it (when is added)."""

    recipient: str
    subject: str
    kind: str
    mou: str | None
    authority: str | None
    via: str

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass(frozen=True)
class Upload(NewUpload):
    """An upload and what became of it, as recorded."""

    id: int
    at: datetime
    by: str
    address: str | None


@dataclass(frozen=True)
class Email(NewEmail):
    """An email as sent, as recorded."""

    id: int
    sent_at: datetime


@dataclass(frozen=True)
class Round:
    """A signing round's own settings."""

    mou: str
    return_by: date | None


@dataclass(frozen=True)
class Actor:
    """Who did something, and from which address: what every audit event names."""

    who: str
    address: str | None

    def detail(self) -> dict[str, str | None]:
        return {"by": self.who, "address": self.address}


@dataclass(frozen=True)
class Account:
    """A coordinator account: its regions (None: every region; empty: none yet), session
    generation and session nonce."""

    id: int
    name: str
    regions: tuple[str, ...] | None
    generation: int
    nonce: str

    def may_see(self, region: str) -> bool:
        """Whether this account may see and act on ``region``'s rounds."""
        return self.regions is None or region in self.regions

    @property
    def administrator(self) -> bool:
        return self.regions is None


@dataclass(frozen=True)
class Login:
    """What a login attempt came to: ``ok`` (with the account), ``wrong``, ``blocked`` or
    ``throttled``."""

    outcome: str
    account: Account | None


@dataclass(frozen=True)
class Queued:
    """An email the round owes: an ``invitation`` for ``role``, or the ``completion``."""

    id: int
    kind: str
    mou: str
    authority: str
    role: str | None
    attempts: int

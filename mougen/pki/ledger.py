"""A region CA's ledger: every certificate it issued and whether it was revoked.

Like OpenSSL's ``index.txt``, the ledger (``ca/<region>/ledger.json``) is the CA's own record;
the CRL is made from it. It is rewritten whole, atomically, after each change.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mougen.atomic import write_bytes
from mougen.errors import MougenError
from mougen.pki.binding import read_binding
from mougen.pki.ca import ca_dir
from mougen.workspace import Workspace


@dataclass(frozen=True)
class LedgerEntry:
    """One issued certificate: whom it binds, when it is valid, and its revocation."""

    serial: str  # hexadecimal, as OpenSSL prints it
    binding: str  # the urn:mougen URI
    subject: str
    not_before: str
    not_after: str
    cert_pem: str
    revoked_at: str | None = None
    reason: str | None = None
    #: The label of its key in the server's PKCS#11 token; None when the key is elsewhere.
    token_key: str | None = None

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem.encode())

    @property
    def expires(self) -> datetime:
        return datetime.fromisoformat(self.not_after)

    def status(self, now: datetime) -> str:
        """``revoked``, ``expired`` or ``valid`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires <= now else "valid"

    def to_json(self, now: datetime) -> dict:
        fields = {k: v for k, v in asdict(self).items() if k != "cert_pem"}
        return {**fields, "status": self.status(now)}


@dataclass(frozen=True)
class Ledger:
    """The certificates of one region CA, oldest first, and the last CRL number used."""

    entries: tuple[LedgerEntry, ...] = ()
    crl_number: int = 0

    def for_binding(self, uri: str) -> list[LedgerEntry]:
        return [e for e in self.entries if e.binding == uri]

    def with_entry(self, entry: LedgerEntry) -> Ledger:
        return replace(self, entries=(*self.entries, entry))

    def with_revoked(self, serial: str, at: datetime, reason: str) -> Ledger:
        entries = tuple(
            replace(e, revoked_at=at.isoformat(), reason=reason) if e.serial == serial else e
            for e in self.entries
        )
        return replace(self, entries=entries)

    def next_crl(self) -> Ledger:
        return replace(self, crl_number=self.crl_number + 1)


def ledger_path(ws: Workspace, region_id: str) -> Path:
    return ca_dir(ws, region_id) / "ledger.json"


def load_ledger(ws: Workspace, region_id: str) -> Ledger:
    """The region CA's ledger (empty if it has issued nothing yet)."""
    path = ledger_path(ws, region_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = tuple(LedgerEntry(**e) for e in data["certificates"])
        return Ledger(entries, int(data["crl_number"]))
    except FileNotFoundError:
        return Ledger()
    except OSError as exc:
        raise MougenError(f"cannot read the CA ledger ({exc.strerror})", path) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise MougenError(f"the CA ledger is damaged ({exc})", path) from None


def save_ledger(ws: Workspace, region_id: str, ledger: Ledger) -> None:
    data = {
        "crl_number": ledger.crl_number,
        "certificates": [asdict(e) for e in ledger.entries],
    }
    write_bytes(ledger_path(ws, region_id), json.dumps(data, indent=1).encode())


def entry_for(cert: x509.Certificate, token_key: str | None = None) -> LedgerEntry:
    """The ledger entry of a newly issued certificate (its key in the token as ``token_key``)."""
    der = cert.public_bytes(serialization.Encoding.DER)
    binding = read_binding(asn1_x509.Certificate.load(der))
    return LedgerEntry(
        serial=f"{cert.serial_number:X}",
        binding=binding.uri if binding else "",
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        token_key=token_key,
    )

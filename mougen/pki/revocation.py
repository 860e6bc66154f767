"""Issuing through the ledger, revoking, and the CRL a region CA publishes.

The current CRL is kept at ``ca/<region>/crl.der`` and remade whenever the ledger changes,
so signing can embed it (B-LT) without fetching anything; the coordinator publishes the
same file at the region's ``crl_url``, the distribution point its certificates name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mougen.atomic import write_bytes
from mougen.digest import sha256_hex
from mougen.errors import MougenError
from mougen.pki.binding import ProgrammeBinding
from mougen.pki.ca import RegionCa, ca_dir
from mougen.pki.issue import CertificateHolder, certificate_for
from mougen.pki.ledger import Ledger, LedgerEntry, entry_for, load_ledger, save_ledger
from mougen.pki.lookup import region_file
from mougen.workspace import Workspace

#: How long a CRL is current: the coordinator re-publishes it (``mougen ca crl``) within this.
CRL_VALIDITY = timedelta(days=30)

#: The revocation reasons ``ca revoke --reason`` accepts (RFC 5280, 5.3.1).
REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key-compromise": x509.ReasonFlags.key_compromise,
    "affiliation-changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation-of-operation": x509.ReasonFlags.cessation_of_operation,
}


@dataclass(frozen=True)
class Issuance:
    """A certificate issued through the ledger, and the ones it replaced (now revoked)."""

    cert: x509.Certificate
    entry: LedgerEntry
    replaced: tuple[LedgerEntry, ...]


@dataclass(frozen=True)
class Revoked:
    """The programme certificates a workspace's CAs have revoked: SHA-256 -> when."""

    at: Mapping[str, datetime] = field(default_factory=dict)

    def undermines(self, cert_sha256: str, proven_at: datetime | None) -> bool:
        """Whether a signature by that certificate no longer counts: it was revoked, and no
        trusted timestamp (``proven_at``) shows the signature existed before that."""
        revoked_at = self.at.get(cert_sha256)
        return revoked_at is not None and (proven_at is None or proven_at >= revoked_at)


#: No certificate revoked: outside a workspace, or before any revocation.
NONE_REVOKED = Revoked()


def revoked_certificates(ws: Workspace) -> Revoked:
    """Every certificate that a region CA of ``ws`` has revoked, from the CAs' ledgers."""
    if not ws.regions_dir.is_dir():
        return NONE_REVOKED
    regions = sorted({f.region.id for f in ws.catalog.files.values()})
    return Revoked(
        {
            sha256_hex(entry.certificate.public_bytes(serialization.Encoding.DER)): (
                datetime.fromisoformat(entry.revoked_at)
            )
            for region in regions
            for entry in load_ledger(ws, region).entries
            if entry.revoked_at is not None
        }
    )


def crl_path(ws: Workspace, region_id: str) -> Path:
    """The region CA's current CRL (DER)."""
    return ca_dir(ws, region_id) / "crl.der"


def workspace_crls(ws: Workspace) -> list[Path]:
    """The current CRL of every region CA in the workspace that has one."""
    if not ws.regions_dir.is_dir():
        return []
    regions = sorted({f.region.id for f in ws.catalog.files.values()})
    return [path for r in regions if (path := crl_path(ws, r)).is_file()]


def issue_recorded(
    ws: Workspace,
    ca: RegionCa,
    who: CertificateHolder,
    public_key: rsa.RSAPublicKey,
    *,
    when: datetime,
    replace: bool = False,
    token_key: str | None = None,
) -> Issuance:
    """Issue a certificate for ``who``'s ``public_key`` at ``when``, record it in the
    ledger (its key in the token as ``token_key``, if it is there) and remake the CRL.

    Refuses while the role's current certificate is still valid, unless ``replace``, which
    revokes it (superseded).
    """
    region_id = who.binding.region
    ledger = load_ledger(ws, region_id)
    current = _current(ledger, who.binding, when)
    if current and not replace:
        raise MougenError(
            f"{who.binding.describe()} already has a valid certificate (serial "
            f"{current[0].serial}, until {current[0].not_after[:10]}); give --replace to "
            "revoke it and issue a new one"
        )
    for old in current:
        ledger = ledger.with_revoked(old.serial, when, "superseded")
    crl_url = region_file(ws, region_id).region.crl_url
    cert = certificate_for(ca, who, public_key, crl_url, when)
    entry = entry_for(cert, token_key)
    ledger = ledger.with_entry(entry)
    _commit(ws, region_id, ca, ledger, when)
    return Issuance(cert, entry, tuple(current))


def current_certificates(
    ws: Workspace, binding: ProgrammeBinding, when: datetime
) -> list[LedgerEntry]:
    """The certificates of ``binding`` that are neither revoked nor expired at ``when``."""
    return _current(load_ledger(ws, binding.region), binding, when)


def revoke(
    ws: Workspace, ca: RegionCa, binding: ProgrammeBinding, reason: str, when: datetime
) -> tuple[LedgerEntry, ...]:
    """Revoke, at ``when``, every unrevoked, unexpired certificate of ``binding``; remakes
    the CRL."""
    if reason not in REASONS:
        raise MougenError(f"unknown reason {reason!r} (known: {', '.join(REASONS)})")
    ledger = load_ledger(ws, binding.region)
    current = _current(ledger, binding, when)
    if not current:
        raise MougenError(f"{binding.describe()} has no valid certificate to revoke")
    for entry in current:
        ledger = ledger.with_revoked(entry.serial, when, reason)
    _commit(ws, binding.region, ca, ledger, when)
    return tuple(current)


def publish_crl(ws: Workspace, ca: RegionCa, region_id: str, when: datetime) -> bytes:
    """Make a fresh CRL from the ledger as of ``when``, keep it as the current one, and
    return its DER."""
    return _commit(ws, region_id, ca, load_ledger(ws, region_id), when)


def _current(ledger: Ledger, binding: ProgrammeBinding, now: datetime) -> list[LedgerEntry]:
    return [e for e in ledger.for_binding(binding.uri) if e.status(now) == "valid"]


def _commit(ws: Workspace, region_id: str, ca: RegionCa, ledger: Ledger, now: datetime) -> bytes:
    """Save the ledger with a new CRL number and write the CRL made from it."""
    ledger = ledger.next_crl()
    der = _crl(ca, ledger, now).public_bytes(serialization.Encoding.DER)
    save_ledger(ws, region_id, ledger)
    write_bytes(crl_path(ws, region_id), der)
    return der


def _crl(ca: RegionCa, ledger: Ledger, now: datetime) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now - timedelta(minutes=1))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(ledger.crl_number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
    )
    for entry in ledger.entries:
        if entry.revoked_at is None:
            continue
        revoked = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(entry.serial, 16))
            .revocation_date(datetime.fromisoformat(entry.revoked_at))
            .add_extension(x509.CRLReason(REASONS[entry.reason or "unspecified"]), False)
            .build()
        )
        builder = builder.add_revoked_certificate(revoked)
    return builder.sign(ca.key, hashes.SHA256())

"""Programme credentials held in the server's token: a key made there per signatory, the
region CA's certificate for it, and both destroyed together when it is revoked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from asn1crypto import x509 as asn1_x509

from mougen.errors import MougenError, SigningError
from mougen.hsm import (
    TokenSettings,
    destroy_key,
    generate_key,
    new_label,
    store_certificate,
    token_session,
)
from mougen.pki import CertificateHolder, RegionCa
from mougen.pki.binding import ProgrammeBinding, read_binding
from mougen.pki.ledger import LedgerEntry, load_ledger
from mougen.pki.revocation import Issuance, current_certificates, issue_recorded, revoke
from mougen.workspace import Workspace

#: What a command says when it needs the token and ``web.toml`` names none.
NO_TOKEN = "no token is configured: add a [token] table to web.toml"


def enrol(
    ws: Workspace,
    ca: RegionCa,
    who: CertificateHolder,
    token: TokenSettings,
    *,
    when: datetime,
    replace: bool = False,
) -> Issuance:
    """Generate ``who``'s key inside the token and issue its certificate, at ``when``,
    through the ledger.

    With ``replace``, the role's current certificates are revoked and any keys of theirs in
    the token destroyed. Nothing is left in the token if issuing fails.
    """
    label = new_label(who.binding.uri)
    with token_session(token) as session:
        public_key = generate_key(session, label)
        try:
            done = issue_recorded(
                ws, ca, who, public_key, when=when, replace=replace, token_key=label
            )
        except BaseException:
            destroy_key(session, label)
            raise
        store_certificate(session, label, done.cert)
    destroy_keys(token, done.replaced)
    return done


def revoke_held(
    ws: Workspace,
    ca: RegionCa,
    binding: ProgrammeBinding,
    reason: str,
    token: TokenSettings | None,
    when: datetime,
) -> tuple[LedgerEntry, ...]:
    """Revoke ``binding``'s current certificates (remaking the CRL) and destroy any of their
    keys held in the token. Refuses before revoking if such a key exists and no token is
    configured, so a revoked certificate never leaves a usable key behind."""
    needed = require_token(ws, binding, token, when)
    revoked = revoke(ws, ca, binding, reason, when)
    if needed is not None:
        destroy_keys(needed, revoked)
    return revoked


def refuse_held_key(ws: Workspace, cert: asn1_x509.Certificate) -> None:
    """Refuse to sign outside a signatory's link with a programme key held in the token:
    only their link and the code emailed to them may release it."""
    binding = read_binding(cert)
    if binding is None:
        return
    serial = f"{cert.serial_number:X}"
    for entry in load_ledger(ws, binding.region).entries:
        if entry.serial == serial and entry.token_key:
            raise SigningError(
                f"the key of {binding.describe()} is held for remote signing: only its "
                "signatory can use it, from their link with the code emailed to them"
            )


def require_token(
    ws: Workspace, binding: ProgrammeBinding, token: TokenSettings | None, when: datetime
) -> TokenSettings | None:
    """``token``, refused as missing when a certificate of ``binding`` current at ``when``
    has its key in the token (its key would outlive a revocation)."""
    held = [e for e in current_certificates(ws, binding, when) if e.token_key]
    if held and token is None:
        raise MougenError(
            f"the key of {binding.describe()} (serial {held[0].serial}) is in the token, "
            f"but {NO_TOKEN}"
        )
    return token


def destroy_keys(token: TokenSettings, entries: Iterable[LedgerEntry]) -> None:
    """Destroy the token keys (and certificates) of ``entries``, where they have one."""
    labels = [e.token_key for e in entries if e.token_key]
    if not labels:
        return
    with token_session(token) as session:
        for label in labels:
            destroy_key(session, label)

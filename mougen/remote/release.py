"""Releasing a remote signature: the code confirmed, the field signed in the token once, the
signed PDF kept, then filed; and finishing what a killed worker left."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mougen.digest import sha256_hex
from mougen.remote.claims import Claim, Claims
from mougen.remote.codes import ActivationCodes, Client, CodeBinding, Confirmation


@dataclass(frozen=True)
class Signed:
    """What the token's signature gave: the signed PDF and the hash of its signature value."""

    pdf: bytes
    signature_sha256: str


#: Signs the bound field of the bound document with the signatory's key in the token.
Sign = Callable[[], Signed]
#: Puts a signed PDF through acceptance (the verdict, filing, the tracker, the next
#: invitation). It must be idempotent: a retry after a crash may file the same PDF again.
File = Callable[[bytes], None]


def release(
    codes: ActivationCodes,
    claims: Claims,
    binding: CodeBinding,
    code: str,
    client: Client,
    sign: Sign,
    file: File,
) -> Confirmation:
    """Confirm ``code``; when it is accepted, sign, keep and file the signature."""
    confirmation = codes.confirm(binding, code, client)
    if confirmation.claim is not None:
        finish(claims, claims.get(confirmation.claim), binding.subject, sign, file)
    return confirmation


def resume(claims: Claims, binding: CodeBinding, sign: Sign, file: File) -> Claim | None:
    """Finish the link's accepted signature if a worker died before filing it.

    A signed PDF kept in the database is filed, never signed again; a claim with no PDF is
    signed only once its lease has run out. The claim (None if no code was ever accepted).
    """
    claim = claims.for_link(binding.link_sha256, binding.field)
    if claim is None or claim.filed:
        return claim
    if claim.pdf is None and not claims.take_over(claim, binding.subject):
        return claim  # another worker is signing it now
    return finish(claims, claim, binding.subject, sign, file)


def finish(claims: Claims, claim: Claim, subject: str, sign: Sign, file: File) -> Claim:
    """Sign (unless already signed), keep, then file (unless already filed) a claim."""
    if claim.pdf is None:
        signed = sign()
        claim = claims.store_signed(
            claim, signed.pdf, sha256_hex(signed.pdf), signed.signature_sha256, subject
        )
    if not claim.filed and claim.pdf is not None:
        file(claim.pdf)
        claim = claims.mark_filed(claim)
    return claim

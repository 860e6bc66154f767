"""Signing one field of an MoU with a signatory's programme key held in the server's token.

PAdES B-T with the region's timestamp server (B-B where it has none), through pyHanko's
PKCS#11 signer; the programme CA's certificate and current CRL are then added to the file's
DSS, so the signature can be checked without fetching anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from pathlib import Path
from tempfile import TemporaryDirectory

from asn1crypto import crl, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore

from mougen.atomic import write_new
from mougen.digest import sha256_hex
from mougen.errors import SigningError
from mougen.hsm import TokenSettings
from mougen.pki import ca_cert_path, region_trust_roots
from mougen.pki.binding import ProgrammeBinding
from mougen.pki.ledger import LedgerEntry
from mougen.pki.lookup import region_file
from mougen.pki.revocation import crl_path, current_certificates
from mougen.remote.release import Signed
from mougen.signing import (
    FieldOwner,
    Level,
    SignResult,
    ValidationData,
    check_new_output,
    pkcs11_signer,
    sign_pdf,
)
from mougen.signing.keys import load_chain
from mougen.verify.judge import signature_sha256
from mougen.verify.trust import load_crls
from mougen.workspace import Workspace


def held_credential(ws: Workspace, binding: ProgrammeBinding, when: datetime) -> LedgerEntry:
    """The certificate of ``binding``, current at ``when``, whose key is in the token."""
    for entry in current_certificates(ws, binding, when):
        if entry.token_key:
            return entry
    raise SigningError(f"{binding.describe()} has no current programme key in the token")


def sign_with_token(
    ws: Workspace,
    pdf: Path,
    binding: ProgrammeBinding,
    token: TokenSettings,
    out: Path,
    *,
    when: datetime,
    owner_of: Callable[[str], FieldOwner | None] | None = None,
) -> SignResult:
    """Sign ``binding``'s role field of ``pdf`` with its key in the token, at ``when``;
    write ``out``.

    Refused (nothing written) when the role has no key in the token, or its certificate is
    revoked by the CA's current CRL.
    """
    check_new_output(pdf, out)
    entry = held_credential(ws, binding, when)
    tsa_url = region_file(ws, binding.region).region.tsa_url
    level = Level.B_T if tsa_url else Level.B_B
    crls = load_crls([crl_path(ws, binding.region)])
    scratch = out.with_name(f".{out.name}.unfinished")
    scratch.unlink(missing_ok=True)
    try:
        key = str(entry.token_key)
        chain = [ca_cert_path(ws, binding.region)]
        with pkcs11_signer(token.library, token.label, key, token.pin, chain=chain) as signer:
            roots = load_chain(region_trust_roots(ws, binding.region))
            data = ValidationData(tuple(roots), tuple(crls))
            result = sign_pdf(
                pdf, binding.role, signer, scratch, level=level, tsa_url=tsa_url,
                validation_data=data, owner_of=owner_of, when=when,
            )  # fmt: skip
        signed = with_crls(scratch.read_bytes(), load_chain(chain), crls)
    finally:
        scratch.unlink(missing_ok=True)
    write_new(out, signed)
    digest = sha256_hex(signed)
    return SignResult(out, result.field, result.signer, level.value, digest, result.note)


def signed_in_token(
    ws: Workspace,
    pdf: bytes,
    binding: ProgrammeBinding,
    token: TokenSettings,
    *,
    when: datetime,
    owner_of: Callable[[str], FieldOwner | None] | None = None,
) -> Signed:
    """``pdf`` with ``binding``'s field signed by its key in the token, as bytes (for the
    web round, which keeps them in the database before filing)."""
    with TemporaryDirectory(prefix="mougen-remote-") as scratch:
        source, out = Path(scratch) / "issued.pdf", Path(scratch) / "signed.pdf"
        source.write_bytes(pdf)
        sign_with_token(ws, source, binding, token, out, when=when, owner_of=owner_of)
        signed = out.read_bytes()
    reader = PdfFileReader(BytesIO(signed), strict=False)
    (embedded,) = [s for s in reader.embedded_signatures if s.field_name == binding.role]
    return Signed(signed, signature_sha256(embedded))


def with_crls(
    signed: bytes, certs: list[x509.Certificate], crls: list[crl.CertificateList]
) -> bytes:
    """``signed`` with ``certs`` and ``crls`` added to its DSS, as an incremental update."""
    stream = BytesIO(signed)
    DocumentSecurityStore.add_dss(stream, None, certs=certs, crls=crls, strict=False)
    return stream.getvalue()

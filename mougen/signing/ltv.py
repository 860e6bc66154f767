"""The validation data a B-LT signature embeds: the signer's chain and revocation data."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import crl, pem
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator import ValidationContext

from mougen.errors import MougenError


def validation_context(
    signer: Signer, crl_files: list[Path] = (), *, allow_fetch: bool = False
) -> ValidationContext:
    """A context holding the signer's own chain, with its root trusted, and the CRLs given.

    Trusting the signer's root here only decides what gets embedded; verifiers judge the chain
    against their own roots. Nothing is fetched unless ``allow_fetch``.
    """
    certs = list(signer.cert_registry)
    return ValidationContext(
        trust_roots=[c for c in certs if c.self_signed],
        other_certs=certs,
        crls=[load_crl(path) for path in crl_files],
        allow_fetching=allow_fetch,
    )


def load_crl(path: Path) -> crl.CertificateList:
    """A CRL from a DER or PEM file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MougenError(f"cannot read: {exc.strerror}", path) from None
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    try:
        parsed = crl.CertificateList.load(data)
        _ = parsed.native  # parse now, so a bad file is reported here and not mid-signing
    except ValueError:
        raise MougenError("not a CRL file", path) from None
    return parsed

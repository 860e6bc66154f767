"""The validation data a B-LT signature embeds: the signer's chain and revocation data."""

from __future__ import annotations

from pathlib import Path

from pyhanko.sign.signers import Signer
from pyhanko_certvalidator import ValidationContext

from mougen.verify.trust import load_crls


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
        crls=load_crls(crl_files),
        allow_fetching=allow_fetch,
    )

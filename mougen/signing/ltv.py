"""The validation data a signature relies on: the signer's chain, the revocation data at hand,
whether the signer is revoked by it, and whether a signed file's DSS holds all it needs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import crl, ocsp, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import Signer
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathError, RevokedError, ValidationError

from mougen.errors import SigningError
from mougen.printable import printable
from mougen.signing.chain import (
    WHAT_TO_PASS,
    common_name,
    issuer_name,
    last_link,
    plain_problem,
    reaches_root,
    where_it_stops,
)
from mougen.verify.revinfo import covered, revocation_policy
from mougen.verify.trust import load_crls

# A context's validation time is fixed when it is made, and the OCSP answers and timestamps it
# judges are fetched after that: a responder that stamps its answers "now" is a second or more
# ahead on a busy machine, and pyHanko's one-second default then calls them "too recent".
FETCHED_DATA_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class ValidationData:
    """What a signer has to judge and embed its chain with: trust roots and revocation data.

    Trusting roots here only decides what gets embedded; verifiers judge the chain against
    their own roots. Nothing is fetched unless ``allow_fetch``.
    """

    roots: tuple[x509.Certificate, ...] = ()
    crls: tuple[crl.CertificateList, ...] = ()
    allow_fetch: bool = False

    def context(self, signer: Signer) -> ValidationContext:
        """A context with the signer's own chain, its root and ``roots`` trusted, the CRLs."""
        return self._context(signer)

    def check_not_revoked(self, signer: Signer) -> None:
        """Raise ``SigningError`` if the revocation data at hand revokes the signer, whether
        or not its certificate names where to find such data.

        A chain that cannot be built here is not this check's business: B-B signatures need
        no chain, and B-LT signing reports it itself.
        """
        cert = _certificate(signer)
        strict = self._context(signer, revocation_policy(cert, self.crls))
        validator = CertificateValidator(
            cert, intermediate_certs=signer.cert_registry, validation_context=strict
        )
        try:
            asyncio.run(validator.async_validate_usage(set()))
        except RevokedError:
            who = printable(common_name(cert))
            raise SigningError(
                f"the certificate of {who} is revoked by the CRLs at hand: it cannot sign"
            ) from None
        except (PathError, ValidationError):
            pass

    def untrusted_root(self, signer: Signer) -> str | None:
        """The name of the root (or the issuer where the chain stops) when the signer's
        certificate does not chain to one of ``roots``, the roots this workspace trusts;
        None when it does. A verifier that trusts no more than these will not count it."""
        cert = _certificate(signer)
        others = list(signer.cert_registry)
        context = ValidationContext(trust_roots=list(self.roots), other_certs=others)
        if reaches_root(cert, context) is None:
            return None
        end = last_link(cert, others)
        return printable(common_name(end) if end.self_signed != "no" else issuer_name(end))

    def check_chain(self, signer: Signer, level: str) -> None:
        """Raise ``SigningError`` unless the signer's chain can be built and validated for a
        long-term signature, naming the certificate the chain stops at and what to pass."""
        cert = _certificate(signer)
        problem = reaches_root(cert, self._context(signer))
        if problem is None:
            return
        who = common_name(cert)
        words = plain_problem(problem) or "cannot be validated"
        stops = where_it_stops(cert, last_link(cert, signer.cert_registry))
        raise SigningError(
            printable(f"cannot make PAdES {level}: the certificate of {who} {words} ({stops}); ")
            + WHAT_TO_PASS
        )

    def _context(self, signer: Signer, policy: Any = None) -> ValidationContext:
        certs = list(signer.cert_registry)
        return ValidationContext(
            trust_roots=[*self.roots, *(c for c in certs if c.self_signed != "no")],
            other_certs=certs,
            crls=list(self.crls),
            allow_fetching=self.allow_fetch,
            time_tolerance=FETCHED_DATA_TOLERANCE,
            **({"revinfo_policy": policy} if policy is not None else {}),
        )


def _certificate(signer: Signer) -> x509.Certificate:
    cert = signer.signing_cert
    if cert is None:  # pyHanko allows a signer without one; mougen's signers all have one
        raise SigningError("the signer has no certificate")
    return cert


def validation_data(
    crl_files: Sequence[Path] = (),
    roots: Sequence[x509.Certificate] = (),
    *,
    allow_fetch: bool = False,
) -> ValidationData:
    """The validation data from CRL files (PEM or DER) and trusted roots."""
    return ValidationData(tuple(roots), tuple(load_crls(crl_files)), allow_fetch)


def certificates_without_revocation_data(signed: bytes) -> list[str]:
    """The subjects of the certificates in a signed file's DSS chains that no CRL or OCSP
    response in its DSS speaks for (trust anchors and OCSP responders marked
    id-pkix-ocsp-nocheck need none)."""
    reader = PdfFileReader(BytesIO(signed), strict=False)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return ["every certificate (the file has no DSS)"]
    crls = [crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
    ocsps = [ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
    certs: dict[bytes, x509.Certificate] = {c.sha256: c for c in dss.load_certs()}
    for sig in reader.embedded_signatures:
        certs.setdefault(sig.signer_cert.sha256, sig.signer_cert)
    return [
        c.subject.human_friendly
        for c in certs.values()
        if c.self_signed == "no" and c.ocsp_no_check_value is None and not covered(c, crls, ocsps)
    ]

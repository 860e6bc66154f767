"""Whether a signer's certificate chains to a root, and certvalidator's verdicts in plain words.

pyHanko and certvalidator explain a failed chain in their own terms ("Unable to build a
validation path ..."); a signatory needs to know which certificate and what to pass instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathError,
    RevokedError,
    ValidationError,
)

#: What a signatory can pass to complete a chain for a long-term (B-LT, B-LTA) signature.
WHAT_TO_PASS = (
    "give --chain FILE with its issuing CAs and --trust FILE with their root, "
    "and --crl FILE or --allow-fetch for revocation data"
)


def common_name(cert: x509.Certificate) -> str:
    """The certificate subject's common name, or its whole name if it has none."""
    return cert.subject.native.get("common_name") or cert.subject.human_friendly


def issuer_name(cert: x509.Certificate) -> str:
    """The common name of the certificate's issuer, or its whole name if it has none."""
    return cert.issuer.native.get("common_name") or cert.issuer.human_friendly


def where_it_stops(cert: x509.Certificate, end: x509.Certificate) -> str:
    """Where the chain from ``cert`` ends (``end``, from ``last_link``), in plain words."""
    if end.self_signed != "no":
        return "it is self-signed" if end is cert else f"its root {common_name(end)} is not trusted"
    if end is cert:
        return f"its issuer {issuer_name(cert)} is not at hand"
    return f"its chain stops at {common_name(end)}, whose issuer {issuer_name(end)} is not at hand"


def plain_problem(exc: BaseException) -> str | None:
    """What a certvalidator error (or one that caused ``exc``) says, in plain words; None
    when no certvalidator error is involved."""
    for cause in _causes(exc):
        if isinstance(cause, RevokedError):
            return "is revoked"
        if isinstance(cause, ExpiredError):
            return "has expired, or an issuer of it has"
        if isinstance(cause, NotYetValidError):
            return "is not valid yet, or an issuer of it is not"
        if isinstance(cause, InsufficientRevinfoError):
            return "has no revocation data at hand"
        if isinstance(cause, (PathError, InvalidCertificateError)):
            return "cannot be chained to a trusted root"
        if isinstance(cause, ValidationError):
            return "did not pass validation"
    return None


def reaches_root(cert: x509.Certificate, context: ValidationContext) -> BaseException | None:
    """None when ``cert`` has a valid chain to a root ``context`` trusts; else why not."""
    validator = CertificateValidator(cert, validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except (PathError, ValidationError) as exc:
        return exc
    return None


def last_link(cert: x509.Certificate, others: Iterable[x509.Certificate]) -> x509.Certificate:
    """The last certificate reached from ``cert`` by following issuers among ``others``:
    the one whose issuer is missing (or self-signed, where the chain ends)."""
    by_subject = {c.subject.dump(): c for c in others}
    seen = {cert.sha256}
    while cert.self_signed == "no":
        issuer = by_subject.get(cert.issuer.dump())
        if issuer is None or issuer.sha256 in seen:
            break
        seen.add(issuer.sha256)
        cert = issuer
    return cert


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__

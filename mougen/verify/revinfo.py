"""Revocation data: which CRLs and OCSP responses speak for a certificate, and the policy
that checks a certificate against them whenever they are at hand.

pyHanko only checks a certificate's revocation where the certificate names a CRL
distribution point or an OCSP responder. Data that the document, a signature or the auditor
supplies counts too: a revoked certificate must not pass because it names neither.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from asn1crypto import crl, ocsp, x509
from pyhanko.sign.validation import PdfSignatureStatus
from pyhanko.sign.validation.status import RevocationDetails
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    OCSPNoMatchesError,
    OCSPValidationError,
    OCSPValidationIndeterminateError,
    RevokedError,
)
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.revinfo.validate_ocsp import verify_ocsp_response
from pyhanko_certvalidator.util import get_declared_revinfo


def crl_covers(cert: x509.Certificate, crls: Sequence[crl.CertificateList]) -> bool:
    """Whether a CRL from ``cert``'s issuer is among ``crls``."""
    return any(c.issuer == cert.issuer for c in crls)


def ocsp_covers(cert: x509.Certificate, ocsps: Sequence[ocsp.OCSPResponse]) -> bool:
    """Whether an OCSP response among ``ocsps`` answers for ``cert``."""
    return any(_answers_for(cert, single) for r in ocsps for single in _single_responses(r))


def covered(
    cert: x509.Certificate,
    crls: Sequence[crl.CertificateList],
    ocsps: Sequence[ocsp.OCSPResponse],
) -> bool:
    """Whether some CRL or OCSP response at hand speaks for ``cert``."""
    return crl_covers(cert, crls) or ocsp_covers(cert, ocsps)


def revocation_policy(
    cert: x509.Certificate,
    crls: Sequence[crl.CertificateList],
    ocsps: Sequence[ocsp.OCSPResponse] = (),
) -> CertRevTrustPolicy:
    """Check ``cert`` against the revocation data at hand, else where it declares some."""
    if ocsp_covers(cert, ocsps):
        rule = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    elif crl_covers(cert, crls):
        rule = RevocationCheckingRule.CRL_REQUIRED
    else:
        rule = RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
    return CertRevTrustPolicy(
        RevocationCheckingPolicy(
            ee_certificate_rule=rule,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
        )
    )


def with_ocsp_revocation(
    status: PdfSignatureStatus, cert: x509.Certificate, context: ValidationContext
) -> PdfSignatureStatus:
    """``status``, revoked if an OCSP response at hand revokes a signer that names no OCSP
    responder (pyHanko consults OCSP only for certificates that name one)."""
    path = status.validation_path
    if path is None or status.revoked or get_declared_revinfo(cert)[1]:
        return status
    if not ocsp_covers(cert, context.ocsps):
        return status
    try:
        asyncio.run(verify_ocsp_response(cert, path, context))
    except RevokedError as exc:
        details = RevocationDetails(False, exc.revocation_dt, exc.reason)
        return replace(status, revocation_details=details, trust_problem_indic=None)
    except (OCSPNoMatchesError, OCSPValidationError, OCSPValidationIndeterminateError):
        pass  # no answer about this certificate that holds up: nothing more is known
    return status


def _single_responses(response: ocsp.OCSPResponse) -> list[ocsp.SingleResponse]:
    if response["response_status"].native != "successful":
        return []
    basic = response["response_bytes"]["response"].parsed
    return list(basic["tbs_response_data"]["responses"])


def _answers_for(cert: x509.Certificate, single: ocsp.SingleResponse) -> bool:
    cert_id = single["cert_id"]
    if cert_id["serial_number"].native != cert.serial_number:
        return False
    algorithm = cert_id["hash_algorithm"]["algorithm"].native
    issuer_hash = getattr(cert.issuer, algorithm, None) if algorithm in ("sha1", "sha256") else None
    return issuer_hash == cert_id["issuer_name_hash"].native

"""Revocation data: which CRLs and OCSP responses speak for a certificate, and the policy
that checks a certificate against them whenever they are at hand.

pyHanko only checks a certificate's revocation where the certificate names a CRL
distribution point or an OCSP responder. Data that the document, a signature or the auditor
supplies counts too: a revoked certificate must not pass because it names neither.
"""

from __future__ import annotations

from collections.abc import Sequence

from asn1crypto import crl, ocsp, x509
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)


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

"""Long-term validation: document timestamps, and signatures judged in the past.

A signature whose certificate has since expired, or was revoked after signing, still holds
when a trusted timestamp proves it existed while the certificate was good and embedded
revocation data shows that it was not revoked then (past-signature validation, ETSI EN
319 102-1, 5.6.2.4). pyHanko's AdES LTA validation does that work: it takes the document
timestamps as the evidence record, and the DSS, the signature's own revocation archive and
the auditor's CRLs as what is known.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime

from asn1crypto import crl, x509
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed
from pyhanko.sign.diff_analysis import DiffPolicy
from pyhanko.sign.validation import (
    DocumentTimestampStatus,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
)
from pyhanko.sign.validation.ades import (
    AdESBasicValidationResult,
    AdESLTAValidationResult,
    _dss_to_local_knowledge,
    ades_lta_validation,
    ades_timestamp_validation,
)
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
    NonRevokedStatusAssertion,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from mougen.verify.judge import judge
from mougen.verify.status import Indication, SignatureReport

#: The /SubFilter of a document timestamp.
DOC_TIMESTAMP = "ETSI.RFC3161"

#: Sub-indications that say "not at this time": a proof of existence may overcome them.
TIME_BOUND = frozenset(
    {
        "EXPIRED",
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE.name,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED.name,
        AdESIndeterminate.REVOKED_NO_POE.name,
        AdESIndeterminate.REVOKED_CA_NO_POE.name,
        AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE.name,
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE.name,
        AdESIndeterminate.TRY_LATER.name,
        AdESIndeterminate.NO_POE.name,
        # pyHanko's word for revocation data it cannot use at the validation time
        AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE.name,
    }
)


@dataclass(frozen=True)
class LongTermInputs:
    """What a long-term validation needs besides the signature: whom to trust, what else is
    known, when to validate (None: now), what time it is now, and how to judge later changes."""

    trust_roots: Sequence[x509.Certificate]
    crls: Sequence[crl.CertificateList]
    at: datetime | None
    now: datetime
    allow_fetch: bool
    diff_policy: DiffPolicy
    key_usage: KeyUsageConstraints


def reconsider(
    report: SignatureReport, embedded: EmbeddedPdfSignature, inputs: LongTermInputs
) -> SignatureReport:
    """``report``, or, when it failed only for want of time, the past-signature verdict."""
    if report.passed or report.sub_indication not in TIME_BOUND or not report.intact:
        return report
    return _with_ades_verdict(report, lta_validation(embedded, inputs))


def _with_ades_verdict(
    report: SignatureReport, result: AdESBasicValidationResult
) -> SignatureReport:
    """``report`` with the AdES verdict where that is decisive (passed, or failed).

    A pass names the root the AdES validation reached, which signer binding checks against
    the MoU's own region CA.
    """
    verdict = result.ades_subindic
    if verdict is AdESPassed.OK:
        return replace(
            report,
            indication=Indication.TOTAL_PASSED,
            sub_indication=None,
            trusted=True,
            trust_anchor=_anchor(result) or report.trust_anchor,
        )
    if isinstance(verdict, AdESFailure):
        return replace(report, indication=Indication.TOTAL_FAILED, sub_indication=verdict.name)
    return report


def lta_validation(
    embedded: EmbeddedPdfSignature, inputs: LongTermInputs
) -> AdESLTAValidationResult:
    """pyHanko's AdES validation of a signature with long-term availability of its data."""
    spec = _spec(embedded, inputs)
    return asyncio.run(ades_lta_validation(embedded, spec, timing_info=timing(inputs.at)))


def _spec(embedded: EmbeddedPdfSignature, inputs: LongTermInputs) -> PdfSignatureValidationSpec:
    return PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=_policy(inputs.trust_roots),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=(
                    RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                    if inputs.allow_fetch
                    else RevinfoOnlineFetchingRule.LOCAL_ONLY
                )
            ),
            local_knowledge=_knowledge(embedded, inputs),
            key_usage_settings=inputs.key_usage,
        ),
        diff_policy=inputs.diff_policy,
    )


def is_document_timestamp(embedded: EmbeddedPdfSignature) -> bool:
    """Whether the field holds a document timestamp (/DocTimeStamp) rather than a signature."""
    return embedded.sig_object_type == "/DocTimeStamp"


def timestamp_report(
    embedded: EmbeddedPdfSignature, status: DocumentTimestampStatus, inputs: LongTermInputs
) -> SignatureReport:
    """The report for a document timestamp: its TSA as the signer, its time as the time.

    One that fails only for want of time is validated the AdES way (ETSI EN 319 102-1, 5.4),
    with the DSS's revocation data and, past its validity, its own proof of existence.
    """
    shared = {f.name for f in fields(PdfSignatureStatus)} & {f.name for f in fields(status)}
    as_signature = PdfSignatureStatus(
        **{name: getattr(status, name) for name in shared}, signer_reported_dt=status.timestamp
    )
    moment = inputs.at or inputs.now
    report = judge(embedded, as_signature, moment, document_timestamp=True)
    report = replace(report, timestamp=report.signing_time)
    if report.passed or report.sub_indication not in TIME_BOUND or not report.intact:
        return report
    result = asyncio.run(
        ades_timestamp_validation(
            embedded.signed_data,
            _spec(embedded, inputs).signature_validation_spec,
            expected_tst_imprint=embedded.compute_digest,
            timing_info=timing(inputs.at),
        )
    )
    return _with_ades_verdict(report, result)


def _anchor(result: AdESBasicValidationResult) -> str | None:
    """The SHA-256 of the root certificate an AdES validation's path starts from, if any."""
    path = getattr(result.api_status, "validation_path", None)
    root = path.first if path is not None else None
    return root.sha256.hex() if isinstance(root, x509.Certificate) else None


def split_document_timestamps(
    reports: list[SignatureReport],
) -> tuple[list[SignatureReport], list[SignatureReport]]:
    """The signatures, and the document timestamps (each older one that failed only for
    want of time passes when a later one passes: that one now vouches for it)."""
    signatures = [r for r in reports if r.sub_filter != DOC_TIMESTAMP]
    stamps = sorted((r for r in reports if r.sub_filter == DOC_TIMESTAMP), key=_revision)
    vouched: list[SignatureReport] = []
    later_passed = False
    for stamp in reversed(stamps):
        if later_passed and stamp.intact and stamp.sub_indication in TIME_BOUND:
            stamp = replace(stamp, indication=Indication.TOTAL_PASSED, sub_indication=None)
        later_passed = later_passed or stamp.passed
        vouched.append(stamp)
    return signatures, vouched[::-1]


def _revision(report: SignatureReport) -> int:
    return report.revision


def _knowledge(embedded: EmbeddedPdfSignature, inputs: LongTermInputs) -> LocalKnowledge:
    """The auditor's CRLs, and for a document timestamp the DSS's validation data too
    (ades_lta_validation reads the DSS itself; a lone timestamp's validation does not)."""
    auditor = [CRLContainer(c) for c in inputs.crls]
    assertions = _future_assertions(embedded, inputs.at, inputs.now)
    if not is_document_timestamp(embedded):
        return LocalKnowledge(known_crls=auditor, nonrevoked_assertions=assertions)
    dss = _dss_to_local_knowledge(embedded.reader)
    return LocalKnowledge(
        known_ocsps=dss.known_ocsps,
        known_crls=[*dss.known_crls, *auditor],
        known_certs=dss.known_certs,
        nonrevoked_assertions=assertions,
    )


def _future_assertions(
    embedded: EmbeddedPdfSignature, at: datetime | None, now: datetime
) -> list[NonRevokedStatusAssertion]:
    """For a validation as at a future time, that the newest document timestamp's TSA is
    not revoked by then: no revocation data from the future exists to say otherwise (as
    pyHanko's own simulation of future validation assumes)."""
    stamps = embedded.reader.embedded_timestamp_signatures
    if at is None or at <= now or not stamps:
        return []
    return [NonRevokedStatusAssertion(stamps[-1].signer_cert.sha256, at=at)]


def timing(at: datetime | None) -> ValidationTimingInfo:
    """Validation now, or as at ``at`` (a point-in-time validation)."""
    if at is None:
        return ValidationTimingInfo.now()
    return ValidationTimingInfo(at, at, point_in_time_validation=True)


def _policy(trust_roots: Sequence[x509.Certificate]) -> CertValidationPolicySpec:
    # Long-term validation rests on revocation data: every certificate needs some, judged
    # against the time it is used for rather than against the validation time.
    return CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=list(trust_roots)),
        revinfo_policy=CertRevTrustPolicy(
            REQUIRE_REVINFO,
            freshness=None,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        ),
    )

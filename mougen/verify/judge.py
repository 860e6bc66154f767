"""Turning pyHanko's verdict on one signature into a report with an ETSI indication."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from asn1crypto import core, x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel

from mougen.pki.binding import read_binding
from mougen.verify.purpose import KEY_PURPOSE_NOT_SIGNING, not_for_signing
from mougen.verify.status import Indication, Modification, SignatureReport
from mougen.verify.timing import (
    broken_timestamp,
    false_claim,
    proven_time,
    timing_warnings,
    untrusted_timestamp,
)

#: The signature breaks the constraints the field's /SV seed values set (format, digest...).
SEED_VALUE_VIOLATION = "SEED_VALUE_VIOLATION"

_COVERED = (SignatureCoverageLevel.ENTIRE_REVISION, SignatureCoverageLevel.ENTIRE_FILE)
_ALLOWED = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)


def judge(
    embedded: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    moment: datetime,
    *,
    document_timestamp: bool = False,
) -> SignatureReport:
    """The report for a signature that pyHanko could validate at ``moment``.

    A ``document_timestamp``'s signer is a TSA, whose purpose pyHanko has checked already:
    it is not held to the purposes of a person signing a document.
    """
    indication, sub = _indication(status, moment, document_timestamp)
    return SignatureReport(
        **_signer_fields(embedded.signer_cert),
        signature_sha256=signature_sha256(embedded),
        trust_anchor=_trust_anchor(status),
        field=str(embedded.field_name),  # pyHanko's string object holds the whole reader
        signing_time=_iso(status.signer_reported_dt),
        timestamp=_iso(proven_time(status)),
        warnings=tuple(timing_warnings(status)),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted or proven_before_revocation(status),
        revoked=status.revoked,
        coverage=status.coverage.name if status.coverage else "NONE",
        modification=_modification(status.modification_level),
        changes=_changes(status),
        indication=indication,
        sub_indication=sub,
        revision=embedded.signed_revision,
        sub_filter=_sub_filter(embedded.sig_object),
    )


def signature_sha256(embedded: EmbeddedPdfSignature) -> str:
    """The identity of one signature: SHA-256 over what its signer signed and signed with.

    That is the signer's certificate (its to-be-signed part, fixed by the issuer's
    signature), the signed attributes as the signature covers them, and the signature
    value. Everything else in the CMS (the SignerInfo version, the certificate bag,
    unsigned attributes, the DER of the whole) can be changed without the key, so it is
    left out: a copy altered there is the same signature, and counts once.
    """
    signer_info = embedded.signer_info
    signed_attrs = signer_info["signed_attrs"]
    parts = (
        embedded.signer_cert["tbs_certificate"].dump(),
        b"" if signed_attrs is core.VOID else signed_attrs.untag().dump(),
        signer_info["signature"].native,
    )
    digest = hashlib.sha256()
    for part in parts:  # length-prefixed, so no two different triples hash alike
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def failed_report(
    reader: PdfFileReader,
    fq_name: str,
    field_ref: Any,
    reason: str,
    *,
    embedded: EmbeddedPdfSignature | None = None,
    error: Exception | None = None,
) -> SignatureReport:
    """The report for a signature that could not be validated at all (a broken CMS, say)."""
    value = field_ref.get_object().raw_get("/V")
    sub = getattr(error, "ades_subindication", None) if error is not None else None
    signer = _signer_fields(_try_signer_cert(embedded))
    return SignatureReport(
        **signer,
        signature_sha256=_try_fingerprint(embedded),
        trust_anchor=None,
        field=str(fq_name),
        signing_time=None,
        timestamp=None,
        warnings=(),
        intact=False,
        valid=False,
        trusted=False,
        revoked=False,
        coverage="NONE",
        modification=Modification.OTHER,
        changes=reason,
        indication=Indication.TOTAL_FAILED,
        sub_indication=sub.name if sub else AdESFailure.FORMAT_FAILURE.name,
        revision=_revision_of(reader, value),
        sub_filter=_sub_filter(value.get_object()),
    )


def _indication(
    status: PdfSignatureStatus, moment: datetime, document_timestamp: bool = False
) -> tuple[Indication, str | None]:
    """Why a signature fails, most fundamental cause first (ETSI EN 319 102-1, 5.1.3)."""
    if status.coverage not in _COVERED:
        return Indication.TOTAL_FAILED, AdESFailure.FORMAT_FAILURE.name
    if not status.intact:
        return Indication.TOTAL_FAILED, AdESFailure.HASH_FAILURE.name
    if not status.valid:
        return Indication.TOTAL_FAILED, AdESFailure.SIG_CRYPTO_FAILURE.name
    if status.modification_level not in _ALLOWED or status.docmdp_ok is False:
        return Indication.TOTAL_FAILED, AdESFailure.FORMAT_FAILURE.name
    if not status.seed_value_ok:
        return Indication.TOTAL_FAILED, SEED_VALUE_VIOLATION
    if not document_timestamp and not_for_signing(status.signing_cert):
        return Indication.TOTAL_FAILED, KEY_PURPOSE_NOT_SIGNING
    if found := broken_timestamp(status):
        return found
    if status.revoked and not proven_before_revocation(status):
        return _revocation(status)
    if not status.trusted and not proven_before_revocation(status):
        sub = status.trust_problem_indic or AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND
        # pyHanko annotates the sub-indication as its plain mixin class, but every one is a
        # member of the AdESPassed/AdESFailure/AdESIndeterminate enums, so it has a name.
        return _indication_of(sub), sub.name  # type: ignore[attr-defined]
    if found := false_claim(status, moment) or untrusted_timestamp(status):
        return found
    return Indication.TOTAL_PASSED, None


def proven_before_revocation(status: PdfSignatureStatus) -> bool:
    """Whether a trusted timestamp proves the signature existed before its certificate was
    revoked, so the revocation does not undo it (past-signature validation, ETSI EN
    319 102-1, 5.6.2.4): a B-T signature made before ``ca revoke`` stays valid."""
    details = status.revocation_details
    proven = proven_time(status)
    if not status.revoked or details is None or proven is None:
        return False
    return proven < details.revocation_date


def _revocation(status: PdfSignatureStatus) -> tuple[Indication, str]:
    """REVOKED if the certificate was revoked before the claimed signing time, else no POE."""
    details = status.revocation_details
    claimed = status.signer_reported_dt
    if details is not None and claimed is not None and details.revocation_date <= claimed:
        return Indication.TOTAL_FAILED, AdESFailure.REVOKED.name
    return Indication.INDETERMINATE, AdESIndeterminate.REVOKED_NO_POE.name


def _indication_of(sub: AdESSubIndic) -> Indication:
    return Indication.TOTAL_FAILED if isinstance(sub, AdESFailure) else Indication.INDETERMINATE


def _modification(level: ModificationLevel | None) -> Modification:
    return Modification(level.name) if level is not None else Modification.OTHER


def _changes(status: PdfSignatureStatus) -> str | None:
    """What changed after the signature, in a line: the fields filled, or why it is refused."""
    result = status.diff_result
    if isinstance(result, SuspiciousModification):
        return str(result).splitlines()[0]
    if result is not None and result.changed_form_fields:
        return "signed fields: " + ", ".join(sorted(result.changed_form_fields))
    return None


def _signer_fields(cert: x509.Certificate | None) -> dict[str, str | None]:
    if cert is None:
        return {"signer": None, "email": None, "cert_sha256": None, "programme": None}
    subject = cert.subject.native
    alt_names = cert.subject_alt_name_value or []
    emails = [n.native for n in alt_names if n.name == "rfc822_name"]
    binding = read_binding(cert)
    return {
        "signer": subject.get("common_name"),
        "email": subject.get("email_address") or next(iter(emails), None),
        "cert_sha256": cert.sha256.hex(),
        "programme": binding.uri if binding is not None else None,
    }


def _trust_anchor(status: PdfSignatureStatus) -> str | None:
    """The SHA-256 of the root certificate the signer's chain was validated to, if any."""
    path = status.validation_path
    root = path.first if path is not None else None
    return root.sha256.hex() if isinstance(root, x509.Certificate) else None


def _try_fingerprint(embedded: EmbeddedPdfSignature | None) -> str | None:
    try:
        return signature_sha256(embedded) if embedded is not None else None
    # a blanked or corrupt CMS, or one without its signer's certificate, has no identity
    except (SignatureValidationError, ValueError, KeyError):
        return None


def _try_signer_cert(embedded: EmbeddedPdfSignature | None) -> x509.Certificate | None:
    if embedded is None:
        return None
    try:
        return embedded.signer_cert
    except (SignatureValidationError, ValueError, KeyError):
        return None


def _revision_of(reader: PdfFileReader, value: generic.PdfObject) -> int:
    if isinstance(value, generic.IndirectObject):
        return reader.xrefs.get_last_change(value.reference)
    return reader.xrefs.total_revisions - 1


def _sub_filter(sig_object: generic.PdfObject) -> str | None:
    sub_filter = sig_object.get("/SubFilter") if hasattr(sig_object, "get") else None
    return str(sub_filter)[1:] if sub_filter is not None else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

"""Validating one signed PDF: each signature, the changes after it, the roles still unsigned."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import asn1crypto
import pyhanko
import pyhanko_certvalidator
from asn1crypto import cms, crl, ocsp, x509
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import (
    MultivaluedAttributeError,
    NonexistentAttributeError,
    find_unique_cms_attribute,
)
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from mougen.clock import Clock, wall_clock
from mougen.digest import sha256_hex
from mougen.errors import PdfReadError, pdf_problem
from mougen.roles import ROLE_IDS
from mougen.verify import lexer
from mougen.verify.dates import EmbeddedSignature
from mougen.verify.judge import failed_report, judge
from mougen.verify.limits import (
    DECODE_LIMITS,
    check_file_size,
    check_signature_count,
    check_size,
)
from mougen.verify.longterm import (
    LongTermInputs,
    is_document_timestamp,
    reconsider,
    split_document_timestamps,
    timestamp_report,
)
from mougen.verify.metadata import METADATA_CHANGES_FAIL, MetadataChange, metadata_changes
from mougen.verify.policy import MOUGEN_DIFF_POLICY
from mougen.verify.purpose import SIGNING_KEY_USAGE, unsupported_digest
from mougen.verify.revinfo import revocation_policy, with_ocsp_revocation
from mougen.verify.revision import first_revision_bytes_of, unreferenced_tail
from mougen.verify.status import FileReport, SignatureReport
from mougen.verify.trust import load_crls, load_trust_roots
from mougen.verify.xrefs import index_xrefs

lexer.install()  # hex strings (signatures' /Contents) and names read in one go

# Python's recursion limit stops pyHanko on such objects; nothing else is wrong with them.
_TOO_DEEP = "objects nested too deeply, or in a loop"


@dataclass(frozen=True)
class Settings:
    """What a verification trusts, which revocation data it has, and when it validates.

    ``tsa_roots`` are trusted for timestamps only; the signer ``trust_roots`` count for both.
    ``at`` is the validation time (now if None); ``clock`` says what time "now" is.
    """

    trust_roots: Sequence[x509.Certificate] = ()
    tsa_roots: Sequence[x509.Certificate] = ()
    crls: Sequence[crl.CertificateList] = ()
    allow_fetch: bool = False
    at: datetime | None = None
    clock: Clock = wall_clock


def verify_file(
    path: Path,
    trust: Sequence[Path] = (),
    *,
    crls: Sequence[Path] = (),
    allow_fetch: bool = False,
    expected_roles: Iterable[str] = ROLE_IDS,
    at: datetime | None = None,
) -> FileReport:
    """Verify every signature in the PDF at ``path`` against the trust roots in ``trust``.

    Revocation data comes from the CRL files in ``crls``, from each signature's CMS and from
    the document's DSS; nothing is fetched unless ``allow_fetch``. Raises :class:`PdfReadError`
    when the file is not a PDF with signature fields.
    """
    settings = Settings(load_trust_roots(trust), (), load_crls(crls), allow_fetch, at)
    return verify_bytes(read_pdf(path), str(path), settings, expected_roles=expected_roles)


def verify_bytes(
    data: bytes,
    name: str,
    settings: Settings,
    *,
    expected_roles: Iterable[str] = ROLE_IDS,
) -> FileReport:
    """:func:`verify_file` for a PDF already in memory (``name`` is used in messages),
    judged by ``settings``."""
    check_file_size(len(data), name)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=DECODE_LIMITS)
        check_size(reader, index_xrefs(reader), name)
        fields = list(enumerate_sig_fields(reader))
        if not fields:
            raise PdfReadError("no signature fields: not a signable PDF", name)
        check_signature_count(sum(value is not None for _, value, _ in fields), name)
        revinfo = _dss_revinfo(reader)
        now = settings.clock()
        moment = settings.at or now
        inputs = LongTermInputs(
            settings.trust_roots,
            settings.crls,
            settings.at,
            now,
            settings.allow_fetch,
            MOUGEN_DIFF_POLICY,
            SIGNING_KEY_USAGE,
        )
        reports = [
            _check_field(reader, fq_name, field_ref, settings, revinfo, moment, inputs)
            for fq_name, value, field_ref in fields
            if value is not None
        ]
        signatures, timestamps = split_document_timestamps(reports)  # long-term hook
        first_revision = first_revision_bytes_of(reader, data)
        tail = unreferenced_tail(reader, data)
        changed = _changed_after_signing(reader, [*signatures, *timestamps])
    except RecursionError:
        raise PdfReadError(f"not a readable PDF ({_TOO_DEEP})", name) from None
    except PdfDecodeLimitError as exc:
        raise PdfReadError(f"too large to verify: {exc}", name) from None
    except (PdfError, ValueError, KeyError) as exc:
        raise PdfReadError(f"not a readable PDF ({pdf_problem(exc)})", name) from exc
    except (TypeError, AttributeError) as exc:
        if not _raised_reading(exc):
            raise  # a fault in mougen's own code, not in the file: reported as a bug
        raise PdfReadError(f"not a readable PDF ({pdf_problem(exc)})", name) from exc
    signed = {s.field for s in signatures}
    signatures.sort(key=lambda s: s.revision)
    return FileReport(
        file=name,
        sha256=sha256_hex(data),
        first_revision_sha256=sha256_hex(first_revision) if first_revision is not None else None,
        signatures=signatures,
        missing_roles=[r for r in expected_roles if r not in signed],
        problems=([tail] if tail else []) + [str(c) for c in changed if METADATA_CHANGES_FAIL],
        document_timestamps=timestamps,
        metadata_changes=changed,
    )


def _changed_after_signing(
    reader: PdfFileReader, signed: Sequence[SignatureReport]
) -> list[MetadataChange]:
    """The metadata changes after the newest signature or document timestamp."""
    if not signed:
        return []
    return metadata_changes(reader, max(s.revision for s in signed))


#: The libraries that parse a PDF's objects, certificates and CMS on mougen's behalf.
#: (pyHanko is a namespace package: its folders are its ``__path__``, it has no ``__file__``.)
_READERS = tuple(
    os.path.join(folder, "")
    for m in (pyhanko, pyhanko_certvalidator, asn1crypto)
    for folder in m.__path__
)


def _raised_reading(exc: BaseException) -> bool:
    """Whether ``exc`` came from inside pyHanko or asn1crypto while they read the file.

    pyHanko meets an object of the wrong type in a malformed file (a number where an
    array belongs) as a TypeError or AttributeError; the same error in mougen's own code
    is a bug, and must not be reported as a bad file.
    """
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code.co_filename.startswith(_READERS)


def read_pdf(path: Path) -> bytes:
    """The bytes of the file at ``path``; :class:`PdfReadError` if unreadable or empty."""
    try:
        check_file_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise PdfReadError(f"cannot read ({exc.strerror})", path) from exc
    if not data:
        raise PdfReadError("empty file, not a PDF", path)
    return data


class _RevocationInfo:
    """CRLs, OCSP responses and certificates found in the document or a signature."""

    def __init__(
        self,
        crls: Iterable[crl.CertificateList] = (),
        ocsps: Iterable[ocsp.OCSPResponse] = (),
        certs: Iterable[x509.Certificate] = (),
    ) -> None:
        self.crls: list[crl.CertificateList] = list(crls)
        self.ocsps: list[ocsp.OCSPResponse] = list(ocsps)
        self.certs: list[x509.Certificate] = list(certs)

    def __add__(self, other: _RevocationInfo) -> _RevocationInfo:
        return _RevocationInfo(
            self.crls + other.crls, self.ocsps + other.ocsps, self.certs + other.certs
        )


def _dss_revinfo(reader: PdfFileReader) -> _RevocationInfo:
    """The validation data in the document security store (empty without a DSS)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return _RevocationInfo()
    return _RevocationInfo(
        [crl.CertificateList.load(ref.get_object().data) for ref in dss.crls],
        [ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps],
        dss.load_certs(),
    )


def _archived_revinfo(signer_info: cms.SignerInfo) -> _RevocationInfo:
    """The CRLs and OCSP responses in the signature's adbe-revocationInfoArchival attribute."""
    try:
        archival = find_unique_cms_attribute(
            signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
    except (NonexistentAttributeError, MultivaluedAttributeError):
        return _RevocationInfo()
    return _RevocationInfo(list(archival["crl"] or ()), list(archival["ocsp"] or ()))


def _check_field(
    reader: PdfFileReader,
    fq_name: str,
    field_ref: Any,
    settings: Settings,
    dss: _RevocationInfo,
    moment: datetime,
    inputs: LongTermInputs,
) -> SignatureReport:
    try:
        embedded = EmbeddedSignature(reader, field_ref, fq_name)
        revinfo = dss + _archived_revinfo(embedded.signer_info)
        _ = embedded.signer_cert  # a CMS without its signer's certificate fails here, not later
    except PdfDecodeLimitError:
        raise  # the whole file is too large, not just this signature
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        return failed_report(reader, fq_name, field_ref, f"unreadable signature ({exc})")
    if unsupported_digest(embedded.md_algorithm):
        reason = f"unsupported digest algorithm {embedded.md_algorithm}"
        return failed_report(reader, fq_name, field_ref, reason, embedded=embedded)
    signer_context, tsa_context = _contexts(embedded, settings, revinfo, moment)
    try:
        if is_document_timestamp(embedded):  # long-term hook: PAdES B-LTA's timestamps
            stamp = validate_pdf_timestamp(embedded, tsa_context, diff_policy=MOUGEN_DIFF_POLICY)
            return timestamp_report(embedded, stamp, inputs)
        status: PdfSignatureStatus = validate_pdf_signature(
            embedded,
            signer_context,
            ts_validation_context=tsa_context,
            diff_policy=MOUGEN_DIFF_POLICY,
            key_usage_settings=SIGNING_KEY_USAGE,
        )
    except PdfDecodeLimitError:
        raise
    except (SignatureValidationError, PdfError, ValueError) as exc:
        return failed_report(reader, fq_name, field_ref, str(exc), embedded=embedded, error=exc)
    status = with_ocsp_revocation(status, embedded.signer_cert, signer_context)  # revinfo hook
    return reconsider(judge(embedded, status, moment), embedded, inputs)  # long-term hook


def _contexts(
    embedded: EmbeddedPdfSignature,
    settings: Settings,
    revinfo: _RevocationInfo,
    moment: datetime,
) -> tuple[ValidationContext, ValidationContext]:
    """The validation contexts for the signer, and for its timestamps' TSAs, at ``moment``.

    The TSA's context has no signer revocation rule: the signer's is not their TSA's.
    """
    all_crls = [*settings.crls, *revinfo.crls]
    known = partial(
        ValidationContext,
        other_certs=revinfo.certs,
        crls=all_crls,
        ocsps=revinfo.ocsps,
        allow_fetching=settings.allow_fetch,
        moment=moment,
    )
    signer = known(
        trust_roots=list(settings.trust_roots),
        revinfo_policy=revocation_policy(embedded.signer_cert, all_crls, revinfo.ocsps),
    )
    tsa = known(trust_roots=[*settings.trust_roots, *settings.tsa_roots])
    return signer, tsa

"""Signing one role's field of an MoU PDF: PAdES, as an incremental update."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from mougen.atomic import write_bytes
from mougen.errors import OutputError, PdfReadError, SigningError
from mougen.errors import innermost_message as _reason
from mougen.roles import role as find_role
from mougen.signing.levels import Level
from mougen.signing.ltv import ValidationData, certificates_without_revocation_data
from mougen.signing.stamp import stamp_params, stamp_style
from mougen.verify.validate import read_pdf

#: Key usages that allow a certificate to sign documents (either one will do).
SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


@dataclass(frozen=True)
class SignResult:
    """What ``sign_pdf`` wrote: the file, the field, who signed, and the PAdES level."""

    out: Path
    field: str
    signer: str
    level: str
    sha256: str


def sign_pdf(
    pdf: Path,
    role: str,
    signer: Signer,
    out: Path,
    *,
    level: Level | None = None,
    tsa_url: str | None = None,
    validation_data: ValidationData | None = None,
) -> SignResult:
    """Sign the field named ``role`` in ``pdf`` at a PAdES ``level`` and write it to ``out``.

    The level defaults to B-T with ``tsa_url``, else B-B. B-T and above take their timestamps
    from ``tsa_url``; B-LT and B-LTA embed the chains and revocation data that
    ``validation_data`` holds or fetches, and are refused when some are missing. A signer
    that its revocation data revokes is refused. Nothing is written if any check fails.
    """
    level = level or (Level.B_T if tsa_url else Level.B_B)
    the_role = find_role(role)
    if out.resolve() == pdf.resolve():
        raise OutputError("output must be a new file, not the input", out)
    if level.long_term and validation_data is None:
        raise ValueError("B-LT and B-LTA need validation_data")
    timestamper = _timestamper(level, tsa_url)
    writer = _open_pdf(pdf)
    _check_field_unsigned(writer.prev, role, pdf)
    cert = signer.signing_cert
    name = common_name(cert)
    check_can_sign(cert, datetime.now(UTC))
    if validation_data is not None:
        validation_data.check_not_revoked(signer)
    meta = PdfSignatureMetadata(
        field_name=role,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=name,
        embed_validation_info=level.long_term,
        use_pades_lta=level.archival,
        validation_context=validation_data.context(signer) if validation_data else None,
        # check_can_sign() accepts either signing usage; pyHanko's check would demand both.
        signer_key_usage=set(),
    )
    pdf_signer = PdfSigner(meta, signer, timestamper=timestamper, stamp_style=stamp_style())
    try:
        signed = pdf_signer.sign_pdf(
            writer, existing_fields_only=True, appearance_text_params=stamp_params(the_role)
        ).getvalue()
    except TimestampRequestError as exc:
        raise SigningError(f"timestamp server {tsa_url} failed: {_reason(exc)}", pdf) from None
    except PyHankoSigningError as exc:
        raise SigningError(f"cannot sign: {_reason(exc)}", pdf) from None
    except (PathBuildingError, PathValidationError) as exc:
        raise SigningError(f"cannot make PAdES {level}: {exc}", pdf) from None
    if level.long_term:
        _check_revocation_data_embedded(signed, level, pdf)
    write_bytes(out, signed)
    return SignResult(out, role, name, level.value, hashlib.sha256(signed).hexdigest())


def common_name(cert: x509.Certificate) -> str:
    """The certificate subject's common name, or its whole name if it has none."""
    return cert.subject.native.get("common_name") or cert.subject.human_friendly


def check_can_sign(cert: x509.Certificate, when: datetime) -> None:
    """Raise ``SigningError`` unless ``cert`` is in date at ``when`` and allowed to sign."""
    who = common_name(cert)
    if when < cert.not_valid_before:
        raise SigningError(f"the certificate of {who} is not valid until {cert.not_valid_before}")
    if when > cert.not_valid_after:
        raise SigningError(f"the certificate of {who} expired on {cert.not_valid_after}")
    usages = cert.key_usage_value
    if usages is not None and not SIGNING_USAGES & set(usages.native):
        raise SigningError(
            f"the certificate of {who} may not sign documents "
            f"(its key usage is {', '.join(sorted(usages.native))})"
        )


def _open_pdf(pdf: Path) -> IncrementalPdfFileWriter:
    data = read_pdf(pdf)
    try:
        return IncrementalPdfFileWriter(BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PdfReadError(f"not a readable PDF ({_reason(exc)})", pdf) from None


def _check_field_unsigned(reader: PdfFileReader, role: str, pdf: Path) -> None:
    fields = {name: value for name, value, _ in enumerate_sig_fields(reader)}
    if role not in fields:
        present = ", ".join(sorted(fields)) or "none"
        raise SigningError(f"no signature field {role!r} (fields present: {present})", pdf)
    if fields[role] is not None:
        raise SigningError(f"field {role!r} is already signed{_signed_by(reader, role)}", pdf)


def _signed_by(reader: PdfFileReader, role: str) -> str:
    for sig in reader.embedded_signatures:
        if sig.field_name == role:
            try:
                return f" by {common_name(sig.signer_cert)}"
            except Exception:  # a damaged signature still means the field is taken
                return ""
    return ""


def _timestamper(level: Level, tsa_url: str | None) -> HTTPTimeStamper | None:
    if not level.timestamped:
        return None
    if not tsa_url:
        raise SigningError(f"PAdES {level} needs a timestamp: give --tsa URL")
    return HTTPTimeStamper(tsa_url)


def _check_revocation_data_embedded(signed: bytes, level: Level, pdf: Path) -> None:
    """Refuse to claim B-LT (or B-LTA) for a file whose DSS lacks some revocation data."""
    missing = certificates_without_revocation_data(signed)
    if missing:
        raise SigningError(
            f"cannot make PAdES {level}: no CRL or OCSP response for {'; '.join(missing)} "
            "(give --crl FILE, or --allow-fetch to fetch them)",
            pdf,
        )

"""Signing one role's field of an MoU PDF: PAdES, as an incremental update."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from mougen.atomic import write_new
from mougen.digest import sha256_hex
from mougen.errors import OutputError, PdfReadError, SigningError
from mougen.printable import printable
from mougen.roles import role as find_role
from mougen.signing.field_owner import FieldOwner, check_binding
from mougen.signing.stamp import Stamp
from mougen.verify.revision import first_revision_bytes_of
from mougen.verify.validate import read_pdf

#: Key usages that allow a certificate to sign documents (either one will do).
SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


@dataclass(frozen=True)
class SignResult:
    """What ``sign_pdf`` wrote: the file, the field, who signed, and the PAdES level.

    ``note`` says what could not be checked (the authority of a programme certificate,
    when the PDF's issue is unknown) or drawn (letters no stamp font has).
    """

    out: Path
    field: str
    signer: str
    level: str
    sha256: str
    note: str | None = None


def sign_pdf(
    pdf: Path,
    role: str,
    signer: Signer,
    out: Path,
    *,
    tsa_url: str | None = None,
    with_validation_info: bool = False,
    validation_context: ValidationContext | None = None,
    owner_of: Callable[[str], FieldOwner | None] | None = None,
) -> SignResult:
    """Sign the field named ``role`` in ``pdf`` and write the result to the new file ``out``.

    The signature is PAdES B-B; with ``tsa_url`` it carries a timestamp (B-T), and with
    ``with_validation_info`` the chain and revocation data from ``validation_context`` are
    embedded (B-LT). ``owner_of`` finds whom the PDF was issued to from the SHA-256 of its
    issued (unsigned) revision: the stamp then names the council, and a programme
    certificate must be for that authority. Nothing is written if any check fails.
    """
    the_role = find_role(role)
    check_new_output(pdf, out)
    if with_validation_info and validation_context is None:
        raise ValueError("with_validation_info needs a validation_context")
    level = "B-LT" if with_validation_info else "B-T" if tsa_url else "B-B"
    data = read_pdf(pdf)
    with _readable(pdf):
        writer = _open_pdf(data, pdf)
        _check_field_unsigned(writer.prev, role, pdf)
        owner = owner_of(_issued_sha256(writer.prev, data)) if owner_of else None
        cert = signer.signing_cert
        name = common_name(cert)
        check_can_sign(cert, datetime.now(UTC))
        note = check_binding(cert, role, owner)
        meta = PdfSignatureMetadata(
            field_name=role,
            subfilter=SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            name=name,
            embed_validation_info=with_validation_info,
            validation_context=validation_context,
            # check_can_sign() accepts either signing usage; pyHanko's would demand both.
            signer_key_usage=set(),
        )
        stamp = Stamp(name, the_role, owner.council if owner else None)
        signed = _signed(writer, meta, signer, stamp, tsa_url, level, pdf)
    write_new(out, signed)
    notes = "; ".join(n for n in (note, stamp.note) if n) or None
    return SignResult(out, role, name, level, sha256_hex(signed), notes)


def _signed(
    writer: IncrementalPdfFileWriter,
    meta: PdfSignatureMetadata,
    signer: Signer,
    stamp: Stamp,
    tsa_url: str | None,
    level: str,
    pdf: Path,
) -> bytes:
    """The signed PDF pyHanko writes, its failures as one line about ``pdf``."""
    timestamper = HTTPTimeStamper(tsa_url) if tsa_url else None
    pdf_signer = PdfSigner(meta, signer, timestamper=timestamper, stamp_style=stamp.style())
    try:
        return pdf_signer.sign_pdf(
            writer, existing_fields_only=True, appearance_text_params=stamp.params()
        ).getvalue()
    except TimestampRequestError as exc:
        raise SigningError(f"timestamp server {tsa_url} failed: {_reason(exc)}", pdf) from None
    except (PathBuildingError, PathValidationError) as exc:
        raise SigningError(f"cannot make PAdES {level}: {_reason(exc)}", pdf) from None
    except PyHankoSigningError as exc:
        raise SigningError(f"cannot sign: {_reason(exc)}", pdf) from None


def check_new_output(pdf: Path, out: Path) -> None:
    """Refuse an output that is the input or an existing file: a signed copy is never replaced."""
    if out.resolve() == pdf.resolve():
        raise OutputError("output must be a new file, not the input", out)
    if out.exists() or out.is_symlink():
        raise OutputError("already exists: give a new file name", out)


def common_name(cert: x509.Certificate) -> str:
    """The certificate subject's common name, or its whole name if it has none."""
    return cert.subject.native.get("common_name") or cert.subject.human_friendly


def check_can_sign(cert: x509.Certificate, when: datetime) -> None:
    """Raise ``SigningError`` unless ``cert`` is in date at ``when`` and allowed to sign."""
    who = printable(common_name(cert))
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


def _open_pdf(data: bytes, pdf: Path) -> IncrementalPdfFileWriter:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            raise SigningError("the PDF is encrypted: sign the MoU as it was issued", pdf)
        return IncrementalPdfFileWriter.from_reader(reader)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PdfReadError(f"not a readable PDF ({_reason(exc)})", pdf) from None


def _issued_sha256(reader: PdfFileReader, data: bytes) -> str:
    """The SHA-256 of the PDF as issued: the revision before its first signature, if any."""
    return sha256_hex(first_revision_bytes_of(reader, data) or data)


@contextmanager
def _readable(pdf: Path) -> Iterator[None]:
    """Turn the RecursionError of absurdly nested objects into one line about the file."""
    try:
        yield
    except RecursionError:
        raise PdfReadError("objects nested too deeply to read (a damaged PDF?)", pdf) from None


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
                return f" by {printable(common_name(sig.signer_cert))}"
            except Exception:  # a damaged signature still means the field is taken
                return ""
    return ""


def _reason(exc: BaseException) -> str:
    """The innermost cause's message, which says what actually went wrong."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__

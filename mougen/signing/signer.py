"""Signing one role's field of an MoU PDF: PAdES, as an incremental update."""

from __future__ import annotations

import functools
import time
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
from pyhanko_certvalidator.errors import PathError, ValidationError

from mougen.atomic import write_new
from mougen.digest import sha256_hex
from mougen.errors import OutputError, PdfReadError, SigningError, pdf_problem
from mougen.errors import innermost_message as _reason
from mougen.printable import printable
from mougen.roles import role as find_role
from mougen.signing.chain import WHAT_TO_PASS, common_name, plain_problem
from mougen.signing.field_owner import FieldOwner, check_binding
from mougen.signing.levels import Level
from mougen.signing.ltv import ValidationData, certificates_without_revocation_data
from mougen.signing.stamp import Stamp
from mougen.verify.revision import first_revision_bytes_of
from mougen.verify.validate import read_pdf

#: Key usages that allow a certificate to sign documents (either one will do).
SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


@dataclass(frozen=True)
class SignResult:
    """What ``sign_pdf`` wrote: the file, the field, who signed, and the PAdES level.

    ``note`` says what could not be checked (the authority of a programme certificate,
    when the PDF's issue is unknown) or drawn (letters no stamp font has). ``untrusted_root``
    names the root (or the issuer) of a signer whose chain reaches none of the trusted roots:
    the file is signed, but a verifier trusting no more will not count the signature.
    """

    out: Path
    field: str
    signer: str
    level: str
    sha256: str
    note: str | None = None
    untrusted_root: str | None = None


def sign_pdf(
    pdf: Path,
    role: str,
    signer: Signer,
    out: Path,
    *,
    level: Level | None = None,
    tsa_url: str | None = None,
    validation_data: ValidationData | None = None,
    owner_of: Callable[[str], FieldOwner | None] | None = None,
    when: datetime,
) -> SignResult:
    """Sign the field named ``role`` in ``pdf`` at a PAdES ``level``; write the new file ``out``.

    ``when`` is the time the signer's certificate must be valid at (the caller's clock).

    The level defaults to B-T with ``tsa_url``, else B-B. B-T and above take their timestamps
    from ``tsa_url``; B-LT and B-LTA embed the chains and revocation data that
    ``validation_data`` holds or fetches, and are refused when some are missing or the
    signer's chain cannot be built. B-B and B-T need no chain: a signer whose chain reaches
    none of ``validation_data``'s roots signs, and the result names its root
    (``untrusted_root``). A signer that its revocation data revokes is refused. ``owner_of``
    finds whom the PDF was issued to from the SHA-256 of its issued (unsigned) revision: the
    stamp then names the council, and a programme certificate must be for that authority.
    Nothing is written if any check fails.
    """
    level = level or (Level.B_T if tsa_url else Level.B_B)
    the_role = find_role(role)
    check_new_output(pdf, out)
    if level.long_term and validation_data is None:
        raise ValueError("B-LT and B-LTA need validation_data")
    timestamper = _timestamper(level, tsa_url)
    data = read_pdf(pdf)
    with _readable(pdf):
        writer = _open_pdf(data, pdf)
        _check_field_unsigned(writer.prev, role, pdf)
        owner = owner_of(_issued_sha256(writer.prev, data)) if owner_of else None
        cert = signer.signing_cert
        name = common_name(cert)
        check_can_sign(cert, when)
        note = check_binding(cert, role, owner)
        untrusted = _check_chain(signer, level, validation_data)
        meta = PdfSignatureMetadata(
            field_name=role,
            subfilter=SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            name=name,
            embed_validation_info=level.long_term,
            use_pades_lta=level.archival,
            # B-B and B-T need no validated chain: whether it counts is the verifier's call.
            validation_context=validation_data.context(signer)
            if validation_data and level.long_term
            else None,
            # check_can_sign() accepts either signing usage; pyHanko's would demand both.
            signer_key_usage=set(),
        )
        box = _field_box(writer.prev, role)
        stamp = Stamp(name, the_role, owner.council if owner else None, box)
        signed = _signed(writer, meta, signer, stamp, timestamper, level, pdf)
    if level.long_term:
        _check_revocation_data_embedded(signed, level, pdf)
    write_new(out, signed)
    notes = "; ".join(n for n in (note, stamp.note) if n) or None
    return SignResult(out, role, name, level.value, sha256_hex(signed), notes, untrusted)


def _check_chain(signer: Signer, level: Level, data: ValidationData | None) -> str | None:
    """Refuse a signer the CRLs revoke, or one whose chain a long-term level cannot build;
    return the root a short-term signature's chain does not reach among the trusted ones."""
    if data is None:
        return None
    data.check_not_revoked(signer)
    if level.long_term:
        data.check_chain(signer, level.value)
        return None
    return data.untrusted_root(signer)


def _signed(
    writer: IncrementalPdfFileWriter,
    meta: PdfSignatureMetadata,
    signer: Signer,
    stamp: Stamp,
    timestamper: HTTPTimeStamper | None,
    level: Level,
    pdf: Path,
) -> bytes:
    """The signed PDF pyHanko writes, its failures as one line about ``pdf``."""
    pdf_signer = PdfSigner(meta, signer, timestamper=timestamper, stamp_style=stamp.style())
    try:
        return pdf_signer.sign_pdf(writer, existing_fields_only=True).getvalue()
    except TimestampRequestError as exc:
        url = timestamper.url if timestamper is not None else "?"
        raise SigningError(f"timestamp server {url} failed: {_reason(exc)}", pdf) from None
    except (PathError, ValidationError, PyHankoSigningError) as exc:
        problem = plain_problem(exc)
        if problem is None:
            raise SigningError(f"cannot sign: {_reason(exc)}", pdf) from None
        # The signer's own chain was checked before: this is the timestamp's, or the chain's
        # revocation data that pyHanko fetched or validated.
        what = f"a certificate of the signer or of the timestamp server {problem}"
        raise SigningError(f"cannot make PAdES {level}: {what}; {WHAT_TO_PASS}", pdf) from None


def check_new_output(pdf: Path, out: Path) -> None:
    """Refuse an output that is the input or an existing file: a signed copy is never replaced."""
    if out.resolve() == pdf.resolve():
        raise OutputError("output must be a new file, not the input", out)
    if out.exists() or out.is_symlink():
        raise OutputError("already exists: give a new file name", out)


def check_can_sign(cert: x509.Certificate, when: datetime) -> None:
    """Raise ``SigningError`` unless ``cert`` is in date at ``when`` and allowed to sign."""
    who = printable(common_name(cert))
    if when < cert.not_valid_before:
        start = _in_words(cert.not_valid_before)
        raise SigningError(f"the certificate of {who} is not valid until {start}: it cannot sign")
    if when > cert.not_valid_after:
        end = _in_words(cert.not_valid_after)
        raise SigningError(f"the certificate of {who} expired on {end}: it cannot sign")
    usages = cert.key_usage_value
    if usages is not None and not SIGNING_USAGES & set(usages.native):
        raise SigningError(
            f"the certificate of {who} may not sign documents "
            f"(its key usage is {', '.join(sorted(usages.native))})"
        )


def _in_words(moment: datetime) -> str:
    """A certificate's validity bound as a person writes it: "3 December 2026, 14:05 UTC"."""
    utc = moment.astimezone(UTC)
    return f"{utc.day} {utc:%B %Y, %H:%M} UTC"


def _open_pdf(data: bytes, pdf: Path) -> IncrementalPdfFileWriter:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            raise SigningError("the PDF is encrypted: sign the MoU as it was issued", pdf)
        return IncrementalPdfFileWriter.from_reader(reader)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PdfReadError(f"not a readable PDF ({pdf_problem(exc)})", pdf) from None


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


def _field_box(reader: PdfFileReader, role: str) -> tuple[float, float]:
    """The width and height of the widget of the signature field ``role``."""
    for name, _, ref in enumerate_sig_fields(reader):
        if name == role:
            field = ref.get_object()
            widget = field if "/Rect" in field else field["/Kids"][0].get_object()
            x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
            return abs(x1 - x0), abs(y1 - y0)
    raise AssertionError(f"{role} was checked to be a field")


def _signed_by(reader: PdfFileReader, role: str) -> str:
    for sig in reader.embedded_signatures:
        if sig.field_name == role:
            try:
                return f" by {printable(common_name(sig.signer_cert))}"
            except Exception:  # a damaged signature still means the field is taken
                return ""
    return ""


def _timestamper(level: Level, tsa_url: str | None) -> HTTPTimeStamper | None:
    if not level.timestamped:
        return None
    if not tsa_url:
        raise SigningError(f"PAdES {level} needs a timestamp: give --tsa URL")
    # Elapsed time, not the date: it only renews the stamper (no clock read in issue 16's sense).
    return _stamper(tsa_url, int(time.monotonic() // STAMPER_SECONDS))


#: How long one stamper, and the sample timestamp it sizes signatures by, serves a server.
STAMPER_SECONDS = 3600


@functools.lru_cache(maxsize=8)
def _stamper(tsa_url: str, period: int) -> HTTPTimeStamper:
    """The stamper for ``tsa_url`` in this ``period``. pyHanko's stamper asks its server for
    a sample timestamp to size the signature by, once: a stamper made per signature doubled
    the requests to the server (the space reserved keeps pyHanko's 50% margin over the
    sample, so a renewed TSA certificate within the period still fits)."""
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

"""Archive extension: a fresh document timestamp, with the validation data it needs, on every
archived file whose newest proof is about to expire.

The archive stays append-only: the extended file is an incremental update of the old one, so
it is filed beside it under its own hash, and the old file is never touched. The tracker
records the lineage and points the signatures at the newest version.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import add_validation_info
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from mougen.archival.horizon import protection_expires
from mougen.digest import sha256_hex
from mougen.errors import MougenError, innermost_message, pdf_problem
from mougen.pki import region_trust_roots
from mougen.pki.revocation import crl_path
from mougen.signing.chain import plain_problem
from mougen.signing.ltv import FETCHED_DATA_TOLERANCE, certificates_without_revocation_data
from mougen.tracker import Tracker
from mougen.verify.trust import load_crls, load_trust_roots
from mougen.workflow.filing import file_signed
from mougen.workspace import Workspace


@dataclass(frozen=True)
class Extension:
    """One archived file extended: the old version, the new one, and when the old one's
    newest proof expires (or expired)."""

    old: Path
    new: Path
    expires: datetime


@dataclass(frozen=True)
class ExtendOutcome:
    """What ``extend_archive`` did: the files it extended and the ones it could not."""

    extended: tuple[Extension, ...]
    problems: tuple[MougenError, ...]


def extend_archive(
    ws: Workspace,
    tracker: Tracker,
    *,
    when: datetime,
    before: timedelta,
    tsa_url: str | None = None,
) -> ExtendOutcome:
    """Extend each newest archived version whose proof expires within ``before`` of ``when``.

    The timestamp comes from ``tsa_url``, else from the region's ``tsa_url`` in config.
    """
    horizon = when + before
    extended, problems = [], []
    for path, data in newest_versions(ws):
        try:
            expires = _expiry(data, path)
            if expires is None or expires > horizon:
                continue
            new = _extend_one(ws, tracker, path, data, tsa_url)
        except MougenError as exc:
            problems.append(exc)
            continue
        extended.append(Extension(path, new, expires))
    return ExtendOutcome(tuple(extended), tuple(problems))


def newest_versions(ws: Workspace) -> Iterator[tuple[Path, bytes]]:
    """Each archived file that no later version extends (a later version starts with it)."""
    for folder in sorted({p.parent for p in ws.signed_dir.glob("*/*/*.pdf")}):
        files = {p: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}
        for path, data in files.items():
            if not any(o != path and other.startswith(data) for o, other in files.items()):
                yield path, data


def extend_bytes(data: bytes, tsa_url: str, context: ValidationContext, name: Path) -> bytes:
    """``data`` with validation data and a new document timestamp (from ``tsa_url``) added."""
    stream = BytesIO(data)
    try:
        if not PdfFileReader(stream, strict=False).embedded_timestamp_signatures:
            # Nothing vouches for the signatures yet: give each its validation data first.
            count = len(PdfFileReader(stream, strict=False).embedded_regular_signatures)
            for index in range(count):
                signature = PdfFileReader(stream, strict=False).embedded_regular_signatures[index]
                add_validation_info(signature, context, in_place=True)
        reader = PdfFileReader(stream, strict=False)
        stamper = PdfTimeStamper(HTTPTimeStamper(tsa_url))
        stamper.update_archival_timestamp_chain(reader, context, in_place=True)
    except TimestampRequestError as exc:
        raise MougenError(
            f"timestamp server {tsa_url} failed: {innermost_message(exc)}", name
        ) from None
    except (
        PathBuildingError,
        PathValidationError,
        SignatureValidationError,
        PyHankoSigningError,
        PdfError,
    ) as exc:
        problem = plain_problem(exc)
        why = f"a certificate in it {problem}" if problem else innermost_message(exc)
        raise MougenError(f"cannot extend: {why}", name) from None
    extended = stream.getvalue()
    missing = certificates_without_revocation_data(extended)
    if missing:
        raise MougenError(f"cannot extend: no CRL or OCSP response for {'; '.join(missing)}", name)
    return extended


def _extend_one(
    ws: Workspace, tracker: Tracker, path: Path, data: bytes, tsa_url: str | None
) -> Path:
    mou, authority = path.parent.parent.name, path.parent.name
    region = ws.catalog.mou(mou).region
    url = tsa_url or region.tsa_url
    if not url:
        raise MougenError(f"no timestamp server: give --tsa, or set tsa_url for {region.id}")
    extended = extend_bytes(data, url, _context(ws, region.id), path)
    new = file_signed(ws, mou, authority, extended)
    tracker.record_extension(
        mou=mou,
        authority=authority,
        from_sha256=sha256_hex(data),
        archive_path=new.relative_to(ws.root).as_posix(),
        file_sha256=sha256_hex(extended),
    )
    return new


def _expiry(data: bytes, path: Path) -> datetime | None:
    try:
        return protection_expires(PdfFileReader(BytesIO(data), strict=False))
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise MougenError(f"not a readable signed PDF ({pdf_problem(exc)})", path) from None


def _context(ws: Workspace, region_id: str) -> ValidationContext:
    """The region's roots and CRL; the rest is fetched (extension needs the TSA anyway)."""
    crl = crl_path(ws, region_id)
    return ValidationContext(
        trust_roots=load_trust_roots(region_trust_roots(ws, region_id)),
        crls=load_crls([crl] if crl.is_file() else []),
        allow_fetching=True,
        time_tolerance=FETCHED_DATA_TOLERANCE,
    )

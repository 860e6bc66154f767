"""The issued document inside a signed PDF: the bytes before the first signature's revision."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from mougen.errors import PdfReadError, pdf_problem

_EOF = b"%%EOF"
# PDF white-space characters (ISO 32000-1, 7.2.2), which may pad the end of a file.
_WHITESPACE = b"\x00\t\n\x0c\r "


def first_revision_bytes(path: Path) -> bytes:
    """The PDF at ``path`` as it was before anyone signed it.

    That is every byte up to the end of the revision preceding the first signature's revision:
    for a PDF that ``pack`` issued and signatories then signed incrementally, exactly the
    issued file. Raises :class:`PdfReadError` if the file is unreadable or unsigned.
    """
    try:
        data = path.read_bytes()
        first = first_revision_bytes_of(PdfFileReader(io.BytesIO(data), strict=False), data)
    except OSError as exc:
        raise PdfReadError(f"cannot read ({exc.strerror})", path) from exc
    except (PdfError, ValueError, KeyError) as exc:
        raise PdfReadError(f"not a readable PDF ({pdf_problem(exc)})", path) from exc
    if first is None:
        raise PdfReadError("not signed: there is no revision before a signature", path)
    return first


def first_revision_bytes_of(reader: PdfFileReader, data: bytes) -> bytes | None:
    """:func:`first_revision_bytes` for an open reader over ``data``; None if nothing is signed."""
    revisions = [
        reader.xrefs.get_last_change(value.reference)
        for _, value, _ in enumerate_sig_fields(reader, filled_status=True)
        if isinstance(value, generic.IndirectObject)
    ]
    if not revisions or min(revisions) == 0:
        return None
    return data[: revision_end(reader, data, min(revisions) - 1)]


def unreferenced_tail(reader: PdfFileReader, data: bytes) -> str | None:
    """What lies after the last revision's ``%%EOF`` beyond whitespace, in a line, or None.

    Bytes there belong to no revision: no xref section points at them, so readers differ on
    whether objects written there count (and a signature covers none of them).
    """
    end = revision_end(reader, data, reader.xrefs.total_revisions - 1)
    tail = data[end:]
    if not tail.strip(_WHITESPACE):
        return None
    objects = len(re.findall(rb"\d+\s+\d+\s+obj\b", tail))
    return (
        f"{len(tail)} bytes ({objects} object(s)) after the last revision, outside any xref section"
    )


def revision_end(reader: PdfFileReader, data: bytes, revision: int) -> int:
    """The offset just past the ``%%EOF`` line that closes ``revision``."""
    xref_end = reader.xrefs.get_xref_container_info(revision).end_location
    eof = data.find(_EOF, xref_end)
    if eof < 0:
        raise PdfReadError(f"revision {revision} has no %%EOF marker")
    end = eof + len(_EOF)
    if data[end : end + 2] == b"\r\n":
        return end + 2
    return end + 1 if data[end : end + 1] in (b"\r", b"\n") else end

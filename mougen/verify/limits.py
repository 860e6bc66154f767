"""How big a file mougen will verify: limits that bound the time and memory one file can take.

A MoU has a handful of revisions (issued, three signatures, validation data, archive
timestamps) and a few thousand objects at most. The limits sit far above that, and far below
what makes verification take minutes or gigabytes. Decompression is bounded by pyHanko's own
decode limits for untrusted input (per stream, and for the document as a whole).
"""

from __future__ import annotations

from pyhanko.pdf_utils.decode_limits import DecodeLimits
from pyhanko.pdf_utils.reader import PdfFileReader

from mougen.errors import PdfReadError

#: A signed MoU with its validation data and archive timestamps is a few MB (the web takes
#: uploads of 20 MB); a file far beyond that is refused before it is read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_REVISIONS = 2_000
MAX_OBJECTS = 100_000
MAX_SIGNATURES = 50

#: pyHanko's limits on decompressed data for untrusted input: 256 MiB per stream (less for
#: object streams and metadata), and for the whole document the larger of 256 MiB and 100
#: times the file's size.
DECODE_LIMITS = DecodeLimits.for_untrusted_input()


def check_file_size(size: int, name: str) -> None:
    """Refuse a file bigger than any signed MoU, in one line."""
    if size > MAX_FILE_BYTES:
        raise _too_large(f"{size:,} bytes", MAX_FILE_BYTES, name)


def check_size(reader: PdfFileReader, object_numbers: int, name: str) -> None:
    """Refuse a file whose revisions or objects exceed the limits, in one line."""
    revisions = reader.xrefs.total_revisions
    if revisions > MAX_REVISIONS:
        raise _too_large(f"{revisions:,} revisions", MAX_REVISIONS, name)
    if object_numbers > MAX_OBJECTS:
        raise _too_large(f"{object_numbers:,} objects", MAX_OBJECTS, name)


def check_signature_count(count: int, name: str) -> None:
    """Refuse a file with more signatures than any MoU needs (each costs a full review)."""
    if count > MAX_SIGNATURES:
        raise _too_large(f"{count:,} signatures", MAX_SIGNATURES, name)


def _too_large(found: str, limit: int, name: str) -> PdfReadError:
    return PdfReadError(f"too large to verify: {found} (the limit is {limit:,})", name)

"""pyHanko's reader of PDF hex strings (``<4F6B>``), reading the string in one go.

pyHanko 0.38 reads a hex string one byte per call, through a generator and its whitespace
and comment scanner. A signature's ``/Contents`` is such a string, about 10,000 hex digits
for a programme signature, so reading the three of a signed MoU took about a quarter of
verifying it (5 ms each; in one go, under 0.05 ms). :func:`read_hex_string` finds the closing
``>``, and when everything before it is hex digits and PDF whitespace (as every signature
writer makes it) decodes it at once; anything else (a comment, a stray character, no
closing ``>``) goes to pyHanko's own reader from the same place, so every result, error and
stream position is pyHanko's. docs/upstream/pyhanko-hex-strings.patch proposes the same
change to pyHanko; drop this module when a pyHanko release has it.

:func:`install` puts it in pyHanko's lexer (``generic.read_object`` looks the reader up by
name when it meets ``<``). It does so only on the pyHanko minor release pinned in
pyproject.toml, whose reader it was written against and tested with.
"""

from __future__ import annotations

import binascii
import re
from importlib.metadata import version
from typing import BinaryIO

from pyhanko.pdf_utils import generic

#: The pyHanko release this reader matches (pyproject.toml pins ``pyHanko>=0.38,<0.39``).
PYHANKO_SERIES = "0.38."

#: pyHanko's own reader, for everything the fast path leaves to it.
PYHANKO_READER = generic.read_hex_string_from_stream

_WHITESPACE = b" \n\r\t\f\x00"  # pyHanko's misc.PDF_WHITESPACE
_PLAIN = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*")
_CHUNK = 1 << 16


def read_hex_string(stream: BinaryIO) -> generic.ByteStringObject | generic.TextStringObject:
    """The hex string at the stream's position (its ``<``), as pyHanko reads it."""
    start = stream.tell()
    stream.read(1)  # the opening "<", as pyHanko's reader skips it unread
    body = _plain_up_to_closing(stream)
    if body is None:
        stream.seek(start)
        return PYHANKO_READER(stream)
    stream.seek(start + len(body) + 2)  # past the "<", the digits and the ">"
    digits = body.translate(None, _WHITESPACE)
    if len(digits) % 2:
        digits += b"0"  # PDF: a final odd digit is followed by an implied 0
    return generic.pdf_string(binascii.unhexlify(digits))


def _plain_up_to_closing(stream: BinaryIO) -> bytes | None:
    """The hex digits and whitespace before a ``>``; None if anything else, or the end of
    the stream, comes first. Scans no further than pyHanko's reader would."""
    chunks = []
    while chunk := stream.read(_CHUNK):
        plain = _PLAIN.match(chunk).end()  # type: ignore[union-attr]  # "*" always matches
        chunks.append(chunk[:plain])
        if plain < len(chunk):
            return b"".join(chunks) if chunk[plain] == ord(">") else None
    return None


def install() -> None:
    """Make pyHanko's lexer read hex strings with :func:`read_hex_string` (pinned release only)."""
    if version("pyhanko").startswith(PYHANKO_SERIES):
        generic.read_hex_string_from_stream = read_hex_string

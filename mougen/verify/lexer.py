"""pyHanko's PDF lexer, reading a hex string, a name or a keyword in one go.

pyHanko 0.38 reads these tokens one byte per call, through generators and its whitespace
scanner. A signature's ``/Contents`` is a hex string of about 10,000 digits for a programme
signature, so reading the three of a signed MoU took about a quarter of verifying it (5 ms
each; in one go, under 0.05 ms); names (``/StructElem``, ``/K``, some 1,200 in a tagged MoU)
and keywords took another 3 ms.

Each reader here takes the plain case at once (hex digits and PDF whitespace up to ``>``; a
name of printable ASCII without ``#`` escapes) and hands anything else (a comment, an
escape, a stray byte, the end of the stream) to pyHanko's own reader from the same place,
so every result, error and stream position is pyHanko's. docs/upstream/pyhanko-lexer.patch
proposes the same change to pyHanko; drop this module when a pyHanko release has it.

:func:`install` puts them in pyHanko's lexer (``generic.read_object`` and
``NameObject.read_from_stream`` look them up by name), only on the pyHanko minor release
pinned in pyproject.toml, whose readers they were written against and tested with.
"""

from __future__ import annotations

import binascii
import os
import re
from importlib.metadata import version
from typing import BinaryIO

from pyhanko.pdf_utils import generic

#: The pyHanko release these readers match (pyproject.toml pins ``pyHanko>=0.38,<0.39``).
PYHANKO_SERIES = "0.38."

#: pyHanko's own readers, for everything the fast paths leave to them.
PYHANKO_HEX_STRING = generic.read_hex_string_from_stream
PYHANKO_UNTIL_DELIMITER = generic.read_until_delimiter
PYHANKO_NAME = generic._decode_name

_WHITESPACE = b" \n\r\t\f\x00"  # pyHanko's misc.PDF_WHITESPACE
_HEX_RUN = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*")
_TOKEN_RUN = re.compile(rb"[^ \n\r\t\f\x00()<>\[\]{}/%]*")  # up to whitespace or a delimiter
_PLAIN_NAME = re.compile(rb"[!-~]*")  # printable ASCII; delimiters and "#" checked apart
_NOT_IN_PLAIN_NAME = frozenset(b"#()<>[]{}/%")
_HEX_CHUNK = 1 << 16
_TOKEN_CHUNK = 64  # a name or keyword is short; a larger read would only copy more


def read_hex_string(stream: BinaryIO) -> generic.ByteStringObject | generic.TextStringObject:
    """The hex string at the stream's position (its ``<``), as pyHanko reads it."""
    start = stream.tell()
    stream.read(1)  # the opening "<", as pyHanko's reader skips it unread
    body = _plain_hex_up_to_closing(stream)
    if body is None:
        stream.seek(start)
        return PYHANKO_HEX_STRING(stream)
    stream.seek(start + len(body) + 2)  # past the "<", the digits and the ">"
    digits = body.translate(None, _WHITESPACE)
    if len(digits) % 2:
        digits += b"0"  # PDF: a final odd digit is followed by an implied 0
    return generic.pdf_string(binascii.unhexlify(digits))


def _plain_hex_up_to_closing(stream: BinaryIO) -> bytes | None:
    """The hex digits and whitespace before a ``>``; None if anything else, or the end of
    the stream, comes first. Scans no further than pyHanko's reader would."""
    chunks = []
    while chunk := stream.read(_HEX_CHUNK):
        plain = _HEX_RUN.match(chunk).end()  # type: ignore[union-attr]  # "*" always matches
        chunks.append(chunk[:plain])
        if plain < len(chunk):
            return b"".join(chunks) if chunk[plain] == ord(">") else None
    return None


def read_until_delimiter(stream: BinaryIO) -> bytes:
    """The bytes up to whitespace, a delimiter or the end of the stream, left unread after,
    as pyHanko's ``misc.read_until_delimiter`` gives them."""
    chunks = []
    while chunk := stream.read(_TOKEN_CHUNK):
        token = _TOKEN_RUN.match(chunk).end()  # type: ignore[union-attr]  # "*" always matches
        chunks.append(chunk[:token])
        if token < len(chunk):
            stream.seek(token - len(chunk), os.SEEK_CUR)  # back to the delimiter
            break
    return b"".join(chunks)


def decode_name(name_bytes: bytes) -> generic.NameObject:
    """The name whose bytes (after its ``/``) are ``name_bytes``, as pyHanko decodes it."""
    if _PLAIN_NAME.fullmatch(name_bytes) is None or not _NOT_IN_PLAIN_NAME.isdisjoint(name_bytes):
        return PYHANKO_NAME(name_bytes)  # escapes, and the errors for bytes not allowed
    return generic.NameObject("/" + name_bytes.decode("ascii"))


def install() -> None:
    """Put these readers in pyHanko's lexer (on the pinned pyHanko release only)."""
    if version("pyhanko").startswith(PYHANKO_SERIES):
        generic.read_hex_string_from_stream = read_hex_string
        generic.read_until_delimiter = read_until_delimiter
        generic._decode_name = decode_name

"""mougen's hex-string reader gives what pyHanko's own gives, byte for byte and error for error.

Inputs are drawn mostly from hex digits and PDF whitespace, with the characters that send a
string to pyHanko's reader (a comment, a stray delimiter, a missing ``>``) mixed in, and
whatever follows the string; both readers must leave the stream at the same place.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from mougen.verify import hexstrings
from mougen.verify.hexstrings import PYHANKO_READER, read_hex_string

PLAIN = "0123456789abcdefABCDEF \n\r\t\f\x00"
ODD = "%>(<)/[]gG#\\"
texts = st.text(alphabet=st.sampled_from(PLAIN + ODD), max_size=60) | st.text(
    alphabet=st.sampled_from(PLAIN), max_size=300
)


def outcome(reader, data: bytes) -> tuple:
    """What ``reader`` makes of ``data``: the string's type and bytes, or the error, and where
    it left the stream."""
    stream = io.BytesIO(data)
    try:
        value = reader(stream)
    except Exception as exc:  # both readers must fail alike, whatever they raise
        return type(exc), str(exc), stream.tell()
    return type(value), value.original_bytes, stream.tell()


@settings(max_examples=600, deadline=None)
@given(body=texts, closed=st.booleans(), after=texts)
def test_same_as_pyhanko(body: str, closed: bool, after: str) -> None:
    data = ("<" + body + (">" if closed else "") + after).encode("latin-1")
    assert outcome(read_hex_string, data) == outcome(PYHANKO_READER, data)


@pytest.mark.parametrize(
    "data",
    [
        b"<4F6B>",
        b"<4f 6b\n0>",  # an odd digit: an implied 0 follows
        b"<>",
        b"<4F % a comment with a > in it\n6B> rest",  # pyHanko skips comments
        b"<4F6",  # no closing >
        b"<4F6G>",
        b"<FEFF004F006B>",  # UTF-16: a text string
        b"<" + b"ab" * 70_000 + b">",  # longer than one chunk
        b"<" + b"ab" * 70_000,
    ],
)
def test_same_as_pyhanko_on_edge_cases(data: bytes) -> None:
    assert outcome(read_hex_string, data) == outcome(PYHANKO_READER, data)


def test_installed_in_pyhankos_lexer() -> None:
    """Verification reads through it: importing the validator installs it."""
    import mougen.verify.validate  # noqa: F401

    assert generic.read_hex_string_from_stream is read_hex_string
    assert generic.read_object(io.BytesIO(b"<4F6B>"), None).original_bytes == b"Ok"


def test_not_installed_on_another_pyhanko_release(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generic, "read_hex_string_from_stream", PYHANKO_READER)
    monkeypatch.setattr(hexstrings, "version", lambda _name: "0.39.0")
    hexstrings.install()
    assert generic.read_hex_string_from_stream is PYHANKO_READER

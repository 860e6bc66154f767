"""mougen's lexer readers give what pyHanko's own give, byte for byte and error for error.

Inputs are drawn mostly from what the fast paths take (hex digits and whitespace; printable
name characters), with the bytes that send a token to pyHanko's reader (a comment, a ``#``
escape, a delimiter, a byte outside ASCII, a missing ``>``) mixed in, and whatever follows;
both readers must leave the stream at the same place.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from mougen.verify import lexer
from mougen.verify.lexer import (
    PYHANKO_HEX_STRING,
    PYHANKO_NAME,
    PYHANKO_UNTIL_DELIMITER,
    decode_name,
    read_hex_string,
    read_until_delimiter,
)

HEX = "0123456789abcdefABCDEF \n\r\t\f\x00"
NAME = "abcXYZ019_-.:*!~"
ODD = "%>(<)/[]{}#gG\\ \n\x7f\x80\xe9"


def chars(plain: str) -> st.SearchStrategy[bytes]:
    """Byte strings mostly of ``plain``, sometimes with the odd bytes among them."""
    mixed = st.text(alphabet=st.sampled_from(plain + ODD), max_size=60)
    return (mixed | st.text(alphabet=st.sampled_from(plain), max_size=300)).map(
        lambda text: text.encode("latin-1")
    )


def read(reader: Callable, data: bytes) -> tuple:
    """What ``reader`` makes of ``data``: the value or the error, and where it left off."""
    stream = io.BytesIO(data)
    try:
        value = reader(stream)
    except Exception as exc:  # both readers must fail alike, whatever they raise
        return type(exc), str(exc), stream.tell()
    return type(value), getattr(value, "original_bytes", value), stream.tell()


def decoded(decoder: Callable, data: bytes) -> tuple:
    try:
        value = decoder(data)
    except Exception as exc:
        return type(exc), str(exc)
    return type(value), str(value)


@settings(max_examples=500, deadline=None)
@given(body=chars(HEX), closed=st.booleans(), after=chars(HEX))
def test_hex_string_as_pyhanko(body: bytes, closed: bool, after: bytes) -> None:
    data = b"<" + body + (b">" if closed else b"") + after
    assert read(read_hex_string, data) == read(PYHANKO_HEX_STRING, data)


@settings(max_examples=500, deadline=None)
@given(data=chars(NAME))
def test_token_and_name_as_pyhanko(data: bytes) -> None:
    assert read(read_until_delimiter, data) == read(PYHANKO_UNTIL_DELIMITER, data)
    assert decoded(decode_name, data) == decoded(PYHANKO_NAME, data)


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
def test_hex_string_edge_cases(data: bytes) -> None:
    assert read(read_hex_string, data) == read(PYHANKO_HEX_STRING, data)


@pytest.mark.parametrize(
    "data",
    [
        b"StructElem/K",
        b"Type>>",
        b"A#20B ",  # an escape
        b"A#2",  # an unfinished escape
        b"Caf\xc3\xa9 ",  # UTF-8 bytes, not escaped
        b"x" * 200 + b" ",  # longer than one read
        b"x" * 200,  # to the end of the stream
        b"",
    ],
)
def test_name_edge_cases(data: bytes) -> None:
    assert read(read_until_delimiter, data) == read(PYHANKO_UNTIL_DELIMITER, data)
    assert decoded(decode_name, data) == decoded(PYHANKO_NAME, data)


def test_installed_in_pyhankos_lexer() -> None:
    """Verification reads through them: importing the validator installs them."""
    import mougen.verify.validate  # noqa: F401

    assert generic.read_hex_string_from_stream is read_hex_string
    assert generic.read_until_delimiter is read_until_delimiter
    assert generic._decode_name is decode_name
    parsed = generic.read_object(io.BytesIO(b"[<4F6B>/Sig]"), generic.TrailerReference(None))
    assert parsed == ["Ok", "/Sig"]


def test_not_installed_on_another_pyhanko_release(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, original in [
        ("read_hex_string_from_stream", PYHANKO_HEX_STRING),
        ("read_until_delimiter", PYHANKO_UNTIL_DELIMITER),
        ("_decode_name", PYHANKO_NAME),
    ]:
        monkeypatch.setattr(generic, name, original)
    monkeypatch.setattr(lexer, "version", lambda _name: "0.39.0")
    lexer.install()
    assert generic.read_hex_string_from_stream is PYHANKO_HEX_STRING
    assert generic.read_until_delimiter is PYHANKO_UNTIL_DELIMITER
    assert generic._decode_name is PYHANKO_NAME

"""Text from outside (file names, certificate fields) made safe to print on one line.

A file name or a certificate's common name can hold a newline, a carriage return, an
escape sequence or a right-to-left override; printed as it is, it can forge a line of
output ("verdict: VALID") or hide part of the line. Such characters are shown escaped.
"""

from __future__ import annotations

import unicodedata

# Characters that move the cursor or reorder text: controls, line and paragraph
# separators, the bidirectional overrides and isolates, and the byte order mark.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_UNSAFE_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every unsafe character written as a Python-style escape.

    Bytes of a file name that were not UTF-8 (Python keeps them as lone surrogates)
    are shown as ``\\xNN``; backslashes are doubled so an escape cannot be faked.
    """
    if text.isprintable():  # (see is_safe) only its backslashes change
        return text.replace("\\", "\\\\")
    return "".join(_escape(c) for c in text)


def is_safe(text: str) -> bool:
    """Whether ``text`` prints on one line as it is: no character needs escaping but ``\\``."""
    # Python's printable characters include none that _escape changes but the backslash
    # (controls, separators, surrogates and the bidirectional marks all count as not
    # printable): most text is decided at C speed, not character by character
    if text.isprintable():
        return True
    return all(c == "\\" or _escape(c) == c for c in text)


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if "\udc80" <= char <= "\udcff":  # an undecodable byte of a file name
        return f"\\x{ord(char) - 0xDC00:02x}"
    if char in _BIDI or unicodedata.category(char) in _UNSAFE_CATEGORIES:
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char

"""Making text from a file or a certificate safe to print on a terminal line."""

from __future__ import annotations

import re

# C0/C1 controls, line and paragraph separators, and the bidirectional overrides that can make
# one line read as another.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character written as its Python escape (``\\n``, ``\\x1b``).

    A file or signer name holding a newline then cannot print a line of its own, such as a
    fake ``verdict: VALID``.
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)

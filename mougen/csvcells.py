"""CSV that a spreadsheet opens as text: a cell that could start a formula is neutralised.

A certificate's common name or an authority's name can begin ``=HYPERLINK(...``; Excel and
LibreOffice would run it. As OWASP advises (CSV injection), such a cell is prefixed with a
single quote, which spreadsheets show as text; every CSV mougen writes goes through here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

#: What a spreadsheet may read as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralised(cell: str) -> str:
    """``cell``, prefixed with ``'`` when a spreadsheet would take it for a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def write_rows(out: TextIO, rows: Iterable[Iterable[str]]) -> None:
    """Write ``rows`` of text cells as RFC 4180 CSV, each cell neutralised."""
    writer = csv.writer(out)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)

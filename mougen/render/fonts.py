"""The embedded font family: Bitstream Vera, which ships with reportlab itself.

Shipping with reportlab means a fresh machine needs no system fonts, and every glyph
the MoUs use (curly quotes, £, en dashes, middle dots) is in it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "MouSans"
_FILES = {
    (0, 0): "Vera.ttf",
    (1, 0): "VeraBd.ttf",
    (0, 1): "VeraIt.ttf",
    (1, 1): "VeraBI.ttf",
}


@cache
def register() -> str:
    """Register the family once per process; returns the regular face's name.

    Paragraph styles name the regular face; ``<b>`` and ``<i>`` find the others
    through the family mapping.
    """
    folder = Path(reportlab.__file__).parent / "fonts"
    names = {}
    for (bold, italic), filename in _FILES.items():
        names[bold, italic] = f"{FAMILY}-{bold}{italic}"
        pdfmetrics.registerFont(TTFont(names[bold, italic], str(folder / filename)))
    registerFontFamily(
        names[0, 0],
        normal=names[0, 0],
        bold=names[1, 0],
        italic=names[0, 1],
        boldItalic=names[1, 1],
    )
    return names[0, 0]


def face(bold: bool = False, italic: bool = False) -> str:
    """The registered face name for a weight and slant."""
    register()
    return f"{FAMILY}-{int(bold)}{int(italic)}"

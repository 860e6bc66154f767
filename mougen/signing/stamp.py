"""The visible stamp drawn in a signature field: who signed, in what role, and when."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from mougen.roles import Role

#: The MoU's own typeface (it ships with reportlab), which has the curly quotes in role titles.
_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"

# %(signer)s and %(ts)s are filled in by pyHanko; %(role)s comes from stamp_params().
_TEXT = "Digitally signed by %(signer)s\n%(role)s\n%(ts)s"


@cache
def stamp_style() -> TextStampStyle:
    """The stamp style for every mougen signature."""
    return TextStampStyle(
        stamp_text=_TEXT,
        timestamp_format="%d %B %Y %H:%M %Z",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(_FONT))),
        border_width=1,
    )


def stamp_params(role: Role) -> dict[str, str]:
    """The stamp's text parameters that pyHanko does not fill in itself."""
    return {"role": role.title}

"""The visible stamp drawn in a signature field: who signed, in what role, for which
authority, and when, in a font that has every letter of it.

pyHanko writes a font's glyph widths (``/W``) in the font's own units, where PDF expects
thousandths of an em; for the usual 2048-unit TrueType fonts the text then spreads to
twice its width and is clipped. So the stamp's font is cut down to the characters the
stamp holds and rescaled to 1000 units per em before pyHanko sees it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from mougen.errors import SigningError
from mougen.roles import Role

#: Fonts from Debian, tried in order: the first with every character of the stamp draws it.
STAMP_FONTS = (
    # fonts-dejavu-core: Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    # fonts-wqy-microhei: Latin and Cyrillic too, with Chinese, Japanese and Korean
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
_TIMESTAMP_FORMAT = "%d %B %Y %H:%M %Z"
#: What the signing time can hold (English month names, a zone abbreviation).
_TIMESTAMP_CHARACTERS = string.ascii_letters + string.digits + ": +-"
_FONT_SIZE = 10


@dataclass(frozen=True)
class Stamp:
    """The stamp of one signature: the signer's name, role title and authority.

    pyHanko fills in the signing time (``%(ts)s``) itself.
    """

    signer: str
    role: Role
    authority: str | None = None

    @property
    def template(self) -> str:
        lines = ["%(signer)s", "%(role)s", "%(authority)s" if self.authority else None]
        return "\n".join([line for line in lines if line] + ["Digitally signed %(ts)s"])

    def params(self) -> dict[str, str]:
        """The values for the template's parameters, all but the time."""
        return {"signer": self.signer, "role": self.role.title, "authority": self.authority or ""}

    def style(self) -> TextStampStyle:
        """A style drawing this stamp; pyHanko shrinks the text to fit the field."""
        text = self.template % {**self.params(), "ts": ""} + _TIMESTAMP_CHARACTERS
        return TextStampStyle(
            stamp_text=self.template,
            timestamp_format=_TIMESTAMP_FORMAT,
            text_box_style=TextBoxStyle(font=_font_for(text), font_size=_FONT_SIZE),
            border_width=1,
        )


@dataclass(frozen=True)
class _ThousandUnitFont(FontEngineFactory):
    """A pyHanko font engine for a font program already at 1000 units per em."""

    program: bytes

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        return GlyphAccumulator(
            writer, BytesIO(self.program), font_size=_FONT_SIZE, obj_stream=obj_stream
        )


def _font_for(text: str) -> _ThousandUnitFont:
    """The first of :data:`STAMP_FONTS` with every character of ``text``, made ready."""
    needed = {ord(c) for c in text if c != "\n"}
    available = [path for path in STAMP_FONTS if path.exists()]
    if not available:
        fonts = ", ".join(str(p) for p in STAMP_FONTS)
        raise SigningError(f"no font for the signature stamp: install one of {fonts}")
    best = max(available, key=lambda path: (len(needed & _coverage(path)), -available.index(path)))
    return _ThousandUnitFont(_prepared(best, frozenset(needed)))


@cache
def _coverage(path: Path) -> frozenset[int]:
    """The code points a font has glyphs for."""
    return frozenset(_load(path).getBestCmap())


@cache
def _prepared(path: Path, code_points: frozenset[int]) -> bytes:
    """The font cut down to ``code_points`` (with what shaping them needs), at 1000 units."""
    font = _load(path)
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps, which fontTools cannot cut down
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    scale_upem(font, 1000)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _load(path: Path) -> TTFont:
    # A collection (.ttc) holds several faces; the first is the regular one.
    return TTFont(path, fontNumber=0)

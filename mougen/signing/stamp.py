"""The visible stamp drawn in a signature field: who signed, in what role, for which
authority, and when, in a font that has every letter of it (merged from several fonts
when a name mixes scripts).

pyHanko writes a font's glyph widths (``/W``) in the font's own units, where PDF expects
thousandths of an em; for the usual 2048-unit TrueType fonts the text then spreads to
twice its width and is clipped. So the stamp's font is cut down to the characters the
stamp holds and rescaled to 1000 units per em before pyHanko sees it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from functools import cache
from io import BytesIO
from pathlib import Path

import uharfbuzz as hb
from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import TextStampStyle

from mougen.dates import DAY_MONTH_YEAR
from mougen.errors import SigningError
from mougen.printable import printable
from mougen.roles import Role
from mougen.signing.stamp_layout import PADDING, SIZES, Fitted, fit

#: Fonts from Debian, in order of preference (see :func:`_font_for`).
STAMP_FONTS = (
    # fonts-dejavu-core: Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    # fonts-wqy-microhei: Latin and Cyrillic too, with Chinese, Japanese and Korean
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
#: Where the letters of other scripts are looked for (fonts-noto-core: Devanagari, Bengali,
#: Gurmukhi, Tamil, Thai, Ethiopic and most other living scripts), one font per script.
FALLBACK_FONTS = Path("/usr/share/fonts/truetype/noto")
_TIMESTAMP_FORMAT = f"{DAY_MONTH_YEAR} %H:%M %Z"
#: What the signing time can hold (English month names, a zone abbreviation).
_TIMESTAMP_CHARACTERS = string.ascii_letters + string.digits + ": +-"
#: The widest signing time the format prints, measured in place of the time to come.
_WIDEST_TIME = "30 September 2026 23:59 UTC"
#: Stands for the signing time in a line until the line is wrapped (a name cannot hold it:
#: :func:`printable` escapes control characters).
_TIME = "\x00"


@dataclass(frozen=True)
class Stamp:
    """The stamp of one signature: the signer's name, role title and authority, in a
    field ``box`` points wide and high.

    pyHanko fills in the signing time (``%(ts)s``) itself.
    """

    signer: str
    role: Role
    authority: str | None = None
    box: tuple[float, float] = (240.0, 60.0)

    @property
    def lines(self) -> tuple[str, ...]:
        """What the stamp says, one line each, the time as :data:`_TIME`.

        A certificate's name is escaped (:func:`printable`): a newline in it would otherwise
        draw a line of its own, such as a role the signer does not hold.
        """
        authority = printable(self.authority) if self.authority else None
        lines = [printable(self.signer), self.role.title, authority, f"Digitally signed {_TIME}"]
        return tuple(line for line in lines if line)

    @property
    def fitted(self) -> Fitted:
        """The lines wrapped to the field at the largest size from 10 pt to 8 pt."""
        font = _font_for(self._code_points)
        return fit(self.lines, self.box, lambda text, size: _width(font, text, size))

    @property
    def template(self) -> str:
        """The text pyHanko draws: the wrapped lines, with the time as ``%(ts)s``."""
        return "\n".join(
            line.replace("%", "%%").replace(_TIME, "%(ts)s") for line in self.fitted.lines
        )

    def style(self) -> TextStampStyle:
        """A style drawing this stamp from the field's top left corner."""
        fitted = self.fitted
        font = replace(_font_for(self._code_points), size=fitted.size)
        at_left = SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID
        )
        return TextStampStyle(
            stamp_text=self.template,
            timestamp_format=_TIMESTAMP_FORMAT,
            text_box_style=TextBoxStyle(
                font=font,
                font_size=fitted.size,
                leading=fitted.leading,
                box_layout_rule=at_left.substitute_margins(Margins.uniform(0)),
            ),
            inner_content_layout=at_left.substitute_margins(Margins.uniform(PADDING)),
            border_width=1,
        )

    @property
    def undrawable(self) -> str:
        """The characters of the stamp that no installed font has, left out of it."""
        left = self._code_points
        for path in _fonts_for(left):
            left -= _coverage(path)
        return "".join(chr(c) for c in sorted(left))

    @property
    def note(self) -> str | None:
        """What the signer should know about how the stamp is drawn, if anything."""
        missing = self.undrawable
        return f"no installed font has {missing!r}: the stamp leaves them out" if missing else None

    @property
    def _code_points(self) -> frozenset[int]:
        text = "".join(self.lines).replace(_TIME, "") + _TIMESTAMP_CHARACTERS
        return frozenset(ord(c) for c in text if c != "\n")


@dataclass(frozen=True)
class _ThousandUnitFont(FontEngineFactory):
    """A pyHanko font engine for a font program already at 1000 units per em."""

    program: bytes
    size: int = SIZES[0]

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: generic.StreamObject | None = None
    ) -> GlyphAccumulator:
        return GlyphAccumulator(
            writer, BytesIO(self.program), font_size=self.size, obj_stream=obj_stream
        )


def _width(font: _ThousandUnitFont, text: str, size: int) -> float:
    """The width of ``text`` at ``size`` points as HarfBuzz shapes it (as pyHanko does)."""
    buffer = hb.Buffer()
    buffer.add_str(text.replace(_TIME, _WIDEST_TIME))
    buffer.guess_segment_properties()
    hb.shape(_shaper(font.program), buffer)
    return sum(p.x_advance for p in buffer.glyph_positions) * size / 1000


@cache
def _shaper(program: bytes) -> hb.Font:
    return hb.Font(hb.Face(program))


@cache
def _font_for(needed: frozenset[int]) -> _ThousandUnitFont:
    """A font with every character in ``needed`` that the installed stamp fonts have.

    The first font with all of them draws the whole stamp; failing that, each character
    is taken from the first font that has it, and those pieces are merged into one font.
    """
    fonts = _fonts_for(needed)
    whole = next((path for path in fonts if needed <= _coverage(path)), None)
    if whole is not None:
        return _ThousandUnitFont(_save(_prepared(whole, needed)))
    pieces, left = [], set(needed)
    for path in fonts:
        share = frozenset(left & _coverage(path))
        if share:
            pieces.append(_prepared(path, share))
            left -= share
    merged = Merger().merge([BytesIO(_save(piece)) for piece in pieces])
    return _ThousandUnitFont(_save(merged))


def _fonts_for(needed: frozenset[int]) -> list[Path]:
    """The stamp fonts, and the fallback fonts too if these lack some of ``needed``."""
    fonts = [path for path in STAMP_FONTS if path.exists()]
    if not fonts:
        names = ", ".join(str(p) for p in STAMP_FONTS)
        raise SigningError(f"no font for the signature stamp: install one of {names}")
    if needed <= frozenset().union(*(_coverage(path) for path in fonts)):
        return fonts
    return fonts + sorted(FALLBACK_FONTS.glob("NotoSans*-Regular.ttf"))


@cache
def _coverage(path: Path) -> frozenset[int]:
    """The code points a font has glyphs for."""
    return frozenset(_load(path).getBestCmap())


def _prepared(path: Path, code_points: frozenset[int]) -> TTFont:
    """The font cut down to ``code_points`` (with what shaping them needs), at 1000 units.

    Vertical metrics and hinting go: the stamp is horizontal, and fonts that differ in
    them could not be merged.
    """
    font = _load(path)
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.hinting = False
    # FFTM (FontForge's timestamps) cannot be cut down; vhea/vmtx/VORG are vertical.
    options.drop_tables += ["FFTM", "vhea", "vmtx", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    scale_upem(font, 1000)
    return font


def _save(font: TTFont) -> bytes:
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _load(path: Path) -> TTFont:
    # A collection (.ttc) holds several faces; the first is the regular one.
    return TTFont(path, fontNumber=0)

"""Paragraph styles for the PDF, one per Word style name the templates use."""

from __future__ import annotations

from functools import cache

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from mougen.render import fonts

ALIGNMENTS = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
BODY_SIZE = 10.5


@cache
def stylesheet() -> dict[str, ParagraphStyle]:
    """The PDF styles keyed by Word style name; unknown names fall back to ``Normal``."""
    family = fonts.register()
    bold = fonts.face(bold=True)
    normal = ParagraphStyle(
        "Normal",
        fontName=family,
        bulletFontName=family,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.35,
        spaceAfter=6,
    )

    def derive(name: str, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, parent=normal, **kw)

    sheet = {
        "Normal": normal,
        "Title": derive("Title", fontName=bold, fontSize=17, leading=22, spaceAfter=10),
        "Subtitle": derive("Subtitle", fontName=bold, fontSize=13, leading=17, spaceAfter=10),
        "Heading 1": derive(
            "Heading 1",
            fontName=bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=6,
            keepWithNext=True,
        ),
        "Heading 2": derive(
            "Heading 2",
            fontName=fonts.face(bold=True, italic=True),
            spaceBefore=6,
            keepWithNext=True,
        ),
        "Clause": derive("Clause", leftIndent=34, firstLineIndent=0),
        "Clause 2": derive("Clause 2", leftIndent=62, firstLineIndent=0),
        "List Bullet": derive("List Bullet", leftIndent=34, bulletIndent=16, spaceAfter=3),
        "List Bullet 2": derive("List Bullet 2", leftIndent=62, bulletIndent=44, spaceAfter=3),
        "Signature Line": derive("Signature Line", spaceBefore=2, spaceAfter=4),
        "Footnote Text": derive("Footnote Text", fontSize=8, leading=10, spaceAfter=2),
        "Footer": derive("Footer", fontSize=8, leading=10, textColor="#555555"),
        "Field Label": derive("Field Label", fontSize=7.5, leading=9, textColor="#1f4e79"),
    }
    for depth in (3, 4):
        sheet[f"List Bullet {depth}"] = derive(
            f"List Bullet {depth}",
            leftIndent=34 + 28 * (depth - 1),
            bulletIndent=16 + 28 * (depth - 1),
            spaceAfter=3,
        )
    sheet["List Number"] = sheet["List Bullet"]
    sheet["List Paragraph"] = sheet["List Bullet"]
    return sheet


def style_for(word_style: str, level: int = 0) -> ParagraphStyle:
    """The PDF style for a Word style name (and list level, for list paragraphs)."""
    sheet = stylesheet()
    if word_style in sheet:
        return sheet[word_style]
    if word_style.startswith("Heading"):
        return sheet["Heading 2"]
    if word_style.startswith("List"):
        return sheet[f"List Bullet {level + 1}" if level else "List Bullet"]
    return sheet["Normal"]

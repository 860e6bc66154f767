"""List labels from Word numbering: bullets, and numbered items counted as Word counts them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mougen.document.ns import qn

_BULLET = "•"

#: A clause number typed into a paragraph: "1.", "1.2", "1.2.", "a)", "(iv)". A bare "2018"
#: is not one, so a paragraph that starts with a year is not taken for a numbered clause.
CLAUSE_LABEL = r"\d+(?:\.\d+)*\.|\d+(?:\.\d+)+|\(?[ivxlc]+\)|\(?[a-z]\)"


def _roman(n: int) -> str:
    values = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ]
    out = ""
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "lowerLetter": _letter,
    "upperLetter": lambda n: _letter(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}


@dataclass
class Numbering:
    """A document's list definitions and the running counters of its numbered lists."""

    levels: dict[tuple[str, int], tuple[str, str, int]]
    counters: dict[str, list[int]] = field(default_factory=dict)
    #: The (numId, level) each style gives its paragraphs, as each is first asked for.
    by_style: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Any) -> Numbering:
        """Read the numbering part of an opened python-docx document (it may have none)."""
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return cls({})
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.iterchildren(qn("w:abstractNum"))}
        levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            for lvl in definition.iterchildren(qn("w:lvl")) if definition is not None else ():
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[(num.get(qn("w:numId")), int(lvl.get(qn("w:ilvl"))))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
        return cls(levels)

    def label(
        self, p: etree._Element, style_id: str | None, styles: dict[str, etree._Element]
    ) -> tuple[int, str | None]:
        """The (level, label) of a paragraph: direct numbering first, then its style's."""
        num_id, ilvl = _num_pr(p.find(qn("w:pPr")))
        if num_id is None and style_id:
            num_id, style_ilvl = self._style_numbering(style_id, styles)
            ilvl = ilvl if ilvl is not None else style_ilvl
        level = ilvl or 0
        if num_id is None or num_id == "0" or (num_id, level) not in self.levels:
            return 0, None
        fmt, text, start = self.levels[(num_id, level)]
        if fmt == "bullet":
            return level, _BULLET
        counts = self.counters.setdefault(num_id, [])
        counts[:] = counts[: level + 1] + [start - 1] * (level + 1 - len(counts))
        counts[level] += 1
        label = text
        for i, count in enumerate(counts):
            lvl_fmt = self.levels.get((num_id, i), ("decimal", "", 1))[0]
            label = label.replace(f"%{i + 1}", _FORMATS.get(lvl_fmt, str)(count))
        return level, label

    def _style_numbering(
        self, style_id: str, styles: dict[str, etree._Element]
    ) -> tuple[str | None, int | None]:
        """The numbering a style gives its paragraphs, its own or one it is based on (the
        first level found along the chain); worked out once per style."""
        if style_id not in self.by_style:
            num_id, ilvl = None, None
            style = styles.get(style_id)
            seen: set[str] = set()
            while num_id is None and style is not None and style.get(qn("w:styleId")) not in seen:
                seen.add(style.get(qn("w:styleId")))
                num_id, style_ilvl = _num_pr(style.find(qn("w:pPr")))
                ilvl = ilvl if ilvl is not None else style_ilvl
                based = style.find(qn("w:basedOn"))
                style = styles.get(based.get(qn("w:val"))) if based is not None else None
            self.by_style[style_id] = num_id, ilvl
        return self.by_style[style_id]


def _num_pr(ppr: etree._Element | None) -> tuple[str | None, int | None]:
    numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
    if numpr is None:
        return None, None
    num_id = numpr.find(qn("w:numId"))
    ilvl = numpr.find(qn("w:ilvl"))
    return (
        num_id.get(qn("w:val")) if num_id is not None else None,
        int(ilvl.get(qn("w:val"))) if ilvl is not None else None,
    )

"""Words of a paragraph as the redline compares them: text, place and formatting.

A token is a word, a stretch of whitespace or a footnote mark, with its character
span in the paragraph's text. Spans (not run indexes) are what the two writers
share: the DOCX writer cuts the paragraph's XML at them and the PDF writer cuts
the model's runs at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mougen.document import Paragraph, Run
from mougen.document.numbering import CLAUSE_LABEL

_WORDS = re.compile(r"\s+|\S+")
#: A clause number typed at the start of a paragraph: "3.", "2.1.4.", "iv)", "(b)".
CLAUSE_NUMBER = re.compile(rf"^(?:{CLAUSE_LABEL})$")


@dataclass(frozen=True)
class Token:
    """One word, whitespace or footnote mark of a paragraph, at ``start``..``end``."""

    text: str
    start: int
    end: int
    formatting: tuple[bool, bool, bool, bool]
    footnote: bool = False

    @property
    def key(self) -> tuple[str, bool]:
        """What makes two tokens the same word (formatting aside)."""
        return (self.text, self.footnote)


def tokens(paragraph: Paragraph) -> tuple[Token, ...]:
    """The tokens of a paragraph in order."""
    out: list[Token] = []
    offset = 0
    for run in paragraph.runs:
        if run.footnote is not None:
            out.append(Token(run.text, offset, offset + len(run.text), run.formatting, True))
        else:
            for m in _WORDS.finditer(run.text):
                out.append(Token(m.group(), offset + m.start(), offset + m.end(), run.formatting))
        offset += len(run.text)
    return tuple(out)


def words(paragraph: Paragraph) -> list[str]:
    """The paragraph's words (no whitespace, no footnote marks)."""
    return paragraph.body_text.split()


def clause_number(paragraph: Paragraph) -> str | None:
    """The clause number typed at the start of the paragraph, if it has one."""
    first = paragraph.body_text.split(maxsplit=1)
    return first[0] if first and CLAUSE_NUMBER.match(first[0]) else None


def slice_runs(paragraph: Paragraph, start: int, end: int) -> list[Run]:
    """The model runs covering ``start``..``end`` of the paragraph's text, cut to fit."""
    out: list[Run] = []
    offset = 0
    for run in paragraph.runs:
        lo, hi = max(start, offset), min(end, offset + len(run.text))
        if lo < hi:
            whole = run.footnote is not None
            text = run.text if whole else run.text[lo - offset : hi - offset]
            out.append(Run(text, *run.formatting, footnote=run.footnote))
        offset += len(run.text)
    return out

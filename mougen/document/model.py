"""The document model: paragraphs with style and runs, lists, tables, footnotes, anchors.

It holds what an MoU needs and nothing more. It is immutable, so two readings can be
compared (the redline) and one reading can be laid out more than once (the PDF).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right", "justify"]
#: How a redline marks text: inserted, deleted, moved away, moved here, or reformatted.
Revision = Literal["insert", "delete", "move-from", "move-to", "format"]


@dataclass(frozen=True)
class Run:
    """A stretch of text with one set of character formatting.

    ``footnote`` is set on the reference mark of a footnote: the run's text is
    the mark as printed ("1") and the value is the footnote id. ``revision`` is set
    only in a redline.
    """

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    superscript: bool = False
    footnote: int | None = None
    revision: Revision | None = None

    @property
    def formatting(self) -> tuple[bool, bool, bool, bool]:
        """The character formatting, for comparing two runs that hold the same text."""
        return (self.bold, self.italic, self.underline, self.superscript)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph: its Word style, its runs and, for list items, the label and level.

    ``label`` is the list label as printed ("•" for bullets, "1." for a numbered
    item); numbers typed into the text itself stay in the runs. ``anchor`` is the
    role id whose signature goes on this paragraph. ``revision`` marks a whole
    paragraph as inserted, deleted or moved in a redline (the PDF draws a change bar).
    ``page_break_before`` starts the paragraph on a new page.
    """

    style: str
    runs: tuple[Run, ...] = ()
    align: Align | None = None
    level: int = 0
    label: str | None = None
    anchor: str | None = None
    revision: Revision | None = None
    page_break_before: bool = False

    @property
    def changed(self) -> bool:
        """Whether a redline marks this paragraph or any of its runs."""
        return self.revision is not None or any(r.revision for r in self.runs)

    @property
    def text(self) -> str:
        """The paragraph's text (footnote marks included)."""
        return "".join(r.text for r in self.runs)

    @property
    def body_text(self) -> str:
        """The paragraph's text without footnote reference marks."""
        return "".join(r.text for r in self.runs if r.footnote is None)


@dataclass(frozen=True)
class Cell:
    """A table cell: the paragraphs in it."""

    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Table:
    """A table: rows of cells, with each column's share of the width (summing to 1)."""

    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] = ()
    borders: bool = False

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """Every paragraph in the table, row by row."""
        return tuple(p for row in self.rows for cell in row for p in cell.paragraphs)


Block = Paragraph | Table


@dataclass(frozen=True)
class Footnote:
    """A footnote: its id (as referenced from a run) and its paragraphs."""

    id: int
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Document:
    """A whole document: its body blocks in order, its footnotes and its title."""

    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...] = ()
    title: str = ""
    page_size_mm: tuple[float, float] = (210.0, 297.0)
    #: top, right, bottom, left
    margins_mm: tuple[float, float, float, float] = field(default=(25.0, 25.0, 25.0, 25.0))

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """Every body paragraph in reading order, table paragraphs included."""
        out: list[Paragraph] = []
        for block in self.blocks:
            out.extend(block.paragraphs if isinstance(block, Table) else (block,))
        return tuple(out)

    def footnote(self, footnote_id: int) -> Footnote:
        """The footnote with this id."""
        return next(f for f in self.footnotes if f.id == footnote_id)

    @property
    def anchors(self) -> tuple[str, ...]:
        """The role ids that have a signature anchor, in document order."""
        return tuple(p.anchor for p in self.paragraphs if p.anchor)

"""The MoU as the signatory's page shows it: the same document model the PDF is laid out
from, arranged as page blocks (headings, paragraphs, lists, tables) for an HTML template."""

from __future__ import annotations

from dataclasses import dataclass

from mougen.document.model import Document, Paragraph, Run, Table
from mougen.render import WORDS_ONLY, render_authority
from mougen.workspace import Workspace


@dataclass(frozen=True)
class PageBlock:
    """A heading (``level`` 2 or 3), a paragraph, a list of ``items``, or a table of
    ``rows`` of cells, each cell a tuple of paragraph blocks."""

    kind: str
    runs: tuple[Run, ...] = ()
    label: str | None = None
    level: int = 0
    items: tuple[PageBlock, ...] = ()
    rows: tuple[tuple[tuple[PageBlock, ...], ...], ...] = ()


@dataclass(frozen=True)
class MouPage:
    """The MoU's blocks and its footnotes (by number, each a tuple of paragraph blocks)."""

    title: str
    blocks: tuple[PageBlock, ...]
    footnotes: tuple[tuple[int, tuple[PageBlock, ...]], ...]


def issued_page(ws: Workspace, mou: str, slug: str) -> MouPage:
    """The page of the authority's MoU: its template rendered for the authority (the words
    of the DOCX the PDF was laid out from; no PDF is laid out)."""
    return mou_page(render_authority(ws, mou, slug, when=WORDS_ONLY).document)


def mou_page(document: Document) -> MouPage:
    """The page blocks of ``document``: list paragraphs grouped, headings below the page's own."""
    blocks: list[PageBlock] = []
    for block in document.blocks:
        if isinstance(block, Table):
            blocks.append(_table(block))
        elif _is_list(block) and blocks and blocks[-1].kind == "list":
            last = blocks.pop()
            blocks.append(PageBlock("list", items=(*last.items, _paragraph(block))))
        elif _is_list(block):
            blocks.append(PageBlock("list", items=(_paragraph(block),)))
        else:
            blocks.append(_paragraph(block))
    notes = tuple((n.id, tuple(_paragraph(p) for p in n.paragraphs)) for n in document.footnotes)
    return MouPage(document.title, tuple(blocks), notes)


def _is_list(paragraph: Paragraph) -> bool:
    return paragraph.style.startswith("List")


def _paragraph(paragraph: Paragraph) -> PageBlock:
    if paragraph.style == "Title" or paragraph.style.startswith("Heading"):
        # The page's own heading is h1: the MoU's title is h2, its headings h3.
        level = 3 if paragraph.style.startswith("Heading") else 2
        return PageBlock("heading", paragraph.runs, paragraph.label, level)
    return PageBlock("paragraph", paragraph.runs, paragraph.label)


def _table(table: Table) -> PageBlock:
    rows = tuple(
        tuple(tuple(_paragraph(p) for p in cell.paragraphs) for cell in row) for row in table.rows
    )
    return PageBlock("table", rows=rows)

"""Laying out a model :class:`Document` as a PDF with the ``mou.typ`` Typst template.

The layout is deterministic: the same document, title and date give the same bytes.
The template reports where it put each role's signature box (its ``<mougen-mark>``
metadata), and those positions become the fields' rectangles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mougen.document import Document
from mougen.render.model_data import document_data
from mougen.typeset import ARCHIVAL, Standard, typeset


@dataclass(frozen=True)
class FieldPlacement:
    """Where a role's signature field goes: a page index and a box in PDF points."""

    role: str
    page: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class LaidOut:
    """A laid-out PDF and the places its signature fields belong."""

    pdf: bytes
    placements: tuple[FieldPlacement, ...]


def write_pdf(
    document: Document,
    *,
    title: str,
    when: datetime,
    footer: str = "",
    party: str = "",
    standards: Sequence[Standard] = ARCHIVAL,
) -> LaidOut:
    """Lay out ``document``; ``title`` goes in the footer and metadata, ``when`` in the dates.

    ``footer`` is an extra line printed under the title on every page (a preview's mark);
    ``party``, the council the document is made out to, follows the title there.
    """
    result = typeset(
        "mou.typ",
        document_data(document, title=title, footer=footer, party=party),
        when=when,
        standards=standards,
    )
    page_height = document.page_size_mm[1] * 72 / 25.4
    placements = tuple(_placement(mark, page_height) for mark in result.marks)
    return LaidOut(result.pdf, placements)


def _placement(mark: dict, page_height: float) -> FieldPlacement:
    """A field box from Typst's report: its top-left corner (from the top) and its size."""
    x, top = mark["x"], page_height - mark["y"]
    box = (round(x), round(top - mark["height"]), round(x + mark["width"]), round(top))
    return FieldPlacement(mark["role"], mark["page"] - 1, box)

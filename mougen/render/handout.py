"""The DOCX as handed out (in a pack, or by ``render``): page numbers in a footer, and
dotted signature lines in table cells drawn as a dot leader to the cell's edge.

The model is read from the DOCX before this is done, so the PDF never sees the footer
(the reader refuses templates with one) and draws its own dotted lines. A row of typed
dots is as wide as Word made it; in another program's font it wraps onto a second line,
where a leader fills exactly the cell it is in.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.shared import Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from mougen.document.ns import qn
from mougen.render.docx import saved_docx

#: A signature line that is only typed dots.
_DOTS = re.compile(r"[….]{8,}")
#: The space Word leaves between a cell's edge and its text on each side, in twips.
_CELL_MARGINS = 2 * 108


def handout_docx(document: DocxDocument, when: datetime) -> bytes:
    """The bytes of ``document`` (a rendered MoU, in memory) with page numbers and dotted
    lines that never wrap, every part dated ``when`` (the same inputs give the same bytes).

    The document is changed in place, not parsed again from its saved bytes (a parse per
    pack saved); the caller has read everything else it needs from it already."""
    for section in document.sections:
        _page_numbers(section.footer.paragraphs[0])
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    if _DOTS.fullmatch(paragraph.text.strip()):
                        _leader(paragraph, cell)
    _empty_properties_closed(document)
    return saved_docx(document, when)


def _empty_properties_closed(document: DocxDocument) -> None:
    """Each empty core property written ``<x/>``, as it was when the handout was made from
    the saved DOCX: docxtpl sets them to "", which lxml writes ``<x></x>`` until parsed again
    (the same document, the same bytes as before)."""
    for element in document.core_properties._element:
        if element.text == "":
            element.text = None


def _page_numbers(paragraph: Paragraph) -> None:
    """ "Page N of M", from Word's PAGE and NUMPAGES fields, in 8 pt."""
    paragraph.text = ""
    for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
        run = paragraph.add_run()
        run.font.size = Pt(8)
        if piece.isupper():
            _field(run._r, piece)
        else:
            run.text = piece


def _field(run: Any, instruction: str) -> None:
    """A field in a run: its code, and a placeholder result until the reader updates it."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1")):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        else:
            tag = "w:instrText" if text == instruction else "w:t"
            element = OxmlElement(tag)
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} " if tag == "w:instrText" else text
            run.append(element)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run.append(end)


def _leader(paragraph: Paragraph, cell: _Cell) -> None:
    """The paragraph's dots replaced by a tab whose dot leader runs to the cell's edge."""
    properties = cell._tc.tcPr
    width = properties.tcW.w if properties is not None and properties.tcW is not None else None
    if not width:
        return  # a cell of no stated width: its dots stay as typed
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = "\t"
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:leader"), "dot")
    tab.set(qn("w:pos"), str(int(width) - _CELL_MARGINS))
    tabs.append(tab)
    paragraph._p.get_or_add_pPr().append(tabs)

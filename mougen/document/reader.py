"""Reading a rendered DOCX into the document model.

The reader works on the WordprocessingML itself (python-docx opens the package and
resolves styles and numbering). Anything it meets that the model cannot carry is
reported by name, so a template feature is never dropped without a word.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Length
from lxml import etree

from mougen.document.model import (
    Align,
    Block,
    Cell,
    Document,
    Footnote,
    Paragraph,
    Run,
    Table,
)
from mougen.document.ns import qn
from mougen.document.numbering import Numbering
from mougen.document.runtext import child_text
from mougen.errors import TemplateError, UnsupportedFeature
from mougen.roles import ROLES

_ANCHORS = {r.bookmark: r.id for r in ROLES}
_ALIGN: dict[str, Align] = {
    "left": "left",
    "start": "left",
    "center": "center",
    "right": "right",
    "end": "right",
    "both": "justify",
    "distribute": "justify",
}
#: Word's tracked-change elements: insertions, deletions, moves and formatting changes.
_TRACKED = {"ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange"}
#: The same, as the names lxml matches (it filters a walk in C, not element by element here).
_TRACKED_TAGS = tuple(qn(f"w:{name}") for name in _TRACKED)


def holds_tracked_changes(body: etree._Element) -> bool:
    """Whether a Word document part (its body, say) still holds tracked changes."""
    return next(body.iter(*_TRACKED_TAGS), None) is not None


#: Elements the model does not carry, by the name a coordinator would know them by.
_UNSUPPORTED = {
    "txbxContent": "a text box",
    "drawing": "an image or drawing",
    "pict": "a picture",
    "object": "an embedded object",
    "fldSimple": "a field",
    "fldChar": "a field",
    "sdt": "a content control",
    "commentReference": "a comment",
    "endnoteReference": "an endnote",
    "altChunk": "an imported chunk",
}
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}oMath"
#: Each unsupported element's name as lxml matches it, and its short name.
_UNSUPPORTED_TAGS = {qn(f"w:{name}"): name for name in _UNSUPPORTED}


def read_docx(source: Path | bytes, name: str | Path = "document") -> Document:
    """Read a DOCX (a path or its bytes) into a :class:`Document`."""
    label = source if isinstance(source, Path) else Path(str(name))
    try:
        opened = docx.Document(str(source) if isinstance(source, Path) else io.BytesIO(source))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.XMLSyntaxError):
        raise TemplateError("not a readable Word document", label) from None
    return read_opened(opened, label)


def read_opened(opened: docx.document.Document, name: str | Path) -> Document:
    """Read a document python-docx holds (one just rendered, say) into a :class:`Document`."""
    return _Reader(opened, Path(str(name))).document()


class _Reader:
    """One pass over one document: styles and numbering resolved, footnotes read."""

    def __init__(self, opened: docx.document.Document, label: Path):
        self.doc = opened
        self.label = label
        self.style_names = {s.style_id: s.name for s in opened.styles}
        self.style_elements = {s.style_id: s.element for s in opened.styles}
        self.numbering = Numbering.of(opened)

    def document(self) -> Document:
        body = self.doc.element.body
        self._refuse_tracked_changes(body)
        self._refuse_headers_and_footers()
        blocks: list[Block] = []
        for child in body.iterchildren():
            if child.tag == qn("w:p"):
                blocks.append(self.paragraph(child))
            elif child.tag == qn("w:tbl"):
                blocks.append(self.table(child))
            elif child.tag == qn("w:sdt"):
                self._unsupported("sdt")
            elif child.tag == qn("w:altChunk"):
                self._unsupported("altChunk")
        return Document(
            blocks=tuple(blocks),
            footnotes=self.footnotes(),
            title=self.doc.core_properties.title or "",
            page_size_mm=self._page_size(),
            margins_mm=self._margins(),
        )

    def paragraph(self, p: etree._Element) -> Paragraph:
        style_id = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style_id = style_id.get(qn("w:val")) if style_id is not None else None
        style = self.style_names.get(style_id, "Normal") if style_id else "Normal"
        self._check_supported(p)
        level, label = self.numbering.label(p, style_id, self.style_elements)
        runs = tuple(run for r in _runs_of(p) for run in self.run(r))
        return Paragraph(
            style=style,
            runs=_merge(runs),
            align=self._align(p, style_id),
            level=level,
            label=label,
            anchor=_anchor_of(p),
            page_break_before=self._page_break_before(p, style_id),
        )

    def run(self, r: etree._Element) -> list[Run]:
        fmt = self._formatting(r)
        out: list[Run] = []
        for child in r.iterchildren():
            if child.tag == qn("w:footnoteReference"):
                fid = int(child.get(qn("w:id")))
                out.append(Run(str(self._footnote_number(fid)), superscript=True, footnote=fid))
            elif child.tag == qn("w:t") or child_text(child):
                out.append(Run(child_text(child), *fmt))
        return out

    def table(self, tbl: etree._Element) -> Table:
        if tbl.find(f".//{qn('w:tbl')}") is not None:
            raise UnsupportedFeature("a table inside a table is not supported", self.label)
        rows = []
        for tr in tbl.iterchildren(qn("w:tr")):
            cells = []
            for tc in tr.iterchildren(qn("w:tc")):
                cells.append(Cell(tuple(self.paragraph(p) for p in tc.iterchildren(qn("w:p")))))
            rows.append(tuple(cells))
        grid = [int(g.get(qn("w:w"), "0")) for g in tbl.iter(qn("w:gridCol"))]
        total = sum(grid) or 1
        borders = any(
            b.get(qn("w:val")) not in (None, "nil", "none")
            for b in tbl.iterfind(f"{qn('w:tblPr')}/{qn('w:tblBorders')}/*")
        )
        return Table(tuple(rows), tuple(w / total for w in grid), borders)

    def footnotes(self) -> tuple[Footnote, ...]:
        part = next(
            (rel.target_part for rel in self.doc.part.rels.values() if rel.reltype == RT.FOOTNOTES),
            None,
        )
        if part is None:
            return ()
        root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
        notes = []
        for fn in root.iterchildren(qn("w:footnote")):
            if fn.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            paras = tuple(self.paragraph(p) for p in fn.iterchildren(qn("w:p")))
            notes.append(Footnote(int(fn.get(qn("w:id"))), paras))
        return tuple(notes)

    def _footnote_number(self, footnote_id: int) -> int:
        order = getattr(self, "_footnote_order", None)
        if order is None:
            order = self._footnote_order = [
                int(ref.get(qn("w:id")))
                for ref in self.doc.element.body.iter(qn("w:footnoteReference"))
            ]
        return order.index(footnote_id) + 1 if footnote_id in order else footnote_id

    def _formatting(self, r: etree._Element) -> tuple[bool, bool, bool, bool]:
        rpr = r.find(qn("w:rPr"))
        style = rpr.find(qn("w:rStyle")) if rpr is not None else None
        inherited = self.style_elements.get(style.get(qn("w:val"))) if style is not None else None
        sources = [e for e in (rpr, _rpr_of(inherited)) if e is not None]
        vert = _first(sources, "vertAlign")
        underline = _first(sources, "u")
        return (
            _on(_first(sources, "b")),
            _on(_first(sources, "i")),
            underline is not None and underline.get(qn("w:val"), "single") != "none",
            vert is not None and vert.get(qn("w:val")) == "superscript",
        )

    def _align(self, p: etree._Element, style_id: str | None) -> Align | None:
        for ppr in (p.find(qn("w:pPr")), _ppr_of(self.style_elements.get(style_id))):
            jc = ppr.find(qn("w:jc")) if ppr is not None else None
            if jc is not None:
                return _ALIGN.get(jc.get(qn("w:val")))
        return None

    def _page_break_before(self, p: etree._Element, style_id: str | None) -> bool:
        # A page break typed into a paragraph is taken to start it: MoU templates put
        # breaks between paragraphs, and the model has no page break inside a run.
        if any(br.get(qn("w:type")) == "page" for br in p.iter(qn("w:br"))):
            return True
        for ppr in (p.find(qn("w:pPr")), _ppr_of(self.style_elements.get(style_id))):
            flag = ppr.find(qn("w:pageBreakBefore")) if ppr is not None else None
            if flag is not None:
                return _on(flag)
        return False

    def _page_size(self) -> tuple[float, float]:
        section = self.doc.sections[0]
        width, height = section.page_width, section.page_height
        return (width.mm, height.mm) if width and height else (210.0, 297.0)

    def _margins(self) -> tuple[float, float, float, float]:
        s = self.doc.sections[0]
        return _mm(s.top_margin), _mm(s.right_margin), _mm(s.bottom_margin), _mm(s.left_margin)

    def _refuse_tracked_changes(self, body: etree._Element) -> None:
        if holds_tracked_changes(body):
            raise TemplateError(
                "holds tracked changes; accept or reject them in Word first", self.label
            )

    def _refuse_headers_and_footers(self) -> None:
        for section in self.doc.sections:
            for part in (section.header, section.footer):
                if not part.is_linked_to_previous and any(p.text.strip() for p in part.paragraphs):
                    raise UnsupportedFeature(
                        "a header or footer is not supported (the PDF prints its own footer)",
                        self.label,
                    )
        if self.doc.element.body.find(f".//{_MATH}") is not None:
            raise UnsupportedFeature("an equation is not supported", self.label)

    def _check_supported(self, p: etree._Element) -> None:
        found = {_UNSUPPORTED_TAGS[el.tag] for el in p.iter(*_UNSUPPORTED_TAGS)}
        # The first match in _UNSUPPORTED's order is the most specific name (a text box
        # sits inside a picture), so that is the one reported.
        for tag in _UNSUPPORTED:
            if tag in found:
                self._unsupported(tag)

    def _unsupported(self, tag: str) -> None:
        raise UnsupportedFeature(f"{_UNSUPPORTED[tag]} ({tag}) is not supported", self.label)


def _runs_of(p: etree._Element) -> Iterator[etree._Element]:
    """The runs of a paragraph, including those inside hyperlinks and smart tags."""
    for child in p.iterchildren():
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag == "r":
            yield child
        elif tag in ("hyperlink", "smartTag", "customXml"):
            yield from _runs_of(child)


def _anchor_of(p: etree._Element) -> str | None:
    for mark in p.iter(qn("w:bookmarkStart")):
        role_id = _ANCHORS.get(mark.get(qn("w:name"), ""))
        if role_id:
            return role_id
    return None


def _merge(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Join neighbouring runs with the same formatting (Word splits runs at random)."""
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.footnote is None
            and run.footnote is None
            and last.formatting == run.formatting
        ):
            merged[-1] = Run(last.text + run.text, *run.formatting)
        elif run.text:
            merged.append(run)
    return tuple(merged)


def _rpr_of(style: etree._Element | None) -> etree._Element | None:
    return style.find(qn("w:rPr")) if style is not None else None


def _ppr_of(style: etree._Element | None) -> etree._Element | None:
    return style.find(qn("w:pPr")) if style is not None else None


def _first(sources: list[etree._Element], name: str) -> etree._Element | None:
    for src in sources:
        el = src.find(qn(f"w:{name}"))
        if el is not None:
            return el
    return None


def _on(el: etree._Element | None) -> bool:
    return el is not None and el.get(qn("w:val"), "true") not in ("0", "false", "off")


def _mm(margin: Length | None) -> float:
    """A margin in millimetres, 25 where the section does not say."""
    return margin.mm if margin is not None else 25.0

"""Laying out a model :class:`Document` as an A4 PDF with reportlab platypus.

The layout is deterministic: the same document, title and date give the same bytes.
Signature anchors record where each role's field belongs; footnotes sit at the foot
of the page that cites them (found by laying the document out until that is stable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph

from mougen.document import Document, Footnote, Paragraph
from mougen.document import Table as ModelTable
from mougen.render import fonts
from mougen.render.flowables import ChangeBar, FieldPlacement, SignatureAnchor
from mougen.render.markup import REVISION_COLOURS, paragraph_markup, run_markup
from mougen.render.styles import ALIGNMENTS, style_for, stylesheet
from mougen.roles import role

_HANGING = {"Clause", "Clause 2"}
_FOOTER_GAP = 12 * mm


@dataclass(frozen=True)
class LaidOut:
    """A laid-out PDF and the places its signature fields belong."""

    pdf: bytes
    placements: tuple[FieldPlacement, ...]


def write_pdf(document: Document, *, title: str, when: datetime | None = None) -> LaidOut:
    """Lay out ``document``; ``title`` goes in the footer and metadata, ``when`` in the dates."""
    when = when or datetime.now(UTC)
    reserved: dict[int, tuple[int, ...]] = {}
    for _ in range(4):
        layout = _Layout(document, title, when, reserved)
        result = layout.build()
        if layout.cited == reserved:
            return result
        reserved = layout.cited
    return result


class _Layout:
    """One layout pass: builds the story, the page templates and the PDF."""

    def __init__(
        self, document: Document, title: str, when: datetime, reserved: dict[int, tuple[int, ...]]
    ):
        self.document = document
        self.title = title
        self.when = when
        self.reserved = reserved
        self.placements: list[FieldPlacement] = []
        self.cited: dict[int, tuple[int, ...]] = {}

    def build(self) -> LaidOut:
        out = BytesIO()
        doc = _MouDocTemplate(self, out)
        footer = _footer_canvas(self.title, doc.leftMargin, doc.rightMargin)
        doc.build(self.story(), canvasmaker=footer)
        return LaidOut(out.getvalue(), tuple(self.placements))

    def story(self) -> list:
        flowables = []
        for block in self.document.blocks:
            if isinstance(block, ModelTable):
                flowables.append(self.table(block))
            else:
                flowables.extend(self.paragraph(block))
        return flowables

    def paragraph(self, paragraph: Paragraph, *, in_table: bool = False) -> list:
        """The flowables for one paragraph: itself, and a citation mark if it has footnotes."""
        flowables = [PageBreak()] if paragraph.page_break_before and not in_table else []
        flowables.append(self.styled(paragraph, in_table=in_table))
        cited = tuple(r.footnote for r in paragraph.runs if r.footnote is not None)
        return [*flowables, _Citation(cited, self)] if cited else flowables

    def styled(self, paragraph: Paragraph, *, in_table: bool):
        style = style_for(paragraph.style, paragraph.level)
        if paragraph.align:
            style = _aligned(style, paragraph.align)
        text, label = paragraph_markup(paragraph, split_label=paragraph.style in _HANGING)
        if label and paragraph.style in _HANGING:
            style = _hanging(style)
        flowable = RLParagraph(text or "&nbsp;", style, bulletText=label)
        if paragraph.anchor:
            title = role(paragraph.anchor).title
            flowable = SignatureAnchor(
                flowable, paragraph.anchor, f"Signature: {escape(title)}", self.placements
            )
        if paragraph.changed and not in_table:
            colour = REVISION_COLOURS[paragraph.revision or "format"]
            flowable = ChangeBar(flowable, colour)
        return flowable

    def table(self, table: ModelTable) -> Table:
        frame_width = self.frame_width
        widths = [w * frame_width for w in table.widths] if table.widths else None
        data = [
            [[f for p in cell.paragraphs for f in self.paragraph(p, in_table=True)] for cell in row]
            for row in table.rows
        ]
        commands = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 2)]
        if table.borders:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, "#777777"))
        return Table(data, colWidths=widths, style=TableStyle(commands), hAlign="LEFT")

    @property
    def frame_width(self) -> float:
        page_w, _ = self.document.page_size_mm
        _, right, _, left = self.document.margins_mm
        return (page_w - left - right) * mm

    def footnote_flowables(self, ids: tuple[int, ...]) -> list:
        style = stylesheet()["Footnote Text"]
        out = []
        for fid in ids:
            note: Footnote = self.document.footnote(fid)
            mark = next(
                (r.text for p in self.document.paragraphs for r in p.runs if r.footnote == fid),
                str(fid),
            )
            for i, para in enumerate(note.paragraphs):
                text = "".join(run_markup(r) for r in para.runs if r.footnote is None).strip()
                prefix = f"<super>{escape(mark)}</super> " if i == 0 else ""
                out.append(RLParagraph(prefix + text, style))
        return out


class _Citation(Flowable):
    """An invisible mark after a paragraph that cites footnotes: it notes the page it lands on."""

    def __init__(self, footnote_ids: tuple[int, ...], layout: _Layout):
        super().__init__()
        self.footnote_ids = footnote_ids
        self.layout = layout

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        page = self.canv.getPageNumber()
        cited = self.layout.cited
        cited[page] = tuple(dict.fromkeys(cited.get(page, ()) + self.footnote_ids))


class _MouDocTemplate(BaseDocTemplate):
    """A4 pages whose frame leaves room at the foot for that page's footnotes."""

    def __init__(self, layout: _Layout, out: BytesIO):
        doc = layout.document
        top, right, bottom, left = (m * mm for m in doc.margins_mm)
        page_w, page_h = (s * mm for s in doc.page_size_mm)
        super().__init__(
            out,
            pagesize=(page_w, page_h),
            topMargin=top,
            bottomMargin=bottom,
            leftMargin=left,
            rightMargin=right,
            title=layout.title,
            author="",
            subject="",
            creator="mougen",
            invariant=1,
            initialFontName=fonts.register(),
        )
        self.layout = layout
        templates = [self._template("body", ())]
        for page, ids in sorted(layout.reserved.items()):
            templates.append(self._template(f"notes-{page}", ids))
        self.addPageTemplates(templates)
        if 1 in layout.reserved:
            self.pageTemplates.insert(0, self.pageTemplates.pop(1))

    def _template(self, name: str, footnote_ids: tuple[int, ...]) -> PageTemplate:
        notes = self.layout.footnote_flowables(footnote_ids)
        notes_height = sum(n.wrap(self.width, self.height)[1] for n in notes)
        reserve = notes_height + 10 if notes else 0
        frame = Frame(
            self.leftMargin,
            self.bottomMargin + reserve,
            self.width,
            self.height - reserve,
            id=name,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

        def draw_notes(canvas: Canvas, doc: BaseDocTemplate) -> None:
            stamp_date(canvas, self.layout.when)
            if not notes:
                return
            y = self.bottomMargin + notes_height
            canvas.setLineWidth(0.5)
            canvas.line(self.leftMargin, y + 5, self.leftMargin + 50 * mm, y + 5)
            for note in notes:
                h = note.wrap(self.width, self.height)[1]
                y -= h
                note.drawOn(canvas, self.leftMargin, y)

        return PageTemplate(id=name, frames=[frame], onPage=draw_notes)

    def afterPage(self):
        upcoming = self.page + 1
        name = f"notes-{upcoming}" if upcoming in self.layout.reserved else "body"
        self.handle_nextPageTemplate(name)


def stamp_date(canvas: Canvas, when: datetime) -> None:
    """Date the PDF being drawn on ``canvas`` with ``when`` (creation and modification)."""
    # reportlab in invariant mode dates every document 2000-01-01; give it our date.
    stamp = when.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    canvas._doc.setDateFormatter(lambda *_: stamp)


def _footer_canvas(title: str, left: float, right: float):
    """A canvas class that prints "title · Page N of M" once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            style = stylesheet()["Footer"]
            self.saveState()
            self.setFont(style.fontName, style.fontSize)
            self.setFillColor(style.textColor)
            width = self._pagesize[0]
            self.drawString(left, _FOOTER_GAP, title)
            self.drawRightString(width - right, _FOOTER_GAP, f"Page {number} of {total}")
            self.restoreState()

    return FooterCanvas


def _aligned(style, align: str):
    return style.clone(f"{style.name}-{align}", alignment=ALIGNMENTS[align])


def _hanging(style):
    return style.clone(f"{style.name}-hanging", bulletIndent=style.leftIndent - 34)

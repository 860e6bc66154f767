"""The document model reader: what a DOCX becomes, and what it refuses by name."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from mougen.document import Paragraph, Run, Table, read_docx
from mougen.errors import TemplateError, UnsupportedFeature
from mougen.render import render_placeholder
from mougen.render.pdf import write_pdf


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _bookmark(paragraph, name: str) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "7")
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "7")
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def test_styles_lists_numbers_tables_formatting_and_anchors():
    d = docx.Document()
    d.add_paragraph("The Title", style="Title")
    d.add_paragraph("first", style="List Bullet")
    d.add_paragraph("one", style="List Number")
    d.add_paragraph("two", style="List Number")
    mixed = d.add_paragraph("plain ")
    mixed.add_run("bold").bold = True
    mixed.add_run(" and ")
    mixed.add_run("italic").italic = True
    mixed.alignment = WD_ALIGN_PARAGRAPH.CENTER
    signed = d.add_paragraph("Signed: ______")
    _bookmark(signed, "sig_lead_member")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "left"
    table.cell(0, 1).text = "right"
    model = read_docx(_bytes(d))

    title, bullet, one, two, para, line, grid = model.blocks
    assert (title.style, title.text) == ("Title", "The Title")
    assert (bullet.label, bullet.text) == ("•", "first")
    assert (one.label, two.label) == ("1.", "2.")
    assert [(r.text, r.bold, r.italic) for r in para.runs] == [
        ("plain ", False, False),
        ("bold", True, False),
        (" and ", False, False),
        ("italic", False, True),
    ]
    assert para.align == "center"
    assert line.anchor == "lead-member" and model.anchors == ("lead-member",)
    assert isinstance(grid, Table)
    assert [c.paragraphs[0].text for c in grid.rows[0]] == ["left", "right"]
    assert grid.widths == pytest.approx((0.5, 0.5))


def test_page_breaks_are_read_and_laid_out():
    d = docx.Document()
    d.add_paragraph("on page one")
    d.add_paragraph("by paragraph format").paragraph_format.page_break_before = True
    broken = d.add_paragraph()
    broken.add_run().add_break(WD_BREAK.PAGE)
    broken.add_run("after a typed break")
    model = read_docx(_bytes(d))
    assert [p.page_break_before for p in model.blocks] == [False, True, True]
    assert model.blocks[2].text == "after a typed break", "the break itself is not text"

    laid_out = write_pdf(model, title="t", when=datetime(2026, 1, 1, tzinfo=UTC))
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=laid_out.pdf, capture_output=True, check=True
    ).stdout.decode()
    pages = [page for page in text.split("\f") if page.strip()]
    assert [
        "on page one" in pages[0],
        "by paragraph format" in pages[1],
        "after a typed break" in pages[2],
    ] == [True, True, True]


def test_footnotes_are_read_with_their_marks(bundled):
    model = render_placeholder(bundled, "se-2019-20", when=datetime.now(UTC)).document
    [note] = model.footnotes
    assert note.paragraphs[0].text.strip().startswith("This is meant to address concerns")
    [cited] = [p for p in model.paragraphs if any(r.footnote for r in p.runs)]
    assert "particular local authority area" in cited.body_text
    assert [r.text for r in cited.runs if r.footnote] == ["1"]


@pytest.mark.parametrize(
    ("xml", "named"),
    [
        ("<w:r><w:drawing/></w:r>", "image"),
        ('<w:fldSimple w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>', "field"),
        ('<w:r><w:commentReference w:id="1"/></w:r>', "comment"),
        ("<w:sdt><w:sdtContent><w:r><w:t>x</w:t></w:r></w:sdtContent></w:sdt>", "content control"),
    ],
)
def test_unsupported_content_is_named(xml, named):
    d = docx.Document()
    p = d.add_paragraph("host")
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    p._p.append(etree.fromstring(xml.replace("<w:", "<w:", 1).replace(">", f" {ns}>", 1)))
    with pytest.raises(UnsupportedFeature, match=named):
        read_docx(_bytes(d), "t.docx")


def test_tracked_changes_and_non_word_files_are_refused():
    d = docx.Document()
    p = d.add_paragraph("kept")
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "x")
    p._p.append(ins)
    with pytest.raises(TemplateError, match="tracked changes"):
        read_docx(_bytes(d), "t.docx")
    with pytest.raises(TemplateError, match="not a readable Word document"):
        read_docx(b"plain text", "notes.docx")


def test_paragraph_text_excludes_footnote_marks_from_body_text():
    p = Paragraph("Normal", (Run("area"), Run("1", superscript=True, footnote=1), Run(".")))
    assert (p.text, p.body_text) == ("area1.", "area.")

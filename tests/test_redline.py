"""The DOCX redline: accept gives NEW, reject gives OLD, moves are moves, Word's markup is right."""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree
from pypdf import PdfReader

from mougen.document import read_docx
from mougen.redline import (
    ClauseChange,
    Version,
    diff_documents,
    render_redline,
    summarize,
    write_docx,
)
from mougen.redline.diff import diff_paragraphs
from mougen.redline.pdf import marked_document
from mougen.render.model_data import KEY_STYLE, document_data
from tests.pdftext import words
from tests.seedtext import split_pandoc_notes, text_words
from tests.tracked import REVISIONS, W, accepted_words, document_xml, rejected_words

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MOVED_TEXT = "Systematically sharing knowledge"


def redline(old: bytes, new: bytes) -> bytes:
    return write_docx(
        diff_documents(read_docx(old), read_docx(new)),
        old,
        new,
        author="Tester",
        when=datetime.now(UTC),
    )


def edited_copy(source: bytes) -> bytes:
    """An MoU with a word changed, a paragraph deleted, one inserted and one moved (and edited)."""
    doc = docx.Document(io.BytesIO(source))
    long = [p for p in doc.paragraphs if len(p.text.split()) > 8]
    changed, dropped, before_new, moved, target = long[2], long[3], long[4], long[6], long[10]
    assert moved.text.startswith(MOVED_TEXT)
    first = changed.runs[0]
    assert " the " in first.text
    first.text = first.text.replace(" the ", " a ", 1)
    dropped._p.getparent().remove(dropped._p)
    inserted = copy.deepcopy(before_new._p)
    before_new._p.addnext(inserted)
    added = DocxParagraph(inserted, before_new._parent)
    for run in added.runs[1:]:
        run._r.getparent().remove(run._r)
    added.runs[
        0
    ].text = "Authorities will publish an annual statement of their improvement priorities."
    target._p.addnext(moved._p)
    moved.runs[-1].text += " as agreed by the board"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def se_pair() -> tuple[bytes, bytes]:
    return (TEMPLATES / "se-2018.docx").read_bytes(), (TEMPLATES / "se-2019-20.docx").read_bytes()


@pytest.fixture(scope="module")
def edited_pair() -> tuple[bytes, bytes]:
    old = (TEMPLATES / "london-2019.docx").read_bytes()
    return old, edited_copy(old)


@pytest.fixture(scope="module", params=["se", "edited"])
def case(request, se_pair, edited_pair) -> tuple[bytes, bytes, bytes]:
    old, new = se_pair if request.param == "se" else edited_pair
    return old, new, redline(old, new)


def pandoc_words(path: Path, track_changes: str | None = None) -> list[str]:
    args = ["pandoc", str(path), "-t", "plain", "--wrap=none"]
    if track_changes:
        args.append(f"--track-changes={track_changes}")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return text_words(split_pandoc_notes(out)[0])


def untitled(words: list[str], source: bytes) -> list[str]:
    """``words`` without the title and subtitle, which pandoc takes as metadata."""
    titles = [p for p in read_docx(source).paragraphs if p.style in ("Title", "Subtitle")]
    heading = " ".join(p.body_text for p in titles).split()
    assert words[: len(heading)] == heading
    return words[len(heading) :]


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def model_words(source: bytes) -> list[str]:
    return " ".join(p.body_text for p in read_docx(source).paragraphs).split()


def test_pandoc_accept_gives_new_and_reject_gives_old(case, tmp_path):
    old, new, red = case
    for name, data in (("old", old), ("new", new), ("red", red)):
        (tmp_path / f"{name}.docx").write_bytes(data)
    assert pandoc_words(tmp_path / "red.docx", "accept") == pandoc_words(tmp_path / "new.docx")
    assert pandoc_words(tmp_path / "red.docx", "reject") == pandoc_words(tmp_path / "old.docx")


def test_python_accept_and_reject_agree_with_pandoc(case, tmp_path):
    """The helper the property tests rely on reads tracked changes as pandoc does."""
    old, new, red = case
    (tmp_path / "red.docx").write_bytes(red)
    assert accepted_words(red) == model_words(new)
    assert rejected_words(red) == model_words(old)
    accepted = text_words(" ".join(untitled(accepted_words(red), new)))
    rejected = text_words(" ".join(untitled(rejected_words(red), old)))
    assert accepted == pandoc_words(tmp_path / "red.docx", "accept")
    assert rejected == pandoc_words(tmp_path / "red.docx", "reject")


def test_every_revision_has_author_date_and_a_unique_id(case):
    root = document_xml(case[2])
    marks = [
        el
        for tag in (*REVISIONS, "moveFromRangeStart", "moveToRangeStart")
        for el in root.iter(f"{W}{tag}")
    ]
    assert len(marks) > 5
    assert all(el.get(f"{W}author") == "Tester" for el in marks)
    assert all(el.get(f"{W}date", "").endswith("Z") for el in marks)
    ids = [el.get(f"{W}id") for el in marks]
    assert len(ids) == len(set(ids))


def test_moved_paragraph_is_a_move_with_its_edit_inside(edited_pair):
    root = document_xml(redline(*edited_pair))
    source = [p for p in root.iter(f"{W}p") if p.find(f"{W}moveFromRangeStart") is not None]
    target = [p for p in root.iter(f"{W}p") if p.find(f"{W}moveToRangeStart") is not None]
    assert len(source) == len(target) == 1
    name = source[0].find(f"{W}moveFromRangeStart").get(f"{W}name")
    assert target[0].find(f"{W}moveToRangeStart").get(f"{W}name") == name
    end = source[0].find(f"{W}moveFromRangeEnd").get(f"{W}id")
    assert end == source[0].find(f"{W}moveFromRangeStart").get(f"{W}id")
    assert "".join(source[0].find(f"{W}moveFrom").itertext()).startswith(MOVED_TEXT)
    assert "".join(target[0].find(f"{W}moveTo").itertext()).startswith(MOVED_TEXT)
    assert "".join(target[0].find(f"{W}ins").itertext()).strip() == "as agreed by the board"
    assert source[0].find(f"{W}pPr/{W}rPr/{W}moveFrom") is not None


def test_whole_paragraphs_have_their_marks_tracked(edited_pair):
    root = document_xml(redline(*edited_pair))
    inserted = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
    deleted = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert ["".join(p.itertext()) for p in inserted] == [
        "Authorities will publish an annual statement of their improvement priorities."
    ]
    assert len(deleted) == 1
    assert deleted[0].find(f".//{W}delText") is not None
    assert deleted[0].find(f".//{W}t") is None


def test_changed_word_is_a_word_level_change(edited_pair):
    root = document_xml(redline(*edited_pair))
    dels = ["".join(d.itertext()) for d in root.iter(f"{W}del") if d.getparent().tag == f"{W}p"]
    inss = ["".join(i.itertext()) for i in root.iter(f"{W}ins") if i.getparent().tag == f"{W}p"]
    assert "the" in [d.strip() for d in dels]
    assert "a" in [i.strip() for i in inss]


def test_renumbered_heading_is_one_small_change(se_pair):
    """ "Local and Regional" became "5. Local and Regional": only the number is inserted."""
    root = document_xml(redline(*se_pair))
    heading = next(
        p for p in root.iter(f"{W}p") if "".join(p.itertext()).endswith("Local and Regional")
    )
    assert ["".join(i.itertext()) for i in heading.iter(f"{W}ins")] == ["5. "]
    assert heading.find(f".//{W}del") is None


def test_restyled_paragraph_records_its_old_style(se_pair):
    """se-2018's bullets became numbered "Clause 2" paragraphs: the old style is kept on record."""
    root = document_xml(redline(*se_pair))
    old_styles = {el.get(f"{W}val") for el in root.iterfind(f".//{W}pPrChange/{W}pPr/{W}pStyle")}
    assert "ListBullet" in old_styles


def test_reformatted_word_gets_rpr_change(edited_pair):
    old = edited_pair[0]
    doc = docx.Document(io.BytesIO(old))
    target = next(p for p in doc.paragraphs if len(p.text.split()) > 8)
    target.runs[0].bold = True
    out = io.BytesIO()
    doc.save(out)
    root = document_xml(redline(old, out.getvalue()))
    changes = list(root.iter(f"{W}rPrChange"))
    assert changes
    run = changes[0].getparent().getparent()
    assert run.find(f"{W}rPr/{W}b") is not None
    assert changes[0].find(f"{W}rPr/{W}b") is None
    assert root.find(f".//{W}ins") is None and root.find(f".//{W}del") is None


def test_new_package_parts_carry_over(se_pair):
    old, new = se_pair
    red = redline(old, new)
    with zipfile.ZipFile(io.BytesIO(red)) as z, zipfile.ZipFile(io.BytesIO(new)) as n:
        for part in ("word/styles.xml", "word/numbering.xml", "word/footnotes.xml"):
            assert canonical(z.read(part)) == canonical(n.read(part))
    refs = list(document_xml(red).iter(f"{W}footnoteReference"))
    assert [r.get(f"{W}id") for r in refs] == [
        r.get(f"{W}id") for r in document_xml(new).iter(f"{W}footnoteReference")
    ]


def soffice_convert(source: Path, fmt: str) -> Path:
    """``source`` converted by LibreOffice headless (private profile); skips without soffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice not installed (Debian package libreoffice-writer-nogui)")
    profile = f"-env:UserInstallation=file://{source.parent / 'lo-profile'}"
    args = ["--headless", "--convert-to", fmt, "--outdir", str(source.parent), str(source)]
    subprocess.run(
        [soffice, profile, *args],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return source.with_suffix(f".{fmt}")


@pytest.mark.slow
def test_libreoffice_opens_the_redline_and_shows_the_changes(edited_pair, tmp_path):
    (tmp_path / "red.docx").write_bytes(redline(*edited_pair))
    pdf = soffice_convert(tmp_path / "red.docx", "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "Authorities will publish an annual statement" in flat  # inserted
    assert "The MoU sets out the agreed areas" in flat  # deleted, still shown
    assert flat.count(MOVED_TEXT) == 2  # at the old and the new place


@pytest.mark.slow
def test_libreoffice_reads_each_revision_as_a_tracked_change(edited_pair, tmp_path):
    """Opened in LibreOffice, each change is one tracked change (ODF's changed regions)."""
    (tmp_path / "red.docx").write_bytes(redline(*edited_pair))
    odt = soffice_convert(tmp_path / "red.docx", "odt")
    with zipfile.ZipFile(odt) as z:
        content = etree.fromstring(z.read("content.xml"))
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    kinds = Counter(
        etree.QName(child).localname
        for region in content.iter(f"{{{text_ns}}}changed-region")
        for child in region
    )
    # "a" for "the", the new paragraph, the words added to the moved paragraph and its two ends.
    assert kinds == {"insertion": 4, "deletion": 3}


def test_pdf_redline_has_the_summary_and_both_sides_of_each_change(edited_pair, tmp_path):
    old, new = edited_pair
    data, summary = render_redline(
        Version("old.docx", old), Version("new.docx", new), ".pdf", when=datetime.now(UTC)
    )
    assert (summary.insertions, summary.deletions, summary.moves) == (3, 2, 1)
    pdf = tmp_path / "red.pdf"
    pdf.write_bytes(data)
    subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    summary_page, body = text.split("\f", 1)
    assert "Summary of changes" in summary_page
    assert "The MoU sets out the agreed areas" in body and "Summary" not in body, (
        "the summary has a page of its own"
    )
    assert "Summary of changes Changes from old.docx to new.docx." in flat
    assert "Insertions: 3 Deletions: 2 Moves: 1 Formatting changes: 0" in flat
    assert "1.4 (deleted)" in flat and "1.3 (changed)" in flat
    assert "Systematically sharing knowledge about what works… (moved)" in flat
    assert "Authorities will publish an annual statement of their improvement priorities." in flat
    assert "The MoU sets out the agreed areas" in flat  # deleted, shown struck through
    assert flat.count(MOVED_TEXT) == 3  # the summary, the old place and the new


def test_marked_document_carries_the_revision_marks(edited_pair):
    old, new = edited_pair
    redline = diff_documents(read_docx(old), read_docx(new))
    summary = summarize(redline, old="old", new="new")
    doc = marked_document(redline, summary)
    assert doc.blocks[0].text == "Summary of changes"
    marks = Counter(p.revision for p in doc.paragraphs if p.revision)
    assert marks == {"insert": 1, "delete": 1, "move-from": 1, "move-to": 1}
    runs = [r for p in doc.paragraphs for r in p.runs if r.revision]
    assert ("the", "delete") in {(r.text.strip(), r.revision) for r in runs}
    assert ("a", "insert") in {(r.text.strip(), r.revision) for r in runs}
    assert all(p.changed for p in doc.paragraphs if p.revision)


def without_footnoted_clause(source: bytes, *, reword_note: bool) -> bytes:
    """se-2019-20 without clause 3.2 (the one with a footnote); the note itself reworded."""
    doc = docx.Document(io.BytesIO(source))
    cited = next(p for p in doc.paragraphs if p._p.find(f".//{W}footnoteReference") is not None)
    cited._p.getparent().remove(cited._p)
    out = io.BytesIO()
    doc.save(out)
    if not reword_note:
        return out.getvalue()
    reworded = io.BytesIO()
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(reworded, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/footnotes.xml":
                data = data.replace(b"This is meant", b"This was meant")
            dst.writestr(item, data)
    return reworded.getvalue()


@pytest.mark.parametrize("reword_note", [False, True])
def test_deleted_footnote_reference_points_at_old_note(se_pair, tmp_path, reword_note):
    """A deleted clause's footnote comes back on reject, even where NEW reworded its note."""
    old = se_pair[1]
    new = without_footnoted_clause(old, reword_note=reword_note)
    red = redline(old, new)
    with zipfile.ZipFile(io.BytesIO(red)) as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    ref = next(document_xml(red).iter(f"{W}footnoteReference"))
    assert ref.getparent().getparent().tag == f"{W}del"
    note = next(n for n in notes.iter(f"{W}footnote") if n.get(f"{W}id") == ref.get(f"{W}id"))
    assert "".join(note.itertext()).strip().startswith("This is meant")
    for name, data in (("old", old), ("red", red)):
        (tmp_path / f"{name}.docx").write_bytes(data)
    full = ["pandoc", "-t", "plain", "--wrap=none"]
    rejected = subprocess.run(
        [*full, "--track-changes=reject", str(tmp_path / "red.docx")],
        capture_output=True,
        text=True,
    ).stdout
    original = subprocess.run([*full, str(tmp_path / "old.docx")], capture_output=True, text=True)
    assert text_words(rejected) == text_words(original.stdout)


def test_rewritten_clause_reads_as_one_deletion_and_one_insertion(se_pair):
    """Short kept words ("the") between two changes are folded in, as Word's compare does."""
    old, new = (read_docx(x).blocks[3] for x in se_pair)
    edits = [
        (e.op, old.text[slice(*e.old)], new.text[slice(*e.new)]) for e in diff_paragraphs(old, new)
    ]
    changes = [e for e in edits if e[0] != "equal"]
    assert changes == [
        ("insert", "", "1.1. "),
        ("delete", "2018", ""),
        ("insert", "", "2019-20"),
        ("delete", changes[3][1], ""),
        ("insert", "", "Programme, the regional improvement alliance in the south east."),
    ]
    assert changes[3][1].startswith("Programme. It has not been endorsed")


def test_summary_counts_renumbered_clauses_apart(se_pair):
    redline_ = diff_documents(*(read_docx(x) for x in se_pair))
    summary = summarize(redline_, old="se-2018", new="se-2019-20")
    renumbered = [p for p in redline_.paragraphs if p.renumbered]
    assert summary.renumbered == len(renumbered) > 20
    assert "5. Local and Regional" in [p.new.text for p in renumbered]
    listed = {c.clause for c in summary.clauses}
    assert "5.1." not in listed  # "3. Sector led improvement..." only renumbered
    # The two new protocols (sections 3 and 4) are one run of inserted clauses.
    assert ClauseChange("3.", "inserted", "4.3.6.", 33) in summary.clauses
    assert "3. to 4.3.6. (inserted, 33 paragraphs)" in summary.text()
    assert summary.moves == 0


@pytest.fixture(scope="module")
def nw_to_london_pdf(tmp_path_factory) -> Path:
    """The PDF redline of nw-2017-19 to london-2019: whole clauses deleted, inserted and
    renumbered."""
    old, new = (TEMPLATES / f"{name}.docx" for name in ("nw-2017-19", "london-2019"))
    data, _ = render_redline(
        Version("nw-2017-19", old.read_bytes()),
        Version("london-2019", new.read_bytes()),
        ".pdf",
        when=datetime.now(UTC),
    )
    pdf = tmp_path_factory.mktemp("redline") / "redline.pdf"
    pdf.write_bytes(data)
    return pdf


def _line_starting(pdf: Path, first: str, then: str) -> tuple[float, float]:
    """The x of the word ``first`` and of the word ``then`` just right of it on its line."""
    for page in range(1, len(PdfReader(pdf).pages) + 1):
        found = words(pdf, page)
        for word, x0, top, x1, _ in found:
            if word == first:
                right = [w for w in found if abs(w[2] - top) < 1 and w[1] > x1]
                if right and min(right, key=lambda w: w[1])[0] == then:
                    return x0, min(w[1] for w in right)
    raise AssertionError(f"no line starting {first} {then}")


def test_changed_clauses_keep_their_hanging_indent_and_nesting(nw_to_london_pdf, se_pair, tmp_path):
    margin = 25 * 72 / 25.4
    # a deleted clause (2.3.), an inserted one (3.1.), a renumbered one (2.4. -> 3.7.)
    for first, then in (("2.3.", "The"), ("3.1.", "Oversight"), ("2.4.", "3.7.")):
        label, text = _line_starting(nw_to_london_pdf, first, then)
        assert abs(label - margin) < 1, f"{first} hangs at the margin"
        if then != "3.7.":
            assert abs(text - (margin + 34)) < 1, f"{first}'s text at the clause indent"
    old, new = se_pair
    data, _ = render_redline(
        Version("se-2018", old), Version("se-2019-20", new), ".pdf", when=datetime.now(UTC)
    )
    (pdf := tmp_path / "se.pdf").write_bytes(data)
    label, text = _line_starting(pdf, "4.3.6.", "The")  # an inserted sub-clause
    assert abs(label - (margin + 28)) < 1 and abs(text - (margin + 62)) < 1


def test_the_key_to_the_marks_has_no_change_bar(se_pair):
    old, new = (read_docx(source) for source in se_pair)
    redline_ = diff_documents(old, new)
    data = document_data(
        marked_document(redline_, summarize(redline_, old="a", new="b")), title="t"
    )
    key = next(b for b in data["blocks"] if b.get("style") == KEY_STYLE)
    assert key["bar"] is None
    assert any(r["revision"] for r in key["runs"]), "the key shows the marks themselves"

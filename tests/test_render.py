"""Rendering: DOCX and PDF carry every word of the seed; the PDF has the three fields."""

from __future__ import annotations

import difflib
import io
import itertools
import statistics
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from mougen.document import read_docx
from mougen.render import render_authority
from mougen.render.docx import fill_template
from mougen.roles import ROLE_IDS
from tests.pdftext import mou_words, pdftotext, qpdf_check, signature_fields, words
from tests.seedtext import seed_words, text_words

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ROLE_WORDS = {
    "dcs": "Director of",
    "lead-member": "Lead Member",
    "chief-executive": "Chief Executive",
}
#: One party per version, and how it fills that version's blanks.
CASES = {
    "nw-2017-19": ("manchester", {"authority.name": "Manchester"}),
    "london-2019": ("city-of-london", {"authority.name": "City of London"}),
    "em-2015": ("derby", {"authority.name": "Derby City"}),
    "se-2018": ("milton-keynes", {}),
    "se-2019-20": (
        "windsor-and-maidenhead",
        {"authority.council": "Royal Borough of Windsor and Maidenhead"},
    ),
}


@pytest.fixture(scope="module")
def rendered(bundled, tmp_path_factory):
    """Each version rendered once for its case's authority, written to disk."""
    out = tmp_path_factory.mktemp("rendered")
    paths = {}
    for mou_id, (slug, _) in CASES.items():
        result = render_authority(bundled, mou_id, slug, when=WHEN)
        (out / f"{mou_id}.pdf").write_bytes(result.pdf)
        (out / f"{mou_id}.docx").write_bytes(result.docx)
        paths[mou_id] = (out / f"{mou_id}.docx", out / f"{mou_id}.pdf")
    return paths


def _same(actual: list[str], expected: list[str]) -> None:
    if actual != expected:
        diff = "\n".join(difflib.unified_diff(expected, actual, "seed", "rendered", lineterm=""))
        pytest.fail(f"words differ from the seed:\n{diff[:3000]}")


@pytest.mark.parametrize("mou_id", CASES)
def test_pdf_carries_every_seed_word_in_order(rendered, bundled, mou_id):
    slug, fills = CASES[mou_id]
    entry = bundled.catalog.mou(mou_id)
    # the footer names the council after the title (the "·" between is not a word)
    running = f"{entry.mou.title} {entry.party(slug).council}"
    _same(mou_words(rendered[mou_id][1], mou_id, running), seed_words(mou_id, fills))


@pytest.mark.parametrize("mou_id", CASES)
def test_docx_carries_every_seed_word_in_order(rendered, mou_id):
    _, fills = CASES[mou_id]
    document = docx.Document(str(rendered[mou_id][0]))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        paragraphs += [c.text for row in table.rows for c in row.cells]
    # python-docx lists body paragraphs before table cells; the se-2019-20 table ends it.
    _same(text_words("\n".join(paragraphs)), seed_words(mou_id, fills))


def test_footnote_prints_at_the_foot_of_its_page(rendered):
    pdf = rendered["se-2019-20"][1]
    for page in range(1, 7):
        text = pdftotext_page(pdf, page)
        if "potential service failure" in text and "particular local authority area" in text:
            body, _, foot = text.partition("This is meant to address concerns")
            assert "3.3." in body, "the footnote should follow the text of its page"
            assert "opposite numbers." in foot
            return
    pytest.fail("no page holds both clause 3.2 and its footnote")


def pdftotext_page(pdf: Path, page: int) -> str:
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("mou_id", CASES)
def test_pdf_is_sound_and_has_three_empty_role_fields(rendered, mou_id):
    pdf = rendered[mou_id][1]
    check = qpdf_check(pdf)
    assert check.returncode == 0, check.stdout + check.stderr
    fields = signature_fields(pdf)
    assert sorted(fields) == sorted(ROLE_IDS)
    assert not any(f["signed"] for f in fields.values())
    assert {f["tooltip"] for f in fields.values()} == {
        "Director of Children’s Services",
        "Lead Member for Children’s Services",
        "Chief Executive",
    }


@pytest.mark.parametrize("mou_id", CASES)
def test_fields_sit_on_the_signature_page_above_their_lines(rendered, mou_id):
    pdf = rendered[mou_id][1]
    fields = signature_fields(pdf)
    for name, field in fields.items():
        page_text = pdftotext_page(pdf, field["page"] + 1)
        assert ROLE_WORDS[name] in page_text.replace("\n", " ")
        x0, y0, x1, y1 = field["rect"]
        assert 40 <= x0 < x1 <= 560 and 40 <= y0 < y1 <= 800
        assert y1 - y0 >= 40, "room for a visible signature"


@pytest.mark.parametrize("mou_id", CASES)
def test_every_page_footer_names_the_council(rendered, bundled, mou_id):
    council = bundled.catalog.mou(mou_id).party(CASES[mou_id][0]).council
    pages = pdftotext(rendered[mou_id][1], raw=False).split("\f")[:-1]
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        footer = " ".join(" ".join(page.split()).rsplit("Page", 1)[0].split()[-12:])
        assert " ".join(council.split()) in " ".join(page.split()), f"page {number}: {footer}"


@pytest.mark.parametrize("mou_id", CASES)
def test_the_model_read_in_memory_is_the_model_of_the_docx_written(bundled, mou_id):
    result = render_authority(bundled, mou_id, CASES[mou_id][0], when=WHEN)
    assert result.document == read_docx(result.docx, "written.docx")


def test_fonts_are_embedded(rendered):
    listing = subprocess.run(
        ["pdffonts", str(rendered["em-2015"][1])], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing, "no fonts listed"
    assert all(line.split()[-5] == "yes" for line in listing), listing


def test_same_inputs_and_date_give_the_same_bytes(bundled):
    first = render_authority(bundled, "se-2018", "kent", when=WHEN)
    again = render_authority(bundled, "se-2018", "kent", when=WHEN)
    later = render_authority(bundled, "se-2018", "kent", when=datetime(2027, 1, 1, tzinfo=UTC))
    assert first.pdf == again.pdf
    assert first.docx == again.docx
    assert first.pdf != later.pdf
    assert b"D:20261122093000" in first.pdf


def _add_authority(workspace, name: str) -> None:
    path = workspace.regions_dir / "south-east.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("      wokingham]", "      wokingham, odd-one]")
    text += f'  - {{slug: odd-one, name: "{name}", council: "{name} Council"}}\n'
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("mou_id", ["se-2019-20", "se-2018"])
def test_ampersand_and_angle_bracket_survive(workspace, tmp_path, mou_id):
    name = "Bath & <North> East"
    _add_authority(workspace, name)
    result = render_authority(workspace, mou_id, "odd-one", when=WHEN)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(result.docx)).paragraphs)
    assert name in text
    pdf = tmp_path / "odd.pdf"
    pdf.write_bytes(result.pdf)
    assert name in pdftotext(pdf, raw=False)


def test_render_command_writes_docx_and_pdf(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("render", "nw-2017-19", "--authority", "manchester", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "nw-2017-19--manchester.docx",
        "nw-2017-19--manchester.pdf",
    ]


def test_render_marks_every_page_a_preview_and_pack_does_not(run_cli, tmp_path):
    assert run_cli("render", "em-2015", "-a", "derby", "-o", str(tmp_path / "r")).exit_code == 0
    assert run_cli("pack", "em-2015", "-a", "derby", "-o", str(tmp_path / "p")).exit_code == 0
    preview = pdftotext(tmp_path / "r" / "em-2015--derby.pdf", raw=False).split("\f")[:-1]
    issued = pdftotext(tmp_path / "p" / "em-2015--derby" / "em-2015--derby.pdf", raw=False)
    note = "Preview, not for signature"
    assert preview and all(note in " ".join(page.split()) for page in preview)
    assert "“mougen pack”" in " ".join(preview[0].split())
    assert "`" not in "".join(preview), "the banner prints the command, not Markdown"
    assert note not in issued
    assert sorted(signature_fields(tmp_path / "r" / "em-2015--derby.pdf")) == sorted(ROLE_IDS)


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0]


def test_unknown_mou_and_authority(run_cli, tmp_path):
    out = tmp_path / "out"
    _one_line_error(run_cli("render", "nw-2099", "-a", "x", "-o", str(out)), "nw-2099")
    _one_line_error(
        run_cli("render", "nw-2017-19", "-a", "camden", "-o", str(out)),
        "camden",
        "not a party",
        "north-west.yaml",
    )
    assert not out.exists()


def test_missing_template(run_cli, workspace, tmp_path):
    (workspace.templates_dir / "em-2015.docx").unlink()
    _one_line_error(
        run_cli("render", "em-2015", "-a", "derby", "-o", str(tmp_path / "o")),
        "em-2015.docx",
        "missing",
    )
    assert not (tmp_path / "o").exists()


def _edit_template(path: Path, edit) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["word/document.xml"] = edit(parts["word/document.xml"].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_template_variable_the_config_lacks(run_cli, workspace, tmp_path):
    _edit_template(
        workspace.templates_dir / "em-2015.docx",
        lambda xml: xml.replace("{{ authority.name }}", "{{ authority.mayor }}", 1),
    )
    _one_line_error(
        run_cli("render", "em-2015", "-a", "derby", "-o", str(tmp_path / "o")),
        "em-2015.docx",
        "mayor",
    )
    assert not (tmp_path / "o").exists()


TRACKED = (
    '<w:ins w:id="901" w:author="x" w:date="2020-01-01T00:00:00Z"><w:r><w:t>new</w:t></w:r></w:ins>'
)
TEXT_BOX = (
    '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
    "<w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent>"
    "</v:textbox></v:shape></w:pict></w:r>"
)


@pytest.mark.parametrize(("xml", "named"), [(TRACKED, "tracked changes"), (TEXT_BOX, "text box")])
def test_template_content_that_cannot_be_rendered_is_named(
    run_cli, workspace, tmp_path, xml, named
):
    _edit_template(
        workspace.templates_dir / "em-2015.docx",
        lambda doc: doc.replace("</w:p>", xml + "</w:p>", 1),
    )
    out = tmp_path / "o"
    _one_line_error(
        run_cli("render", "em-2015", "-a", "derby", "-o", str(out)), "em-2015.docx", named
    )
    assert not out.exists()


def test_output_path_that_is_a_file(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_line_error(run_cli("render", "em-2015", "-a", "derby", "-o", str(blocker / "out")), "file")


def test_paragraphs_are_spaced_apart_as_in_the_docx(rendered):
    """Between two clauses there is the DOCX's 6 pt more than between two lines of one."""
    found = words(rendered["nw-2017-19"][1], 2)  # clauses 2.1 to 2.4
    tops: list[float] = []
    for top in sorted(w[2] for w in found):
        if not tops or top - tops[-1] > 1:  # words of one line differ by a fraction
            tops.append(top)
    pitch = statistics.median(b - a for a, b in itertools.pairwise(tops))
    for label in ("2.2.", "2.3.", "2.4."):
        top = next(w[2] for w in found if w[0] == label)
        above = max(t for t in tops if t < top - 1)
        assert top - above >= pitch + 5, f"{label}: {top - above:.1f} pt, lines {pitch:.1f} pt"


def test_bullets_sit_under_the_text_of_their_clause(rendered):
    found = words(rendered["nw-2017-19"][1])
    clause_text = next(w[1] for w in found if w[0] == "The" and w[1] > 90)  # "1.1.  The MoU"
    bullets = [w[1] for w in found if w[0] == "•"]
    assert bullets and all(x >= clause_text - 1 for x in bullets), (clause_text, bullets)


@pytest.mark.parametrize(("value", "tabs"), [("a\tb", 1), ("ab", 0)])
def test_a_tab_in_a_value_becomes_a_word_tab(tmp_path, value, tabs):
    # docxtpl's listing pass is skipped for XML without such a character: with one, it runs
    template = docx.Document()
    template.add_paragraph("Value: {{ x }}")
    path = tmp_path / "tab.docx"
    template.save(str(path))
    filled = fill_template(path, {"x": value})
    assert filled.element.body.xpath("count(.//w:tab)") == tabs
    assert filled.paragraphs[0].text == "Value: a\tb".replace("\t", "\t" if tabs else "")

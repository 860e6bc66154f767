"""The signature page: every block on one page, nothing overlapping, each field by its title.

These tests read what poppler sees (pdftotext, pdftoppm) in PDFs mougen lays out
itself, so they test mougen's layout, not another program's line breaking.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mougen.render import render_authority
from mougen.roles import ROLE_IDS, role
from tests.pdftext import clashes, signature_fields, words

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
MOUS = ("nw-2017-19", "london-2019", "em-2015", "se-2018", "se-2019-20")
#: Each role's heading in the versions that give every role its own block.
HEADINGS = {
    "dcs": "Director of Children’s Services",
    "lead-member": "Lead Member for Children’s Services",
    "chief-executive": "Chief Executive of the Council",
}
#: What each role's column or line says in the versions that sign in one block.
SHORT = {
    "dcs": "Director of Children’s",
    "lead-member": "Lead Member",
    "chief-executive": "Chief Executive",
}
MARGIN = 25 * 72 / 25.4  # the templates' page margins, in points
A4 = (595.28, 841.89)


def page_lines(pdf: Path, page: int) -> list[str]:
    """The lines of one page (1-based) as pdftotext lays them out, spaces collapsed."""
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def block_lines(mou_id: str, role_id: str, council: str) -> list[str]:
    """The lines of a role's signature block, in order, as prefixes of printed lines."""
    if mou_id in ("se-2018", "se-2019-20"):
        return [f"Signed for {council}"]  # the lead-in, then the roles side by side or in turn
    lines = [HEADINGS[role_id], f"Signature: {role(role_id).title}", "Signed", "Date"]
    # the authority's name leads into the first role's block and is never left behind
    return ["Name of Local Authority", *lines] if role_id == "dcs" else lines


def assert_block_on_page(lines: list[str], expected: list[str], where: str) -> None:
    at = 0
    for wanted in expected:
        found = next((i for i in range(at, len(lines)) if lines[i].startswith(wanted)), None)
        assert found is not None, f"{where}: {wanted!r} not on the field's page after line {at}"
        at = found + 1


def all_parties(bundled) -> list[tuple[str, str]]:
    return [(m, s) for m in MOUS for s in bundled.catalog.mou(m).mou.parties]


@pytest.fixture(scope="module")
def all_rendered(bundled, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every party's PDF of every bundled version, rendered once for the module."""
    out = tmp_path_factory.mktemp("all")
    pdfs = {}
    for mou_id, slug in all_parties(bundled):
        pdf = out / f"{mou_id}--{slug}.pdf"
        pdf.write_bytes(render_authority(bundled, mou_id, slug, when=WHEN).pdf)
        pdfs[mou_id, slug] = pdf
    return pdfs


def test_every_signature_block_is_on_one_page_for_all_103_parties(bundled, all_rendered):
    assert len(all_rendered) == 103
    for (mou_id, slug), pdf in all_rendered.items():
        fields = signature_fields(pdf)
        council = bundled.catalog.mou(mou_id).party(slug).council
        pages = {field["page"] for field in fields.values()}
        assert len(pages) == 1, f"{mou_id} {slug}: the fields are on pages {sorted(pages)}"
        page = pages.pop() + 1
        lines = page_lines(pdf, page)
        if mou_id not in ("se-2018", "se-2019-20"):
            lead_in = "Signatures provided below to show the commitment"
            assert any(line.startswith(lead_in) for line in lines), f"{mou_id} {slug}"
        for role_id in ROLE_IDS:
            where = f"{mou_id} {slug} {role_id} (page {page})"
            assert_block_on_page(lines, block_lines(mou_id, role_id, council), where)
            if mou_id in ("se-2018", "se-2019-20"):
                assert any(SHORT[role_id] in line for line in lines), where
        assert not clashes(pdf, page), f"{mou_id} {slug}: overlapping words on page {page}"


def grey_page(pdf: Path, page: int, tmp: Path, dpi: int = 72) -> tuple[int, int, bytes]:
    """The page drawn by pdftoppm as 8-bit grey pixels: width, height, rows."""
    base = tmp / f"p{page}"
    args = ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run([*args, str(pdf), str(base)], check=True, capture_output=True)
    data = base.with_suffix(".pgm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    return int(width), int(height), pixels


@pytest.mark.parametrize("mou_id", MOUS)
def test_signature_page_has_no_overlaps_and_each_field_sits_by_its_title(
    bundled, all_rendered, tmp_path, mou_id
):
    slug = max(bundled.catalog.mou(mou_id).mou.parties, key=len)  # the longest name
    pdf = all_rendered[mou_id, slug]
    label_heights: set[float] = set()
    for role_id, field in signature_fields(pdf).items():
        page = field["page"] + 1
        found = words(pdf, page)
        clashing = clashes(pdf, page)
        assert not clashing, f"overlapping text on page {page}: {clashing[:5]}"
        x0, y0, x1, y1 = field["rect"]
        assert MARGIN - 1 <= x0 < x1 <= A4[0] - MARGIN + 1, "inside the text area"
        assert MARGIN - 1 <= y0 < y1 <= A4[1] - MARGIN + 1, "inside the text area"
        top = A4[1] - y1
        # the label just above the box (one line, or two in a narrow column), in small type
        label = [
            w
            for w in found
            if top - 16 <= w[4] <= top + 1 and w[1] < x1 and w[3] > x0 and w[4] - w[2] < 9.5
        ]
        title = f"Signature: {role(role_id).title}"
        assert " ".join(w[0] for w in label) == title, f"{role_id}: {label}"
        label_heights.update(round(w[4] - w[2], 1) for w in label)
        # what poppler draws there is the empty field's box: dark edges, light inside
        width, _, pixels = grey_page(pdf, page, tmp_path)
        row = round((top + 23) * 72 / 72)
        line = pixels[row * width : (row + 1) * width]
        assert min(line[round(x0) - 1 : round(x0) + 2]) < 160, "the box's left edge"
        assert line[round((x0 + x1) / 2)] > 200, "the box is empty"
    assert len(label_heights) == 1, f"the labels come in sizes {label_heights}"


#: A region added by configuration alone, with names as long as English councils' get.
EDGE_REGION = """\
region: {id: edge, name: Edge, programme: Edge Programme, return_to: the edge team}
mous:
  - id: edge-2026
    title: "Sector Led Improvement at the Edge of the Page: Memorandum of Understanding 2026-28"
    template: edge-2026.docx
    commences: 2026-04
    review_after: 2028-03
    parties: [long-a, long-b]
authorities:
  - slug: long-a
    name: The Royal Borough of Kensington and Chelsea and the City of Westminster Together
    council: The Council of the Royal Borough of Kensington and Chelsea and Westminster City
  - slug: long-b
    name: Bournemouth, Christchurch and Poole with Dorset and the Isles of Scilly
    council: Bournemouth, Christchurch and Poole Council with Dorset and Scilly
"""
LONG_ROLE = (
    "Director of Children’s Services and Statutory Director for Education, Early Years "
    "and Skills of the Council"
)
LONG_LEAD_IN = (
    " Each signatory signs in the block that names their role, on this page, so that the "
    "page shows whose commitment each signature records and which document it belongs to."
)


def edge_template(source: Path, target: Path, *, filler: int, page_height_mm: float) -> None:
    """nw-2017-19's template made awkward: ``filler`` more clauses push the signature
    section down the page, a role title runs to two lines, the lead-in wraps further,
    and the page is ``page_height_mm`` tall."""
    import docx
    from docx.shared import Mm

    document = docx.Document(str(source))
    paragraphs = document.paragraphs
    heading = next(p for p in paragraphs if p.text.endswith("Commitment"))
    for number in range(filler):
        heading.insert_paragraph_before(f"Filler clause {number} of the edge region.", "Normal")
    lead_in = next(p for p in paragraphs if p.text.startswith("Signatures provided below"))
    lead_in.add_run(LONG_LEAD_IN)
    role_heading = next(p for p in paragraphs if p.text == "Director of Children’s Services")
    role_heading.runs[0].text = LONG_ROLE
    for run in role_heading.runs[1:]:
        run.text = ""
    document.sections[0].page_height = Mm(page_height_mm)
    document.save(str(target))


@pytest.fixture(scope="module")
def edge_workspace(bundled, tmp_path_factory):
    from tests.conftest import scratch_workspace

    ws = scratch_workspace(tmp_path_factory.mktemp("edge") / "ws")
    (ws.root / "regions" / "edge.yaml").write_text(EDGE_REGION, encoding="utf-8")
    return ws


def render_edge(ws, slug: str, **template) -> tuple[Path, dict[str, dict]]:
    source = ws.root / "templates" / "nw-2017-19.docx"
    edge_template(source, ws.root / "templates" / "edge-2026.docx", **template)
    pdf = ws.root / f"edge-{slug}-{template['filler']}-{template['page_height_mm']}.pdf"
    pdf.write_bytes(render_authority(ws, "edge-2026", slug, when=WHEN).pdf)
    return pdf, signature_fields(pdf)


def test_a_section_pushed_to_a_page_boundary_moves_whole_with_its_heading(edge_workspace):
    moved = 0
    for filler in range(0, 40, 2):  # the section's top walks down the page and over it
        for slug in ("long-a", "long-b"):
            pdf, fields = render_edge(edge_workspace, slug, filler=filler, page_height_mm=297)
            pages = {field["page"] for field in fields.values()}
            assert len(pages) == 1, f"filler {filler} {slug}: fields on {sorted(pages)}"
            page = pages.pop() + 1
            lines = page_lines(pdf, page)
            where = f"filler {filler} {slug} (page {page})"
            assert any(line.startswith("Signatures provided below") for line in lines), where
            assert any(line.startswith(LONG_ROLE[:30]) for line in lines), where
            assert not clashes(pdf, page), where
            # the heading that introduces the section always comes along with it
            assert any(line.endswith("4. Commitment") for line in lines), where
            moved += lines[0].endswith("4. Commitment")
    assert moved, "no filler pushed the section over a page boundary"


@pytest.mark.parametrize("height", [160, 180])  # mm: the section fits 2 of 3 blocks a page
def test_a_section_taller_than_a_page_breaks_between_blocks_never_leaving_one_alone(
    edge_workspace, height
):
    pdf, fields = render_edge(edge_workspace, "long-a", filler=0, page_height_mm=height)
    by_page: dict[int, list[str]] = {}
    for role_id, field in fields.items():
        by_page.setdefault(field["page"] + 1, []).append(role_id)
    assert len(by_page) > 1, "the page is too short for the whole section"
    for page, roles in by_page.items():
        lines = page_lines(pdf, page)
        lead_in = any(line.startswith("Signatures provided below") for line in lines)
        assert len(roles) > 1 or lead_in, f"page {page} holds {roles} alone"
        assert not clashes(pdf, page), f"page {page}"


@pytest.mark.parametrize("mou_id", MOUS)
def test_every_version_orders_the_blocks_as_the_cover_sheet_signs(bundled, all_rendered, mou_id):
    slug = bundled.catalog.mou(mou_id).mou.parties[0]
    fields = signature_fields(all_rendered[mou_id, slug])
    # reading order: down the page, then across a row
    order = sorted(fields, key=lambda r: (-round(fields[r]["rect"][3]), fields[r]["rect"][0]))
    assert order == list(ROLE_IDS) == ["dcs", "lead-member", "chief-executive"]


def test_three_columns_have_name_and_date_lines_and_level_headings(bundled, all_rendered):
    slug = bundled.catalog.mou("se-2019-20").mou.parties[0]
    pdf = all_rendered["se-2019-20", slug]
    page = signature_fields(pdf)["dcs"]["page"] + 1
    found = words(pdf, page)
    assert [w[0] for w in found].count("Name:") == 3 and [w[0] for w in found].count("Date:") == 3
    # the headings end on one line however many lines "Director of Children's Services" takes
    last = {
        word: round(bottom, 1)
        for word, _, top, _, bottom in found
        if word in ("Services", "Member", "Executive") and bottom - top > 9.5  # not a label
    }
    assert len(set(last.values())) == 1, last

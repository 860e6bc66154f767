"""The signature page: every block on one page, nothing overlapping, each field by its title.

These tests read what poppler sees (pdftotext, pdftoppm) in PDFs mougen lays out
itself, so they test mougen's layout, not another program's line breaking.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import pytest

from mougen.render import render_authority
from mougen.roles import ROLE_IDS, role
from tests.pdftext import signature_fields

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


def test_every_signature_block_is_on_one_page_for_all_103_parties(bundled, tmp_path):
    parties = all_parties(bundled)
    assert len(parties) == 103
    for mou_id, slug in parties:
        pdf = tmp_path / f"{mou_id}--{slug}.pdf"
        pdf.write_bytes(render_authority(bundled, mou_id, slug, when=WHEN).pdf)
        fields = signature_fields(pdf)
        council = bundled.catalog.mou(mou_id).party(slug).council
        pages: dict[int, list[str]] = {}  # the roles mostly share a page: read it once
        for role_id in ROLE_IDS:
            page = fields[role_id]["page"] + 1
            if page not in pages:
                pages[page] = page_lines(pdf, page)
            lines = pages[page]
            where = f"{mou_id} {slug} {role_id} (page {page})"
            assert_block_on_page(lines, block_lines(mou_id, role_id, council), where)
            if mou_id in ("se-2018", "se-2019-20"):
                assert any(SHORT[role_id] in line for line in lines), where


def words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Each word on a page with its box (x0, top, x1, bottom), from ``pdftotext -bbox``."""
    args = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"]
    html = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        (w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)
    ]


def overlap(a, b, slack: float = 0.5) -> bool:
    _, ax0, at, ax1, ab = a
    _, bx0, bt, bx1, bb = b
    return min(ax1, bx1) - max(ax0, bx0) > slack and min(ab, bb) - max(at, bt) > slack


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
def test_signature_page_has_no_overlaps_and_each_field_sits_by_its_title(bundled, tmp_path, mou_id):
    slug = max(bundled.catalog.mou(mou_id).mou.parties, key=len)  # the longest name
    pdf = tmp_path / "mou.pdf"
    pdf.write_bytes(render_authority(bundled, mou_id, slug, when=WHEN).pdf)
    for role_id, field in signature_fields(pdf).items():
        page = field["page"] + 1
        found = words(pdf, page)
        clashes = [(a[0], b[0]) for a, b in combinations(found, 2) if overlap(a, b)]
        assert not clashes, f"overlapping text on page {page}: {clashes[:5]}"
        x0, y0, x1, y1 = field["rect"]
        assert MARGIN - 1 <= x0 < x1 <= A4[0] - MARGIN + 1, "inside the text area"
        assert MARGIN - 1 <= y0 < y1 <= A4[1] - MARGIN + 1, "inside the text area"
        top = A4[1] - y1
        label = [w for w in found if top - 6 <= w[4] <= top + 1 and w[1] < x1 and w[3] > x0]
        title = f"Signature: {role(role_id).title}"
        assert " ".join(w[0] for w in label) == title, f"{role_id}: {label}"
        # what poppler draws there is the empty field's box: dark edges, light inside
        width, _, pixels = grey_page(pdf, page, tmp_path)
        row = round((top + 23) * 72 / 72)
        line = pixels[row * width : (row + 1) * width]
        assert min(line[round(x0) - 1 : round(x0) + 2]) < 160, "the box's left edge"
        assert line[round((x0 + x1) / 2)] > 200, "the box is empty"

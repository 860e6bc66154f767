"""The visible stamp, read as a person reads it: the signed page rendered by poppler and the
signature field's area read back by OCR (Debian's tesseract).

OCR is compared with a tolerance. Both sides are folded to unaccented lower-case letters
and digits (tesseract's English model has no Ł and often drops or changes diacritics),
and one edit per 20 letters, at least one, is allowed. That absorbs a misread letter
(Ł read as "t"), yet fails a name that is clipped, spaced out or missing its non-Latin
letters, which costs an edit per letter lost.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from mougen.render import render_authority
from mougen.roles import DCS, ROLE_IDS, role
from mougen.signing import FieldOwner, load_pkcs12, sign_pdf
from mougen.signing.stamp import FALLBACK_FONTS, STAMP_FONTS, Stamp
from mougen.signing.stamp_layout import PADDING
from mougen.workspace import BUNDLED, Workspace
from tests.pki import TestPki
from tests.signing import field_area
from tests.verify_docs import ISSUED_AT

PASS = b"stamp tests only"
#: A stamp must read at 100% when printed: OCR at a modest printer's resolution too.
DPIS = (150, 300)
SHORT = "Ann Lee"
LONG = "Bartholomew Maximilian Featherstonehaugh-Cholmondeley-Worthy"
NON_ASCII = "Zoë Łukasiewicz-Brontë"
MILTON_KEYNES = FieldOwner("se-2018", "south-east", "milton-keynes", "Milton Keynes Council")
WINDSOR = FieldOwner(
    "se-2019-20", "south-east", "windsor-and-maidenhead", "Royal Borough of Windsor and Maidenhead"
)
#: The layouts: se-2018's wide boxes one under another, se-2019-20's three side by side.
OWNERS = {"se-2018": MILTON_KEYNES, "se-2019-20": WINDSOR}
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ß": "ss"})

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
    reason="tesseract-ocr and poppler-utils are installed by scripts/setup.sh",
)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """Each layout's issued MoU signed in every field by each test name (one role each);
    (layout, name) -> (signed PDF, the role that name signed)."""
    work = tmp_path_factory.mktemp("stamp")
    pki = TestPki()
    out = {}
    for layout, owner in OWNERS.items():
        pdf = work / f"{layout}.pdf"
        pdf.write_bytes(
            render_authority(Workspace(BUNDLED), layout, owner.authority, when=ISSUED_AT).pdf
        )
        signers = zip((SHORT, LONG, NON_ASCII), ROLE_IDS, strict=True)
        for i, (name, role_id) in enumerate(signers):
            p12 = pki.signer(name, f"signer{i}@example.org").write_p12(work / f"{i}.p12", PASS)
            signed_pdf = work / f"{layout}-{role_id}.pdf"
            key = load_pkcs12(p12, PASS)
            sign_pdf(
                pdf, role_id, key, signed_pdf, owner_of=lambda _, o=owner: o, when=datetime.now(UTC)
            )
            out[layout, name] = (signed_pdf, role_id)
            pdf = signed_pdf
    return out


def field_text(pdf: Path, role: str, tmp: Path, dpi: int) -> list[str]:
    """The lines tesseract reads in the area of field ``role``, rendered at ``dpi``."""
    page, (left, bottom, right, top), height = field_area(pdf, role)
    scale = dpi / 72
    crop = [
        *("-x", str(round(left * scale)), "-y", str(round((height - top) * scale))),
        *("-W", str(round((right - left) * scale)), "-H", str(round((top - bottom) * scale))),
    ]
    image = tmp / f"{pdf.stem}-{role}-{dpi}"
    pages = ("-f", str(page), "-l", str(page), "-singlefile")
    _run("pdftoppm", "-r", str(dpi), *pages, *crop, "-gray", "-png", str(pdf), str(image))
    text = _run("tesseract", f"{image}.png", "-", "--psm", "6", "-l", "eng")
    return [line for line in text.splitlines() if line.strip()]


def folded(text: str) -> str:
    """Lower-case letters and digits only, accents removed."""
    plain = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in plain.casefold() if c.isascii() and c.isalnum())


def legible(expected: str, lines: list[str]) -> bool:
    """Whether some OCR line reads ``expected`` within the tolerance the module explains."""
    want = folded(expected)
    allowed = max(1, len(want) // 20)
    return any(_edits(want, folded(line)) <= allowed for line in lines)


@needs_tesseract
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("layout", OWNERS)
@pytest.mark.parametrize("name", [SHORT, LONG, NON_ASCII])
def test_the_stamp_shows_the_whole_name_role_authority_and_date(
    signed, name, layout, dpi, tmp_path
):
    assert len(LONG) == 60
    pdf, role_id = signed[layout, name]
    lines = field_text(pdf, role_id, tmp_path, dpi)
    joined = [" ".join(lines)]  # a narrow field wraps a name or a council over two lines
    assert legible(name, joined), lines
    assert legible(role(role_id).title, joined), lines
    assert legible(OWNERS[layout].council, joined), lines
    assert "digitallysigned" in folded(joined[0]) and " 20" in joined[0], lines


def test_the_stamp_dates_in_the_one_style_without_a_leading_zero():
    time_format = Stamp(SHORT, DCS, "Milton Keynes Council").style().timestamp_format
    assert f"{datetime(2026, 12, 4, 9, 5, tzinfo=UTC):{time_format}}" == "4 December 2026 09:05 UTC"


@pytest.mark.parametrize("layout", OWNERS)
@pytest.mark.parametrize("name", [SHORT, LONG, NON_ASCII])
def test_the_stamp_is_8_pt_or_more_inside_its_box_from_the_left(signed, name, layout):
    pdf, role_id = signed[layout, name]
    page, (left, bottom, right, top), height = field_area(pdf, role_id)
    boxes = stamp_words(pdf, page, (left, height - top, right, height - bottom))
    assert len(boxes) >= 4, boxes  # name, role, council, time: each at least a line
    for x0, y0, x1, y1 in boxes:
        assert y1 - y0 >= 8 * 1.1, f"{y1 - y0:.1f} pt tall: under 8 pt"  # DejaVu's line box
        assert left < x0 and x1 <= right and height - top < y0 and y1 <= height - bottom
    assert min(x0 for x0, *_ in boxes) - left <= PADDING + 1, "the text starts at the left"


def test_the_tolerance_fails_a_clipped_or_spaced_out_name():
    assert not legible(LONG, [LONG[:50]])
    assert not legible(NON_ASCII, ["Zo ukasiewicz-Bront"])  # non-Latin letters dropped
    assert not legible(SHORT, ["Digitally signed by Mi"])
    assert legible(NON_ASCII, ["Zoé tukasiewicz-Bronté"])  # what tesseract reads


needs_fonts = pytest.mark.skipif(
    not all(p.exists() for p in STAMP_FONTS) or not FALLBACK_FONTS.is_dir(),
    reason="the stamp fonts are installed by scripts/setup.sh",
)


@needs_fonts
@pytest.mark.parametrize(
    "name",
    [
        "山田太郎",  # CJK: WenQuanYi Micro Hei draws the whole stamp
        "김민준",
        "Дмитрий Ковалёв",  # DejaVu Sans draws these
        "محمد الأحمد",
        "Ἀλέξανδρος 山田",  # no one font has both: DejaVu's Greek merged with WenQuanYi's Han
        "प्रिया शर्मा",  # Noto Sans Devanagari merged in
        "สมชาย ใจดี",  # Noto Sans Thai merged in
    ],
)
def test_a_stamp_in_any_script_gets_a_font_with_every_letter(name):
    stamp = Stamp(name, DCS, "Milton Keynes Council")
    font = TTFont(io.BytesIO(stamp.style().text_box_style.font.program))
    assert font["head"].unitsPerEm == 1000
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in name + DCS.title + "Council" if not c.isspace()), name
    assert stamp.note is None


@needs_fonts
def test_letters_no_font_has_are_named_in_the_note():
    unassigned = "\U000e0fff"  # a code point no font maps
    assert Stamp(f"Ann{unassigned} Lee", DCS).note == (
        f"no installed font has {unassigned!r}: the stamp leaves them out"
    )


def _edits(a: str, b: str) -> int:
    """The Levenshtein distance from ``a`` to the closest substring of ``b``."""
    previous = [0] * (len(b) + 1)
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return min(previous)


def stamp_words(pdf: Path, page: int, area: tuple[float, float, float, float]) -> list:
    """The boxes (x0, top, x1, bottom) of the words poppler finds centred inside ``area``
    (x0, top, x1, bottom) of a page: the stamp's lines."""
    args = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"]
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
    words = [tuple(map(float, m)) for m in re.findall(pattern, _run(*args))]
    x0, top, x1, bottom = area
    return [w for w in words if x0 < (w[0] + w[2]) / 2 < x1 and top < (w[1] + w[3]) / 2 < bottom]


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_a_newline_in_the_signers_name_cannot_draw_a_line_of_its_own():
    stamp = Stamp("Ann Lee\nChief Executive", DCS, "Milton Keynes Council")
    text = stamp.template % {"ts": "1 December 2026 10:00 UTC"}
    assert text.splitlines() == [
        "Ann Lee\\nChief Executive",
        DCS.title,
        "Milton Keynes Council",
        "Digitally signed 1 December 2026 10:00 UTC",
    ]

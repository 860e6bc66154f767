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
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from mougen.roles import DCS
from mougen.signing import FieldOwner, load_pkcs12, sign_pdf
from mougen.signing.stamp import FALLBACK_FONTS, STAMP_FONTS, Stamp
from tests.pki import TestPki
from tests.signing import field_area
from tests.verify_docs import issued_pdf

PASS = b"stamp tests only"
DPI = 300
SHORT = "Ann Lee"
LONG = "Bartholomew Maximilian Featherstonehaugh-Cholmondeley-Worthy"
NON_ASCII = "Zoë Łukasiewicz-Brontë"
MILTON_KEYNES = FieldOwner("se-2018", "south-east", "milton-keynes", "Milton Keynes Council")
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ß": "ss"})

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
    reason="tesseract-ocr and poppler-utils are installed by scripts/setup.sh",
)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """The issued MoU signed in the dcs field by each test name; name -> signed PDF."""
    work = tmp_path_factory.mktemp("stamp")
    issued = work / "issued.pdf"
    issued.write_bytes(issued_pdf())
    pki = TestPki()
    out = {}
    for i, name in enumerate((SHORT, LONG, NON_ASCII)):
        p12 = pki.signer(name, f"signer{i}@example.org").write_p12(work / f"{i}.p12", PASS)
        out[name] = work / f"{i}.pdf"
        sign_pdf(issued, "dcs", load_pkcs12(p12, PASS), out[name], owner_of=lambda _: MILTON_KEYNES)
    return out


def field_text(pdf: Path, role: str, tmp: Path) -> list[str]:
    """The lines tesseract reads in the area of field ``role``, rendered at :data:`DPI`."""
    page, (left, bottom, right, top), height = field_area(pdf, role)
    scale = DPI / 72
    crop = [
        *("-x", str(round(left * scale)), "-y", str(round((height - top) * scale))),
        *("-W", str(round((right - left) * scale)), "-H", str(round((top - bottom) * scale))),
    ]
    image = tmp / f"{pdf.stem}-{role}"
    pages = ("-f", str(page), "-l", str(page), "-singlefile")
    _run("pdftoppm", "-r", str(DPI), *pages, *crop, "-gray", "-png", str(pdf), str(image))
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
@pytest.mark.parametrize("name", [SHORT, LONG, NON_ASCII])
def test_the_stamp_shows_the_whole_name_role_authority_and_date(signed, name, tmp_path):
    assert len(LONG) == 60
    lines = field_text(signed[name], "dcs", tmp_path)
    assert legible(name, lines), lines
    assert legible(DCS.title, lines), lines
    assert legible("Milton Keynes Council", lines), lines
    assert any("digitallysigned" in folded(line) and "20" in line for line in lines), lines


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


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_a_newline_in_the_signers_name_cannot_draw_a_line_of_its_own():
    stamp = Stamp("Ann Lee\nChief Executive", DCS, "Milton Keynes Council")
    text = stamp.template % {**stamp.params(), "ts": "1 December 2026 10:00 UTC"}
    assert text.splitlines() == [
        "Ann Lee\\nChief Executive",
        DCS.title,
        "Milton Keynes Council",
        "Digitally signed 1 December 2026 10:00 UTC",
    ]

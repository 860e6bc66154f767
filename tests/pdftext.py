"""Reading rendered PDFs back with independent tools (poppler's pdftotext, qpdf, pypdf)."""

from __future__ import annotations

import re
import subprocess
from itertools import combinations
from pathlib import Path

from pypdf import PdfReader

from mougen.roles import ROLES
from tests.seedtext import strip_footnote_words, text_words


def pdftotext(pdf: Path, *, raw: bool = True) -> str:
    """The text of a PDF as poppler extracts it."""
    args = ["pdftotext", *(["-raw"] if raw else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def without_run(words: list[str], run: list[str]) -> list[str]:
    """``words`` with every occurrence of the contiguous ``run`` removed."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if run and words[i : i + len(run)] == run:
            i += len(run)
        else:
            out.append(words[i])
            i += 1
    return out


def mou_words(pdf: Path, mou_id: str, title: str) -> list[str]:
    """The MoU's own words in a rendered PDF: footer, field labels and footnote removed."""
    words = text_words(pdftotext(pdf), footnote_marks=("1",), rejoin_hyphens=True)
    pages = len(PdfReader(pdf).pages)
    for number in range(1, pages + 1):
        words = without_run(words, [*title.split(), *f"Page {number} of {pages}".split()])
    for role in ROLES:
        words = without_run(words, ["Signature:", *role.title.split()])
    return strip_footnote_words(words, mou_id)


def signature_fields(pdf: Path) -> dict[str, dict]:
    """The signature fields of a PDF by name: page index, rectangle, and whether signed."""
    reader = PdfReader(pdf)
    fields = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                fields[str(widget["/T"])] = {
                    "page": index,
                    "rect": [float(v) for v in widget["/Rect"]],
                    "signed": "/V" in widget,
                    "tooltip": str(widget.get("/TU", "")),
                }
    return fields


def qpdf_check(pdf: Path) -> subprocess.CompletedProcess:
    """qpdf's structural check of a PDF."""
    return subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)


def words(pdf: Path, page: int | None = None) -> list[tuple[str, float, float, float, float]]:
    """Each word on a page (or every page) with its box (x0, top, x1, bottom), from
    ``pdftotext -bbox``."""
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    args = ["pdftotext", "-bbox", *pages, str(pdf), "-"]
    html = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        (w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)
    ]


def clashes(pdf: Path, page: int) -> list[tuple[str, str]]:
    """The pairs of words whose boxes overlap on a page."""
    found = words(pdf, page)
    return [(a[0], b[0]) for a, b in combinations(found, 2) if overlap(a, b)]


def overlap(a, b, slack: float = 0.5) -> bool:
    _, ax0, at, ax1, ab = a
    _, bx0, bt, bx1, bb = b
    return min(ax1, bx1) - max(ax0, bx0) > slack and min(ab, bb) - max(at, bt) > slack

"""Helpers for signing tests: a real rendered MoU to sign, and poppler's view of a signed one."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from pypdf import PdfReader

from mougen.render import render_authority
from mougen.render.fields import add_signature_fields
from mougen.render.pdf import write_pdf
from mougen.workspace import BUNDLED, Workspace

MOU, AUTHORITY = "se-2018", "milton-keynes"


@cache
def pdf_with_fields(*roles: str) -> bytes:
    """The same MoU with empty signature fields for ``roles`` only."""
    rendered = render_authority(Workspace(BUNDLED), MOU, AUTHORITY, when=datetime.now(UTC))
    laid_out = write_pdf(rendered.document, title=MOU, when=datetime.now(UTC))
    return add_signature_fields(laid_out.pdf, [p for p in laid_out.placements if p.role in roles])


def field_area(pdf: Path, role: str) -> tuple[int, list[float], float]:
    """The 1-based page, rectangle and page height of field ``role``'s widget."""
    reader = PdfReader(pdf)
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue  # a link (a footnote's), not a field
            field = widget if "/T" in widget else widget["/Parent"].get_object()
            if field.get("/T") == role:
                return number, [float(v) for v in widget["/Rect"]], float(page.mediabox.top)
    raise AssertionError(f"no widget for {role}")


def pdfsig(pdf: Path, roots: list[Path], tmp: Path) -> str:
    """``pdfsig`` output for ``pdf``, with ``roots`` trusted in a fresh NSS database."""
    nss = tmp / "nssdb"
    if not nss.exists():
        nss.mkdir()
        _run("certutil", "-N", "--empty-password", "-d", f"sql:{nss}")
        for i, root in enumerate(roots):
            trust = ["-A", "-n", f"root{i}", "-t", "CT,C,C", "-i", str(root)]
            _run("certutil", *trust, "-d", f"sql:{nss}")
    return _run("pdfsig", "-nssdir", f"sql:{nss}", str(pdf))


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout

"""Where the documents a link points to live: the issued PDF, or a signed file in the archive.

Both are named by their SHA-256 only; nothing a user typed reaches a path.
"""

from __future__ import annotations

from pathlib import Path

from mougen import atomic
from mougen.workspace import Workspace


def issued_pdf_path(ws: Workspace, mou: str, slug: str, sha256: str) -> Path:
    """The stored copy of an issued PDF, beside its manifest under ``issued/``."""
    return ws.issued_dir / mou / slug / f"{sha256}.pdf"


def keep_issued_pdf(ws: Workspace, mou: str, slug: str, sha256: str, data: bytes) -> Path:
    """Keep the issued PDF so the first signatory's page can show it."""
    path = issued_pdf_path(ws, mou, slug, sha256)
    return path if path.exists() else atomic.write_bytes(path, data)


def document_path(ws: Workspace, mou: str, slug: str, sha256: str) -> Path | None:
    """The issued or archived PDF with this hash for one authority, if there is one."""
    for path in (
        issued_pdf_path(ws, mou, slug, sha256),
        ws.signed_dir / mou / slug / f"{sha256}.pdf",
    ):
        if path.is_file():
            return path
    return None


def packs_dir(ws: Workspace, mou: str) -> Path:
    """Where the service builds the packs it issues."""
    return ws.root / "packs" / mou

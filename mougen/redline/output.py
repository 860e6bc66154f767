"""Making a redline file: compare two versions, write the DOCX or PDF, return the summary."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mougen.atomic import write_bytes
from mougen.document import read_docx
from mougen.errors import OutputError
from mougen.redline.diff import Redline, diff_documents
from mougen.redline.docx_writer import write_docx
from mougen.redline.pdf import write_pdf
from mougen.redline.summary import Summary, summarize
from mougen.redline.versions import Version

FORMATS = (".docx", ".pdf")


def compare(old: Version, new: Version) -> Redline:
    """Read both versions into the document model and compare them."""
    return diff_documents(read_docx(old.docx, old.name), read_docx(new.docx, new.name))


def render_redline(
    old: Version, new: Version, fmt: str, *, when: datetime, author: str = "mougen"
) -> tuple[bytes, Summary]:
    """The redline of ``old`` against ``new`` in ``fmt`` (".docx" or ".pdf"), and its summary."""
    redline = compare(old, new)
    summary = summarize(redline, old=old.name, new=new.name)
    if fmt == ".docx":
        data = write_docx(redline, old.docx, new.docx, author=author, when=when)
    else:
        title = f"Redline: {old.name} to {new.name}"
        data = write_pdf(redline, summary, title=title, when=when)
    return data, summary


def write_redline(
    old: Version, new: Version, out: Path, *, when: datetime, author: str = "mougen"
) -> Summary:
    """Write the redline to ``out`` (its suffix picks DOCX or PDF); nothing is left half-written."""
    fmt = out.suffix.lower()
    if fmt not in FORMATS:
        raise OutputError("a redline is written as .docx or .pdf", out)
    data, summary = render_redline(old, new, fmt, author=author, when=when)
    write_bytes(out, data)
    return summary

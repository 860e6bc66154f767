"""Redlines: what changed between two versions of an MoU, as tracked changes and as a PDF."""

from mougen.redline.diff import Edit, ParagraphDiff, Redline, TableDiff, diff_documents
from mougen.redline.docx_writer import write_docx
from mougen.redline.output import compare, render_redline, write_redline
from mougen.redline.pdf import write_pdf
from mougen.redline.summary import ClauseChange, Summary, summarize
from mougen.redline.versions import Version, load_version

__all__ = [
    "ClauseChange",
    "Edit",
    "ParagraphDiff",
    "Redline",
    "Summary",
    "TableDiff",
    "Version",
    "compare",
    "diff_documents",
    "load_version",
    "render_redline",
    "summarize",
    "write_docx",
    "write_pdf",
    "write_redline",
]

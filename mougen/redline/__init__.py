"""Redlines: what changed between two versions of an MoU, as tracked changes and as a PDF."""

from mougen.redline.diff import Edit, ParagraphDiff, Redline, TableDiff, diff_documents
from mougen.redline.docx_writer import write_docx

__all__ = ["Edit", "ParagraphDiff", "Redline", "TableDiff", "diff_documents", "write_docx"]

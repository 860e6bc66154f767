"""The document model: one reading of a rendered MoU that the PDF writer and redline share."""

from mougen.document.model import Block, Cell, Document, Footnote, Paragraph, Revision, Run, Table
from mougen.document.reader import read_docx

__all__ = [
    "Block",
    "Cell",
    "Document",
    "Footnote",
    "Paragraph",
    "Revision",
    "Run",
    "Table",
    "read_docx",
]

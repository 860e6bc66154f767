"""Rendering MoUs: the DOCX from the Word template, the PDF from the same document model."""

from mougen.render.pipeline import (
    WORDS_ONLY,
    Rendered,
    render_authority,
    render_entry,
    render_placeholder,
    with_fields,
)

__all__ = [
    "WORDS_ONLY",
    "Rendered",
    "render_authority",
    "render_entry",
    "render_placeholder",
    "with_fields",
]

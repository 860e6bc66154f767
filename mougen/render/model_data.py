"""The document model as the JSON data ``mou.typ`` lays out.

The data says *what* each block is (its Word style, its runs, its label, whether it
must stay with the block after it); the template decides how that looks. Text goes
across as strings, never as markup.
"""

from __future__ import annotations

import re
from typing import Any

from mougen.document import Document, Paragraph, Run, Table
from mougen.document.numbering import CLAUSE_LABEL
from mougen.roles import role

#: Styles whose typed-in clause number ("1.1.", "a)") hangs in the margin.
HANGING = {"Clause", "Clause 2"}
_LEADING_LABEL = re.compile(rf"^\s*({CLAUSE_LABEL})\s+")
_PIECES = re.compile(r"(\t|\n)")


def document_data(document: Document, *, title: str, footer: str = "") -> dict[str, Any]:
    """The data for ``mou.typ``: page, title, footer note, blocks and footnotes."""
    blocks = document.blocks
    return {
        "title": title,
        "footer": footer,
        "page": {"size": list(document.page_size_mm), "margins": list(document.margins_mm)},
        "blocks": _with_lists(
            [_block(block, keep=keep) for block, keep in zip(blocks, _keeps(blocks), strict=True)]
        ),
        "footnotes": {
            str(note.id): [_run(r) for p in note.paragraphs for r in p.runs if r.footnote is None]
            for note in document.footnotes
        },
    }


def _with_lists(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive list paragraphs (Word-numbered, one level) gathered into one list."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        if block["kind"] != "paragraph" or block["style"] in HANGING or block["label"] is None:
            out.append(block)
            continue
        last = out[-1] if out else None
        if last and last["kind"] == "list" and last["level"] == block["level"]:
            last["items"].append(block)
            last["keep"] = block["keep"]
        else:
            out.append(
                {"kind": "list", "level": block["level"], "keep": block["keep"], "items": [block]}
            )
    return out


def _keeps(blocks: tuple[Paragraph | Table, ...]) -> list[bool]:
    """For each block, whether it must sit on the same page as the block after it."""
    flags = []
    signed = False  # whether a signature line came since the last heading
    for block, following in zip(blocks, (*blocks[1:], None), strict=True):
        if isinstance(block, Paragraph):
            signed = block.anchor is not None or (signed and not _is_heading(block))
        flags.append(_keeps_with_next(block, following, signed=signed))
    return flags


def _is_heading(paragraph: Paragraph) -> bool:
    return paragraph.style.startswith(("Heading", "Title", "Subtitle"))


def _keeps_with_next(
    block: Paragraph | Table, following: Paragraph | Table | None, *, signed: bool
) -> bool:
    """Whether ``block`` must sit on the same page as ``following``.

    Headings keep with what they head; a line that leads into a signature table
    ("Signed for ... by") keeps with it; a signature block's lines keep together; and
    a signature line before the first role's heading ("Name of Local Authority ...")
    keeps with that heading (``signed`` says a role's line already came, so a line
    before the next heading ends that role's block instead).
    """
    if following is None or isinstance(block, Table):
        return False
    if _is_heading(block):
        return True
    if isinstance(following, Table):
        return any(p.anchor for p in following.paragraphs)
    if block.style == "Signature Line" and _is_heading(following):
        return not signed
    return following.style == "Signature Line" and (
        block.style == "Signature Line" or following.anchor is not None
    )


def _block(block: Paragraph | Table, *, keep: bool) -> dict[str, Any]:
    if isinstance(block, Table):
        return {
            "kind": "table",
            "keep": keep,
            "signatures": any(p.anchor for p in block.paragraphs),
            "widths": list(block.widths),
            "borders": block.borders,
            "rows": [
                [[paragraph_data(p) for p in cell.paragraphs] for cell in row] for row in block.rows
            ],
        }
    return {"kind": "paragraph", "keep": keep, **paragraph_data(block)}


def paragraph_data(paragraph: Paragraph) -> dict[str, Any]:
    """One paragraph: style, alignment, hanging label, runs, signature anchor, revision."""
    runs = list(paragraph.runs)
    label = paragraph.label
    if label is None and paragraph.style in HANGING and runs and runs[0].revision is None:
        match = _LEADING_LABEL.match(runs[0].text)
        if match and match.end() < len(runs[0].text):
            label = match.group(1)
            runs[0] = Run(runs[0].text[match.end() :], *runs[0].formatting, runs[0].footnote)
    return {
        "style": paragraph.style,
        "level": paragraph.level,
        "align": paragraph.align,
        "label": label,
        "runs": [_run(r) for r in runs if r.text],
        "anchor": paragraph.anchor,
        "anchor_title": role(paragraph.anchor).title if paragraph.anchor else None,
        # the change bar a redline draws beside a changed paragraph
        "bar": paragraph.revision or ("format" if paragraph.changed else None),
        "page_break": paragraph.page_break_before,
    }


def _run(run: Run) -> dict[str, Any]:
    return {
        "pieces": [p for p in _PIECES.split(run.text) if p],
        "bold": run.bold,
        "italic": run.italic,
        "underline": run.underline,
        "superscript": run.superscript,
        "footnote": run.footnote,
        "revision": run.revision,
    }

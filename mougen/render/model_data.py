"""The document model as the JSON data ``mou.typ`` lays out.

The data says *what* each block is (its Word style, its runs, its label, whether it
must stay with the block after it); the template decides how that looks. Text goes
across as strings, never as markup.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from mougen.document import Document, Paragraph, Run, Table
from mougen.document.numbering import CLAUSE_LABEL
from mougen.roles import role

#: Styles whose typed-in clause number ("1.1.", "a)") hangs in the margin.
HANGING = {"Clause", "Clause 2"}
#: The style of a paragraph that shows the redline's marks as a key: it is not itself a
#: change, so it gets no change bar.
KEY_STYLE = "Redline Key"
#: A clause number at the start of a run: followed by a space, or the whole run.
_LEADING_LABEL = re.compile(rf"^\s*({CLAUSE_LABEL})(?:\s+|$)")
_PIECES = re.compile(r"(\t|\n)")


def document_data(
    document: Document, *, title: str, footer: str = "", party: str = ""
) -> dict[str, Any]:
    """The data for ``mou.typ``: page, title, footer note and party, blocks and footnotes."""
    blocks = document.blocks
    return {
        "title": title,
        "footer": footer,
        "party": party,
        "page": {"size": list(document.page_size_mm), "margins": list(document.margins_mm)},
        "blocks": signature_section(
            _with_lists(
                [
                    _block(block, keep=keep)
                    for block, keep in zip(blocks, _keeps(blocks), strict=True)
                ]
            )
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
            # the clause a list belongs to sets its indent: the paragraph before it
            parent = next((b["style"] for b in reversed(out) if b["kind"] == "paragraph"), "")
            out.append(
                {
                    "kind": "list",
                    "level": block["level"],
                    "keep": block["keep"],
                    "parent": parent,
                    "items": [block],
                }
            )
    return out


def signature_section(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``blocks`` with the signature section gathered into one ``signatures`` block.

    The section is the lead-in that commits the signatories ("Signatures provided
    below ..."), the lines before the first role ("Name of Local Authority ...",
    "Signed for ... by") and each role's block: its heading, its signature line and
    the lines after it ("Date"). The template keeps it on one page, or, where it
    cannot, breaks it only between whole role blocks.
    """
    anchored = [i for i, b in enumerate(blocks) if _anchored(b)]
    if not anchored:
        return blocks
    start, end = _section_start(blocks, anchored[0]), _block_end(blocks, anchored[-1])
    roles: list[list[dict[str, Any]]] = []
    at = _role_start(blocks, start, anchored[0])
    head = blocks[start:at]
    for anchor in anchored:
        if anchor < at:
            continue  # a second anchor inside one block (a table of roles)
        stop = _block_end(blocks, anchor)
        roles.append(blocks[at:stop])
        at = stop
    section = {
        "kind": "signatures",
        "keep": False,
        # a page break Word puts before any of it goes before the whole section
        "page_break": any(b.get("page_break") for b in blocks[start:end]),
        "head": [{**b, "page_break": False} for b in head],
        "roles": [[{**b, "page_break": False} for b in role] for role in roles],
    }
    return [*blocks[:start], section, *blocks[end:]]


def _anchored(block: dict[str, Any]) -> bool:
    """Whether a block holds a signature field."""
    if block["kind"] == "table":
        return bool(block["signatures"])
    return block["kind"] == "paragraph" and block["anchor"] is not None


def _heading(block: dict[str, Any]) -> bool:
    return block["kind"] == "paragraph" and str(block["style"]).startswith(
        ("Heading", "Title", "Subtitle")
    )


def _section_start(blocks: list[dict[str, Any]], first: int) -> int:
    """Where the section begins: the lines that keep with the first role, and before
    them the paragraph that leads into them straight after a heading."""
    start = first
    while start > 0 and blocks[start - 1]["keep"]:
        start -= 1
    lead_in = start - 1
    if (
        lead_in > 0
        and blocks[lead_in]["kind"] == "paragraph"
        and blocks[lead_in]["style"] not in HANGING
        and not _heading(blocks[lead_in])
        and not _anchored(blocks[lead_in])
        and _heading(blocks[lead_in - 1])
    ):
        start = lead_in
    return start


def _role_start(blocks: list[dict[str, Any]], start: int, first: int) -> int:
    """Where the first role's block begins: at its heading, or at its signature line."""
    headings = [i for i in range(start, first) if _heading(blocks[i])]
    return headings[-1] if headings else first


def _block_end(blocks: list[dict[str, Any]], anchor: int) -> int:
    """Just after a role's block: its signature line and the lines that follow it
    ("Date"), up to the next role's heading or lines that keep with the next role."""
    end = anchor + 1
    while (
        end < len(blocks)
        and blocks[end]["kind"] == "paragraph"
        and blocks[end]["style"] == "Signature Line"
        and blocks[end]["anchor"] is None
        and not blocks[end]["keep"]
    ):
        end += 1
    return end


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
    label_runs: list[Run] = []
    if label is None and paragraph.style in HANGING:
        label_runs, runs = _hanging_label(runs)
        label = "".join(r.text for r in label_runs) or None
    return {
        "style": paragraph.style,
        "level": paragraph.level,
        "align": paragraph.align,
        "label": label,
        # the label as marked in a redline: a renumbered clause's old number struck
        "label_runs": [_run(r) for r in label_runs],
        "runs": [_run(r) for r in runs if r.text],
        "anchor": paragraph.anchor,
        "anchor_title": role(paragraph.anchor).title if paragraph.anchor else None,
        # the change bar a redline draws beside a changed paragraph
        "bar": None
        if paragraph.style == KEY_STYLE
        else paragraph.revision or ("format" if paragraph.changed else None),
        "page_break": paragraph.page_break_before,
    }


def _hanging_label(runs: list[Run]) -> tuple[list[Run], list[Run]]:
    """The clause number typed at the start of ``runs``, to hang in the margin, and the
    runs after it. In a redline the number keeps its mark: a renumbered clause's old
    number (deleted) and new one (inserted) hang together."""
    label: list[Run] = []
    rest = list(runs)
    while rest and len(label) < 2:
        match = _LEADING_LABEL.match(rest[0].text)
        renumbered = label and label[0].revision == "delete" and rest[0].revision == "insert"
        if not match or (label and not renumbered):
            break
        first = rest.pop(0)
        label += [Run(" ")] * bool(label) + [replace(first, text=match.group(1), footnote=None)]
        if match.end() < len(first.text):
            rest.insert(0, replace(first, text=first.text[match.end() :]))
            break
    if not rest or not "".join(r.text for r in rest).strip():
        return [], list(runs)  # a number alone is the paragraph's text, not a label
    return label, rest


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

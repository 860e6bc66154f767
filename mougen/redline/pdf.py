"""The PDF redline: a model document carrying revision marks, laid out by the PDF renderer.

Deleted words stay in the document as runs marked ``delete``, inserted ones are marked
``insert``, the two ends of a move ``move-from``/``move-to`` and reformatted words
``format``; the renderer underlines, strikes, colours and draws change bars. A summary
of the changes comes first, as ordinary paragraphs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mougen.document import Cell, Document, Paragraph, Revision, Run, Table
from mougen.redline.diff import Edit, ParagraphDiff, Redline, TableDiff
from mougen.redline.summary import Summary
from mougen.redline.tokens import slice_runs
from mougen.render.model_data import KEY_STYLE
from mougen.render.pdf import write_pdf as lay_out
from mougen.typeset import ACCESSIBLE

_WHOLE: dict[str, Revision] = {
    "inserted": "insert",
    "deleted": "delete",
    "moved-from": "move-from",
    "moved-to": "move-to",
}


def write_pdf(redline: Redline, summary: Summary, *, title: str, when: datetime) -> bytes:
    """The redline as PDF bytes, laid out by :func:`mougen.render.pdf.write_pdf`."""
    return lay_out(
        marked_document(redline, summary), title=title, when=when, standards=ACCESSIBLE
    ).pdf


def marked_document(redline: Redline, summary: Summary) -> Document:
    """The merged document with revision marks, the summary of changes in front."""
    notes = {f.id for f in redline.new.footnotes}
    body = [_block(block, notes) for block in redline.blocks]
    if body and isinstance(body[0], Paragraph):
        body[0] = replace(body[0], page_break_before=True)
    else:  # a document that opens with a table: an empty paragraph carries the break
        body.insert(0, Paragraph("Normal", page_break_before=True))
    return replace(redline.new, blocks=(*summary_paragraphs(summary), *body))


def summary_paragraphs(summary: Summary) -> tuple[Paragraph, ...]:
    """The summary of changes: heading, counts, a bulleted clause list, the key to the marks."""
    heading = Paragraph("Heading 1", (Run("Summary of changes"),))
    intro = Paragraph("Normal", (Run(f"Changes from {summary.old} to {summary.new}."),))
    counts = tuple(Paragraph("Normal", (Run(line),)) for line in summary.count_lines)
    listed = Paragraph("Normal", (Run(summary.clauses_heading),))
    items = tuple(
        Paragraph("List Bullet", (Run(line),), label="•") for line in summary.clause_lines
    )
    return (heading, intro, *counts, listed, *items, *LEGEND)


#: The key to the marks, each drawn as the body draws it (the key itself has no bar).
LEGEND = (
    Paragraph("Heading 2", (Run("Key to the marks"),)),
    Paragraph(
        KEY_STYLE,
        (
            Run("inserted words", revision="insert"),
            Run(" (underlined), "),
            Run("deleted words", revision="delete"),
            Run(" (struck through), "),
            Run("moved words", revision="move-from"),
            Run(" (struck where they were, underlined where they went), "),
            Run("reformatted words", revision="format"),
            Run(" (highlighted). A bar in the margin marks each changed paragraph."),
        ),
    ),
)


def _block(block: ParagraphDiff | TableDiff, notes: set[int]) -> Paragraph | Table:
    if isinstance(block, ParagraphDiff):
        return _paragraph(block, notes)
    source = block.new if block.new is not None else block.old
    assert source is not None, "a table diff has an old table, a new one, or both"
    rows = tuple(
        tuple(Cell(tuple(_paragraph(p, notes) for p in cell)) for cell in row)
        for row in block.cells
    )
    return replace(source, rows=rows)


def _mark(diff: ParagraphDiff, edit: Edit) -> Revision | None:
    """How an edit's words are marked: inserted, deleted, moved, reformatted or not at all."""
    if edit.op == "insert":
        return "insert"
    if edit.op == "delete":
        return "delete"
    if diff.move is not None:
        return _WHOLE[diff.kind]  # words kept in a moved paragraph are marked as moved
    return "format" if edit.op == "format" else None


def _paragraph(diff: ParagraphDiff, notes: set[int]) -> Paragraph:
    runs: list[Run] = []
    for edit, side in diff.shown():
        mark = _mark(diff, edit)
        source = diff.old if side == "old" else diff.new
        assert source is not None, "an edit is shown only from a side the paragraph has"
        lo, hi = edit.old if side == "old" else edit.new
        for run in slice_runs(source, lo, hi):
            # A footnote only OLD had cannot be printed from NEW's notes: keep its mark as text.
            footnote = run.footnote if run.footnote in notes and side == "new" else None
            runs.append(replace(run, footnote=footnote, revision=mark))
    revision = _WHOLE.get(diff.kind) or ("format" if diff.restyled else None)
    return replace(diff.paragraph, runs=tuple(runs), revision=revision)

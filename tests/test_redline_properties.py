"""Property tests: any edits to a document give a redline that accepts to NEW and rejects to OLD.

Documents are small and drawn from a small vocabulary, so repeated words and paragraphs
(the hard cases for alignment and move detection) are common. Accept and reject are
done in Python (tests/tracked.py), which test_redline.py checks against pandoc.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime

import docx
from docx.enum.text import WD_BREAK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mougen.document import read_docx
from mougen.redline import diff_documents, write_docx
from tests.tracked import REVISIONS, W, accepted_words, document_xml, rejected_words

VOCAB = ["1.", "2.1.", "the", "council", "children", "will", "sector", "review", "data", "peer"]
#: Run content that is not a word: a tab, a line break and a page break (a page break at
#: the start of a paragraph is no character of the model's text, anywhere else a space).
SPECIAL = {
    "<tab>": lambda run: run.add_tab(),
    "<br>": lambda run: run.add_break(WD_BREAK.LINE),
    "<page>": lambda run: run.add_break(WD_BREAK.PAGE),
}
VOCAB += list(SPECIAL)

Word = tuple[str, bool]  # the word and whether it is bold
words = st.tuples(st.sampled_from(VOCAB), st.booleans())
paragraphs = st.lists(words, max_size=8)
documents = st.lists(paragraphs, min_size=1, max_size=8)
cells = st.lists(
    st.lists(st.lists(st.sampled_from(VOCAB), max_size=4), min_size=2, max_size=2),
    min_size=1,
    max_size=3,
)
index = st.integers(0, 50)
edits = st.lists(
    st.one_of(
        st.tuples(st.just("replace-word"), index, index, words),
        st.tuples(st.just("insert-word"), index, index, words),
        st.tuples(st.just("delete-word"), index, index),
        st.tuples(st.just("bold-word"), index, index),
        st.tuples(st.just("insert-paragraph"), index, paragraphs),
        st.tuples(st.just("delete-paragraph"), index),
        st.tuples(st.just("move-paragraph"), index, index),
    ),
    max_size=6,
)


def edited(doc: list[list[Word]], changes) -> list[list[Word]]:
    """``doc`` with ``changes`` applied; indexes wrap around what is there."""
    out = [list(p) for p in doc]
    for kind, *args in changes:
        if kind == "insert-paragraph":
            out.insert(args[0] % (len(out) + 1), list(args[1]))
        elif kind == "delete-paragraph" and len(out) > 1:
            out.pop(args[0] % len(out))
        elif kind == "move-paragraph":
            para = out.pop(args[0] % len(out))
            out.insert(args[1] % (len(out) + 1), para)
        elif kind.endswith("-word"):
            para = out[args[0] % len(out)]
            at = args[1] % (len(para) + 1)
            if kind == "insert-word":
                para.insert(at, args[2])
            elif para and at < len(para):
                if kind == "replace-word":
                    para[at] = args[2]
                elif kind == "delete-word":
                    para.pop(at)
                else:
                    para[at] = (para[at][0], not para[at][1])
    return out


def build(doc: list[list[Word]], table: list[list[list[str]]] | None = None) -> bytes:
    out = docx.Document()
    for para in doc:
        p = out.add_paragraph()
        for i, (word, bold) in enumerate(para):
            if word in SPECIAL:
                run = p.add_run(" " if i else "")
                SPECIAL[word](run)
            else:
                run = p.add_run(word if i == 0 else f" {word}")
            run.bold = bold
    if table is not None:
        t = out.add_table(rows=len(table), cols=2)
        for row, cells_ in zip(t.rows, table, strict=True):
            for cell, text in zip(row.cells, cells_, strict=True):
                cell.text = " ".join(w for w in text if w not in SPECIAL)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def expected_words(doc: list[list[Word]], table=None) -> list[str]:
    cell_words = [w for row in table or () for cell in row for w in cell if w not in SPECIAL]
    return [w for para in doc for w, _ in para if w not in SPECIAL] + cell_words


def check(old: bytes, new: bytes) -> bytes:
    red = write_docx(
        diff_documents(read_docx(old), read_docx(new)), old, new, when=datetime.now(UTC)
    )
    root = document_xml(red)
    ids = Counter(
        el.get(f"{W}id")
        for tag in (*REVISIONS, "moveFromRangeStart", "moveToRangeStart")
        for el in root.iter(f"{W}{tag}")
    )
    assert all(n == 1 for n in ids.values())
    return red


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, edits)
def test_accept_gives_new_and_reject_gives_old(doc, changes):
    new_doc = edited(doc, changes)
    red = check(build(doc), build(new_doc))
    assert accepted_words(red) == expected_words(new_doc)
    assert rejected_words(red) == expected_words(doc)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, cells, cells)
def test_tables_accept_to_new_and_reject_to_old(doc, old_table, new_table):
    """Same-shape tables are compared cell by cell; others are replaced whole."""
    red = check(build(doc, old_table), build(doc, new_table))
    assert accepted_words(red) == expected_words(doc, new_table)
    assert rejected_words(red) == expected_words(doc, old_table)

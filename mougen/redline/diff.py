"""Comparing two model documents: which paragraphs were kept, changed, added, dropped or moved.

The comparison works in three passes:

1. Paragraphs are aligned on their text with the clause number taken off, so a clause
   renumbered because others were inserted still lines up with its old self. Where the
   texts differ, changed paragraphs are paired with their old form when enough of their
   words agree (``PAIR_SIMILARITY``).
2. A paragraph left deleted whose words mostly reappear in one left inserted
   (``MOVE_SIMILARITY``) is a move; if it was also edited, the edits travel with it.
3. Paired paragraphs are compared word by word; kept words whose formatting changed are
   marked as reformatted, and a word or two kept between two longer changes is folded
   into them so a rewritten phrase reads as one deletion and one insertion.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from mougen.document import Block, Document, Paragraph, Table
from mougen.redline.tokens import Token, clause_number, tokens

#: Share of words two paragraphs must have in common to count as one paragraph changed.
PAIR_SIMILARITY = 0.5
#: Share of words a deleted and an inserted paragraph must share to count as a move.
MOVE_SIMILARITY = 0.75
#: Paragraphs shorter than this (in words) are never taken for moves: "Locally:" recurs.
MOVE_MIN_WORDS = 4
#: Kept words (at most this many) between two longer changes are folded into them.
FOLD_WORDS = 2

Op = Literal["equal", "format", "insert", "delete"]
Kind = Literal["same", "changed", "inserted", "deleted", "moved-from", "moved-to"]
Side = Literal["old", "new"]
#: Edits a move does not show at one of its ends: the source shows the words kept and
#: deleted, the destination the words kept and inserted, so accepting (or rejecting)
#: every change yields each word once.
_HIDDEN = {("moved-from", "insert"), ("moved-to", "delete")}


@dataclass(frozen=True)
class Edit:
    """A stretch of a paragraph: kept, reformatted, inserted or deleted.

    ``old`` and ``new`` are character spans in the old and new paragraph's text (an
    insertion has an empty old span, a deletion an empty new one).
    """

    op: Op
    old: tuple[int, int]
    new: tuple[int, int]


@dataclass(frozen=True)
class ParagraphDiff:
    """One paragraph of the redline and what happened to it.

    ``old_at``/``new_at`` are its positions among the old and new document's blocks (or
    among a table cell's paragraphs). A move is two of these, a ``moved-from`` shown at the
    old place and a ``moved-to`` shown at the new, sharing ``move``, both positions and
    the same ``edits``.
    """

    kind: Kind
    old: Paragraph | None
    new: Paragraph | None
    old_at: int | None
    new_at: int | None
    edits: tuple[Edit, ...]
    move: int | None = None

    @property
    def restyled(self) -> bool:
        """Whether a kept paragraph's style or alignment changed."""
        return (
            self.old is not None
            and self.new is not None
            and (self.old.style, self.old.align) != (self.new.style, self.new.align)
        )

    @property
    def renumbered(self) -> bool:
        """Whether the only change to the text is the clause number in front of it."""
        if self.old is None or self.new is None:
            return False
        old_no, new_no = clause_number(self.old), clause_number(self.new)
        return old_no != new_no and _without_number(self.old) == _without_number(self.new)

    def shown(self) -> Iterator[tuple[Edit, Side]]:
        """The edits shown at this place, each with the side its text comes from."""
        for edit in self.edits:
            if (self.kind, edit.op) not in _HIDDEN:
                from_old = edit.op == "delete" or self.kind == "moved-from"
                yield edit, "old" if from_old else "new"

    @property
    def paragraph(self) -> Paragraph:
        """The paragraph as it stands at this place (the new one unless it is gone)."""
        if self.new is not None and self.kind != "moved-from":
            return self.new
        assert self.old is not None, "only an inserted paragraph has no old side"
        return self.old


@dataclass(frozen=True)
class TableDiff:
    """A table of the redline: compared cell by cell (same shape), or replaced whole."""

    kind: Literal["same-shape", "inserted", "deleted"]
    old: Table | None
    new: Table | None
    old_at: int | None
    new_at: int | None
    #: Rows of cells, each the diff of that cell's paragraphs (all inserted or all deleted
    #: for a table added or dropped whole).
    cells: tuple[tuple[tuple[ParagraphDiff, ...], ...], ...] = ()

    @property
    def paragraphs(self) -> tuple[ParagraphDiff, ...]:
        """The paragraph diffs of every cell, row by row."""
        return tuple(p for row in self.cells for cell in row for p in cell)


BlockDiff = ParagraphDiff | TableDiff


@dataclass(frozen=True)
class Redline:
    """The comparison of two documents: their blocks merged in reading order."""

    old: Document
    new: Document
    blocks: tuple[BlockDiff, ...]

    @property
    def paragraphs(self) -> tuple[ParagraphDiff, ...]:
        """Every paragraph diff, table cells included, in reading order."""
        out: list[ParagraphDiff] = []
        for block in self.blocks:
            out.extend(block.paragraphs if isinstance(block, TableDiff) else (block,))
        return tuple(out)


def diff_documents(old: Document, new: Document) -> Redline:
    """Compare two documents' bodies."""
    slots = _detect_moves(old.blocks, new.blocks, _align(old.blocks, new.blocks))
    blocks = tuple(_block_diff(old.blocks, new.blocks, slot) for slot in slots)
    return Redline(old, new, blocks)


def diff_paragraphs(old: Paragraph, new: Paragraph) -> tuple[Edit, ...]:
    """The word-by-word edits that turn ``old`` into ``new``."""
    a, b = tokens(old), tokens(new)
    matcher = SequenceMatcher(None, [t.key for t in a], [t.key for t in b], autojunk=False)
    edits: list[Edit] = []
    for tag, i1, i2, j1, j2 in _fold_short_equalities(matcher.get_opcodes(), a, b):
        if tag == "equal":
            edits.extend(_kept(a[i1:i2], b[j1:j2]))
        else:
            edits.append(Edit("delete", _span(a, i1, i2), (_at(b, j1), _at(b, j1))))
            edits.append(Edit("insert", (_at(a, i2), _at(a, i2)), _span(b, j1, j2)))
    return _merge([e for e in edits if e.old[0] != e.old[1] or e.new[0] != e.new[1]])


# --- alignment -------------------------------------------------------------------------

#: A pairing of an old block index with a new one; either side may be missing.
Pair = tuple[int | None, int | None]


@dataclass(frozen=True)
class Slot:
    """A place in the merged document: the old and new block it shows, and any move."""

    old: int | None
    new: int | None
    move: int | None = None
    side: Kind | None = None


def _align(old: Sequence[Block], new: Sequence[Block]) -> list[Pair]:
    """Old and new blocks paired in reading order; unpaired ones stand alone."""
    matcher = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
    pairs: list[Pair] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            pairs.extend(_pair_region(old, new, range(i1, i2), range(j1, j2)))
    return pairs


def _pair_region(
    old: Sequence[Block], new: Sequence[Block], olds: range, news: range
) -> list[Pair]:
    """Pair the blocks of a differing region in order, maximising their total similarity.

    ``best[a][b]`` is the best total over the first ``a`` old and ``b`` new blocks (the
    longest-common-subsequence table, weighted by similarity); walking it back from the
    end gives the pairs, and every block between two pairs stands alone.
    """
    old_count, new_count = len(olds), len(news)
    old_bags = [_bag(old[i]) for i in olds]
    new_bags = [_bag(new[j]) for j in news]
    similarity = [
        [_similarity(old[i], new[j], old_bags[o], new_bags[n]) for n, j in enumerate(news)]
        for o, i in enumerate(olds)
    ]
    best = [[0.0] * (new_count + 1) for _ in range(old_count + 1)]
    for o in range(old_count):
        for n in range(new_count):
            total = max(best[o][n + 1], best[o + 1][n])
            if similarity[o][n] >= PAIR_SIMILARITY:
                total = max(total, best[o][n] + similarity[o][n])
            best[o + 1][n + 1] = total
    matched: list[tuple[int, int]] = []
    o, n = old_count, new_count
    while o and n:
        if best[o][n] == best[o - 1][n]:
            o -= 1
        elif best[o][n] == best[o][n - 1]:
            n -= 1
        else:
            matched.append((o - 1, n - 1))
            o, n = o - 1, n - 1
    pairs: list[Pair] = []
    next_old = next_new = 0
    for paired_old, paired_new in [*reversed(matched), (old_count, new_count)]:
        pairs.extend((olds[k], None) for k in range(next_old, paired_old))
        pairs.extend((None, news[k]) for k in range(next_new, paired_new))
        if paired_old < old_count:
            pairs.append((olds[paired_old], news[paired_new]))
        next_old, next_new = paired_old + 1, paired_new + 1
    return pairs


def _detect_moves(old: Sequence[Block], new: Sequence[Block], pairs: list[Pair]) -> list[Slot]:
    """Mark deleted paragraphs that reappear among the inserted ones as moves."""
    gone = [i for i, j in pairs if i is not None and j is None and _movable(old[i])]
    came = [j for i, j in pairs if i is None and j is not None and _movable(new[j])]
    bags_old = {i: _bag(old[i]) for i in gone}
    bags_new = {j: _bag(new[j]) for j in came}
    scored = ((_dice(bags_old[i], bags_new[j]), i, j) for i in gone for j in came)
    candidates = sorted((c for c in scored if c[0] >= MOVE_SIMILARITY), key=lambda c: -c[0])
    moved_to: dict[int, int] = {}
    moved_from: dict[int, int] = {}
    for _, gone_at, came_at in candidates:
        if gone_at not in moved_to and came_at not in moved_from:
            moved_to[gone_at], moved_from[came_at] = came_at, gone_at
    numbers = {i: k for k, i in enumerate(sorted(moved_to), start=1)}
    slots: list[Slot] = []
    for i, j in pairs:
        if i is not None and j is None and i in moved_to:
            slots.append(Slot(i, moved_to[i], numbers[i], "moved-from"))
        elif i is None and j is not None and j in moved_from:
            slots.append(Slot(moved_from[j], j, numbers[moved_from[j]], "moved-to"))
        else:
            slots.append(Slot(i, j))
    return slots


def _block_diff(old: Sequence[Block], new: Sequence[Block], slot: Slot) -> BlockDiff:
    a = old[slot.old] if slot.old is not None else None
    b = new[slot.new] if slot.new is not None else None
    if isinstance(a, Table | None) and isinstance(b, Table | None) and (a, b) != (None, None):
        return _table_diff(a, b, slot.old, slot.new)
    if not (isinstance(a, Paragraph | None) and isinstance(b, Paragraph | None)):
        raise AssertionError("a table is only ever paired with a table")
    if slot.move is not None:
        assert a is not None and b is not None and slot.side, "a move pairs two paragraphs"
        edits = diff_paragraphs(a, b)
        return ParagraphDiff(slot.side, a, b, slot.old, slot.new, edits, slot.move)
    return _paragraph_diff(a, b, slot.old, slot.new)


def _paragraph_diff(
    a: Paragraph | None, b: Paragraph | None, i: int | None, j: int | None
) -> ParagraphDiff:
    if a is not None and b is not None:
        edits = diff_paragraphs(a, b)
        kind: Kind = "same" if all(e.op == "equal" for e in edits) else "changed"
        return ParagraphDiff(kind, a, b, i, j, edits)
    if b is not None:
        return ParagraphDiff("inserted", None, b, None, j, (Edit("insert", (0, 0), _whole(b)),))
    if a is not None:
        return ParagraphDiff("deleted", a, None, i, None, (Edit("delete", _whole(a), (0, 0)),))
    raise AssertionError("a slot shows an old paragraph, a new one, or both")


def _table_diff(a: Table | None, b: Table | None, i: int | None, j: int | None) -> BlockDiff:
    if a is None and b is not None:
        return TableDiff("inserted", None, b, None, j, _whole_cells(b, inserted=True))
    if b is None and a is not None:
        return TableDiff("deleted", a, None, i, None, _whole_cells(a, inserted=False))
    if a is None or b is None:
        raise AssertionError("a slot shows an old table, a new one, or both")
    cells = tuple(
        tuple(
            tuple(
                _paragraph_diff(
                    oc.paragraphs[x] if x is not None else None,
                    nc.paragraphs[y] if y is not None else None,
                    x,
                    y,
                )
                for x, y in _align(oc.paragraphs, nc.paragraphs)
            )
            for oc, nc in zip(orow, nrow, strict=True)
        )
        for orow, nrow in zip(a.rows, b.rows, strict=True)
    )
    return TableDiff("same-shape", a, b, i, j, cells)


def _whole_cells(
    table: Table, *, inserted: bool
) -> tuple[tuple[tuple[ParagraphDiff, ...], ...], ...]:
    """The cells of a table added or dropped whole, their paragraphs all inserted or deleted."""

    def one(p: Paragraph, k: int) -> ParagraphDiff:
        return _paragraph_diff(None, p, None, k) if inserted else _paragraph_diff(p, None, k, None)

    return tuple(
        tuple(tuple(one(p, k) for k, p in enumerate(cell.paragraphs)) for cell in row)
        for row in table.rows
    )


# --- similarity ------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _without_number(paragraph: Paragraph) -> str:
    text = _SPACE.sub(" ", paragraph.body_text).strip()
    number = clause_number(paragraph)
    return text[len(number) :].lstrip() if number else text


def _key(block: Block) -> object:
    if isinstance(block, Table):
        return ("table", tuple(_without_number(p) for p in block.paragraphs))
    return _without_number(block)


def _bag(block: Block) -> Counter[str]:
    paragraphs = block.paragraphs if isinstance(block, Table) else (block,)
    return Counter(w for p in paragraphs for w in _without_number(p).lower().split())


def _dice(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    return 1.0 if total == 0 else 2 * sum((a & b).values()) / total


def _similarity(a: Block, b: Block, bag_a: Counter[str], bag_b: Counter[str]) -> float:
    if isinstance(a, Table) or isinstance(b, Table):
        return 1.0 if _shape(a) == _shape(b) else 0.0
    return _dice(bag_a, bag_b)


def _shape(block: Block) -> tuple[int, ...] | None:
    return tuple(len(row) for row in block.rows) if isinstance(block, Table) else None


def _movable(block: Block) -> bool:
    return isinstance(block, Paragraph) and len(block.body_text.split()) >= MOVE_MIN_WORDS


# --- word edits ------------------------------------------------------------------------


#: One step of difflib's edit script: [tag, a from, a to, b from, b to].
Opcode = Sequence[Any]


def _fold_short_equalities(
    opcodes: Sequence[Opcode], a: Sequence[Token], b: Sequence[Token]
) -> Sequence[Opcode]:
    """Fold short kept stretches between two longer changes into them.

    "the" kept between a rewritten clause's old and new halves reads better as part of
    one deletion and one insertion, as Word's own comparison shows it.
    """
    while True:
        out: list[list[Any]] = []
        for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
            inner = 0 < k < len(opcodes) - 1
            if tag == "equal" and inner and _minor(a[i1:i2], opcodes[k - 1], opcodes[k + 1], a, b):
                tag = "replace"
            if out and tag != "equal" and out[-1][0] != "equal":
                out[-1][2], out[-1][4] = i2, j2
            else:
                out.append([tag, i1, i2, j1, j2])
        if len(out) == len(opcodes):  # nothing more to fold: the changes have grown
            return out
        opcodes = out


def _minor(
    kept: Sequence[Token], before: Opcode, after: Opcode, a: Sequence[Token], b: Sequence[Token]
) -> bool:
    """Whether a kept stretch is whitespace, or a word or two shorter than both changes."""
    words = sum(not t.text.isspace() for t in kept)
    size = _chars(kept)
    changes = [max(_chars(a[op[1] : op[2]]), _chars(b[op[3] : op[4]])) for op in (before, after)]
    return words == 0 or (words <= FOLD_WORDS and all(size < c for c in changes))


def _chars(tokens: Sequence[Token]) -> int:
    return sum(t.end - t.start for t in tokens)


def _kept(a: Sequence[Token], b: Sequence[Token]) -> list[Edit]:
    """Kept tokens, each marked as reformatted where its formatting changed."""
    return [Edit(_op(x, y), (x.start, x.end), (y.start, y.end)) for x, y in zip(a, b, strict=True)]


def _op(x: Token, y: Token) -> Op:
    return "equal" if x.formatting == y.formatting else "format"


def _merge(edits: list[Edit]) -> tuple[Edit, ...]:
    """Join neighbouring edits of the same kind into one."""
    out: list[Edit] = []
    for edit in edits:
        last = out[-1] if out else None
        if last is not None and last.op == edit.op:
            out[-1] = Edit(edit.op, (last.old[0], edit.old[1]), (last.new[0], edit.new[1]))
        else:
            out.append(edit)
    return tuple(out)


def _span(seq: Sequence[Token], i1: int, i2: int) -> tuple[int, int]:
    return (_at(seq, i1), _at(seq, i2))


def _at(seq: Sequence[Token], i: int) -> int:
    """The character offset where token ``i`` starts (or the end, past the last one)."""
    return seq[i].start if i < len(seq) else (seq[-1].end if seq else 0)


def _whole(paragraph: Paragraph) -> tuple[int, int]:
    return (0, len(paragraph.text))

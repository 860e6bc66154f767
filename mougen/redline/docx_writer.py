"""Writing a redline as a Word document with native tracked changes.

The output is NEW's own package (styles, numbering, footnotes and settings carry over)
with its body replaced by the merged content. Each paragraph keeps its own ``w:pPr``
and each run its ``w:rPr``: the writer cuts the source paragraphs' XML at the
character spans the comparison found, and wraps the pieces in ``w:ins``, ``w:del``,
``w:moveFrom`` or ``w:moveTo``. Whole paragraphs added, dropped or moved have their
paragraph marks marked too, so Word and LibreOffice can accept or reject each change.
"""

from __future__ import annotations

import copy
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import docx
from docx.oxml.parser import OxmlElement
from lxml import etree

from mougen.document import Paragraph
from mougen.document.ns import qn
from mougen.document.runtext import child_text
from mougen.redline.diff import Edit, ParagraphDiff, Redline, TableDiff
from mougen.redline.footnotes import Footnotes

_BLOCKS = (qn("w:p"), qn("w:tbl"))
_RUN_WRAPPERS = {qn(f"w:{t}") for t in ("hyperlink", "smartTag", "customXml")}
_BOOKMARKS = (qn("w:bookmarkStart"), qn("w:bookmarkEnd"))
#: The wrapper of an edit's runs, by op; kept words in a move take the move's own.
_WRAPPERS = {"insert": "ins", "delete": "del"}
#: The revision of a whole paragraph's mark (and of the words a move keeps), by kind.
_MARKS = {"inserted": "ins", "deleted": "del", "moved-from": "moveFrom", "moved-to": "moveTo"}


def write_docx(
    redline: Redline,
    old_docx: bytes,
    new_docx: bytes,
    *,
    when: datetime,
    author: str = "mougen",
) -> bytes:
    """The redline as DOCX bytes; ``old_docx``/``new_docx`` are the files ``redline`` compared."""
    package = docx.Document(io.BytesIO(new_docx))
    old = docx.Document(io.BytesIO(old_docx))
    old_body = old.element.body
    stamp = _Stamp(author, _iso(when), _first_free_id(package, old_body))
    notes = Footnotes(package, old)
    _BodyWriter(redline, old_body, package.element.body, stamp, notes).replace_body()
    notes.save()
    out = io.BytesIO()
    package.save(out)
    return out.getvalue()


@dataclass
class _Stamp:
    """Makes revision elements, each with its own id and the same author and date."""

    author: str
    date: str
    first_id: int

    def __post_init__(self) -> None:
        self._ids = itertools.count(self.first_id)

    def revision(self, tag: str, **attrs: str) -> etree._Element:
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:id"), str(next(self._ids)))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        for key, value in attrs.items():
            el.set(qn(f"w:{key}"), value)
        return el

    def range_end(self, tag: str, start: etree._Element) -> etree._Element:
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:id"), start.get(qn("w:id")))
        return el


@dataclass(frozen=True)
class _Piece:
    """A bit of a source paragraph at ``start`` (length ``size`` in the model's text).

    ``run`` is the ``w:r`` it came from; a paragraph-level piece (a bookmark) has none.
    """

    start: int
    size: int
    run: etree._Element | None
    node: etree._Element


class _BodyWriter:
    """Builds the merged body from the redline and the two source bodies."""

    def __init__(
        self,
        redline: Redline,
        old_body: etree._Element,
        new_body: etree._Element,
        stamp: _Stamp,
        notes: Footnotes,
    ) -> None:
        self.redline = redline
        self.old_blocks = [c for c in old_body.iterchildren() if c.tag in _BLOCKS]
        self.new_body = new_body
        self.new_blocks = [c for c in new_body.iterchildren() if c.tag in _BLOCKS]
        self.stamp = stamp
        self.notes = notes

    def replace_body(self) -> None:
        merged = [el for block in self.redline.blocks for el in self.block(block)]
        for child in self.new_blocks:
            self.new_body.remove(child)
        sect = self.new_body.find(qn("w:sectPr"))
        for el in merged:
            if sect is not None:
                sect.addprevious(el)
            else:
                self.new_body.append(el)

    def block(self, diff: ParagraphDiff | TableDiff) -> Iterator[etree._Element]:
        if isinstance(diff, TableDiff):
            yield self.table(diff)
        else:
            old = self.old_blocks[diff.old_at] if diff.old_at is not None else None
            new = self.new_blocks[diff.new_at] if diff.new_at is not None else None
            yield self.paragraph(diff, old, new)

    def table(self, diff: TableDiff) -> etree._Element:
        source = self.new_blocks if diff.kind != "deleted" else self.old_blocks
        at = diff.new_at if diff.kind != "deleted" else diff.old_at
        assert at is not None, "a table diff has the position of the table it shows"
        tbl = copy.deepcopy(source[at])
        old_tbl = self.old_blocks[diff.old_at] if diff.old_at is not None else None
        for r, (tr, row) in enumerate(zip(tbl.iterchildren(qn("w:tr")), diff.cells, strict=True)):
            if diff.kind != "same-shape":
                _mark_row(tr, self.stamp.revision("ins" if diff.kind == "inserted" else "del"))
            old_tr = _child(old_tbl, "tr", r) if old_tbl is not None else None
            for c, (tc, cell) in enumerate(zip(tr.iterchildren(qn("w:tc")), row, strict=True)):
                old_tc = _child(old_tr, "tc", c) if old_tr is not None else None
                self.fill_cell(tc, old_tc, cell)
        return tbl

    def fill_cell(
        self, tc: etree._Element, old_tc: etree._Element | None, cell: tuple[ParagraphDiff, ...]
    ) -> None:
        """Replace the paragraphs of cell ``tc`` (a copy) with the cell's merged paragraphs."""
        new_ps = list(tc.iterchildren(qn("w:p")))
        old_ps = list(old_tc.iterchildren(qn("w:p"))) if old_tc is not None else []
        for p in new_ps:
            tc.remove(p)
        for diff in cell:
            old = old_ps[diff.old_at] if diff.old_at is not None else None
            new = new_ps[diff.new_at] if diff.new_at is not None else None
            tc.append(self.paragraph(diff, old, new))

    def paragraph(self, diff: ParagraphDiff, old_p: Any, new_p: Any) -> etree._Element:
        if diff.kind == "same" and not diff.restyled:
            return copy.deepcopy(new_p)
        keep_old = diff.kind in ("deleted", "moved-from")
        p = OxmlElement("w:p")
        ppr = copy.deepcopy((old_p if keep_old else new_p).find(qn("w:pPr")))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
        p.append(ppr)
        if diff.kind in _MARKS:
            _mark_paragraph(ppr, self.stamp.revision(_MARKS[diff.kind]))
        if diff.restyled and not keep_old:
            ppr.append(self._ppr_change(old_p))
        move_range = None
        if diff.move is not None:
            move_tag = _MARKS[diff.kind]
            move_range = self.stamp.revision(f"{move_tag}RangeStart", name=f"move{diff.move}")
            p.append(move_range)
        pieces = {
            "old": _pieces(old_p, diff.old, bookmarks=False) if old_p is not None else [],
            "new": _pieces(new_p, diff.new, bookmarks=True) if new_p is not None else [],
        }
        for edit, side in diff.shown():
            p.extend(self.span(edit, side, _wrapper(diff, edit), pieces))
        if not keep_old and diff.new is not None:
            end = len(diff.new.text)
            p.extend(
                copy.deepcopy(x.node) for x in pieces["new"] if x.start >= end and x.run is None
            )
        if move_range is not None:
            p.append(self.stamp.range_end(f"{move_tag}RangeEnd", move_range))
        return p

    def span(
        self, edit: Edit, side: str, wrapper: str | None, pieces: dict[str, list[_Piece]]
    ) -> list[etree._Element]:
        """The XML for one edit: the source pieces in range, in ``wrapper`` (if any)."""
        lo, hi = edit.old if side == "old" else edit.new
        out: list[etree._Element] = []
        box: etree._Element | None = None
        for run_el, group in _group(pieces[side], lo, hi):
            if run_el is None:
                out.extend(copy.deepcopy(x.node) for x in group)
                box = None
                continue
            r = self.run(run_el, group, wrapper=wrapper, from_old=side == "old")
            if edit.op == "format" and side == "new":
                # Reformatted text is the same on both sides, so offsets map one to one.
                at = edit.old[0] + max(group[0].start, lo) - lo
                _record_old_format(r, self.stamp.revision("rPrChange"), _rpr_at(pieces["old"], at))
            if wrapper is None:
                out.append(r)
                continue
            if box is None:
                box = self.stamp.revision(wrapper)
                out.append(box)
            box.append(r)
        return out

    def run(
        self,
        source: Any,
        group: list[_Piece],
        *,
        wrapper: str | None,
        from_old: bool,
    ) -> etree._Element:
        """A run holding ``group`` with the source run's properties."""
        r = OxmlElement("w:r")
        rpr = source.find(qn("w:rPr"))
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        for piece in group:
            child = self.run_child(piece.node, deleted=wrapper == "del", from_old=from_old)
            if child is not None:
                r.append(child)
        return r

    def run_child(
        self, node: etree._Element, *, deleted: bool, from_old: bool
    ) -> etree._Element | None:
        """A copy of a run's child; text becomes ``w:delText`` in a deletion."""
        if node.tag == qn("w:t"):
            return _text_node(node.text or "", deleted=deleted)
        out = copy.deepcopy(node)
        if node.tag == qn("w:footnoteReference") and from_old:
            note = self.notes.id_for_old(int(node.get(qn("w:id"))))
            if note is None:
                return None
            out.set(qn("w:id"), str(note))
        return out

    def _ppr_change(self, old_p: Any) -> etree._Element:
        change = self.stamp.revision("pPrChange")
        old_ppr = old_p.find(qn("w:pPr")) if old_p is not None else None
        ppr = OxmlElement("w:pPr")
        for child in old_ppr if old_ppr is not None else ():
            if child.tag not in (qn("w:rPr"), qn("w:sectPr"), qn("w:pPrChange")):
                ppr.append(copy.deepcopy(child))
        change.append(ppr)
        return change


def _wrapper(diff: ParagraphDiff, edit: Edit) -> str | None:
    """The revision element an edit's runs go in (None: bare runs)."""
    if edit.op in _WRAPPERS:
        return _WRAPPERS[edit.op]
    return _MARKS[diff.kind] if diff.move is not None else None


def _pieces(p: etree._Element, paragraph: Paragraph | None, *, bookmarks: bool) -> list[_Piece]:
    """The paragraph's XML cut into pieces placed at their offsets in the model's text."""
    marks = iter([r.text for r in paragraph.runs if r.footnote is not None] if paragraph else [])
    out: list[_Piece] = []
    offset = 0

    def walk(parent: etree._Element) -> None:
        nonlocal offset
        for child in parent.iterchildren():
            if child.tag == qn("w:r"):
                for node in child.iterchildren():
                    if node.tag == qn("w:rPr"):
                        continue
                    note = node.tag == qn("w:footnoteReference")
                    size = len(next(marks, "")) if note else _size(node)
                    out.append(_Piece(offset, size, child, node))
                    offset += size
            elif child.tag in _RUN_WRAPPERS:
                walk(child)
            elif bookmarks and child.tag in _BOOKMARKS:
                out.append(_Piece(offset, 0, None, child))

    walk(p)
    return out


def _size(node: etree._Element) -> int:
    """How many characters of the model's text a run child (other than a footnote) is."""
    return len(child_text(node))


def _group(
    pieces: list[_Piece], lo: int, hi: int
) -> Iterator[tuple[etree._Element | None, list[_Piece]]]:
    """The pieces within ``lo``..``hi``, grouped by source run; text cut to the span."""
    group_run = None
    group: list[_Piece] = []
    for piece in pieces:
        if piece.size:
            a, b = max(lo, piece.start), min(hi, piece.start + piece.size)
            if a >= b:
                continue
            if piece.node.tag == qn("w:t") and (a, b) != (piece.start, piece.start + piece.size):
                text = piece.node.text[a - piece.start : b - piece.start]
                piece = replace(piece, node=_text_node(text, deleted=False))
        elif not lo <= piece.start < hi:
            continue
        if piece.run is not group_run or piece.run is None:
            if group:
                yield group_run, group
            group_run, group = piece.run, []
        group.append(piece)
    if group:
        yield group_run, group


def _text_node(text: str, *, deleted: bool) -> etree._Element:
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def _rpr_at(pieces: list[_Piece], offset: int) -> etree._Element | None:
    for piece in pieces:
        if piece.run is not None and piece.start <= offset < piece.start + max(piece.size, 1):
            return piece.run.find(qn("w:rPr"))
    return None


def _record_old_format(
    r: etree._Element, change: etree._Element, old_rpr: etree._Element | None
) -> None:
    """Add ``w:rPrChange`` holding the old properties to run ``r`` (last in its ``w:rPr``)."""
    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        r.insert(0, rpr)
    old = OxmlElement("w:rPr")
    for child in old_rpr if old_rpr is not None else ():
        if child.tag not in (qn("w:rPrChange"), qn("w:ins"), qn("w:del")):
            old.append(copy.deepcopy(child))
    change.append(old)
    rpr.append(change)


def _mark_paragraph(ppr: etree._Element, mark: etree._Element) -> None:
    """Mark the paragraph mark itself (``w:pPr/w:rPr``), so the paragraph joins or parts."""
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        after = ppr.find(qn("w:sectPr"))
        after = after if after is not None else ppr.find(qn("w:pPrChange"))
        if after is not None:
            after.addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, mark)


def _mark_row(tr: etree._Element, mark: etree._Element) -> None:
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = OxmlElement("w:trPr")
        prev = tr.find(qn("w:tblPrEx"))
        if prev is not None:
            prev.addnext(trpr)
        else:
            tr.insert(0, trpr)
    change = trpr.find(qn("w:trPrChange"))
    if change is not None:
        change.addprevious(mark)
    else:
        trpr.append(mark)


def _child(parent: etree._Element, name: str, index: int) -> etree._Element:
    return list(parent.iterchildren(qn(f"w:{name}")))[index]


def _first_free_id(package: Any, old_body: etree._Element) -> int:
    """A revision id above every id already in NEW and OLD (bookmarks, footnotes...)."""
    ids = [
        int(v)
        for root in (package.element, old_body)
        for el in root.iter()
        if isinstance(el.tag, str) and (v := el.get(qn("w:id"))) and v.lstrip("-").isdigit()
    ]
    return max(ids, default=0) + 1


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

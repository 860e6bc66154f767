"""Footnotes in a DOCX redline: NEW's footnotes part, with OLD's notes added where needed.

The redline is NEW's package, so a footnote reference in NEW's text points at the right
note as it is. A reference in text that only OLD has (deleted or moved away) points into
OLD's footnotes part: when NEW holds the same note under the same id it is used as is;
otherwise OLD's note is copied into NEW's footnotes part under a fresh id, so rejecting
the deletion brings the footnote back. A NEW without any footnotes part cannot take the
copy; such a reference is left out of the redline.
"""

from __future__ import annotations

import copy

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from lxml import etree

from mougen.document.ns import qn


class Footnotes:
    """NEW's footnotes part, able to take copies of OLD's footnotes."""

    def __init__(self, new: DocxDocument, old: DocxDocument):
        self.part = _footnotes_part(new)
        self.root = etree.fromstring(self.part.blob) if self.part is not None else None
        old_part = _footnotes_part(old)
        old_root = etree.fromstring(old_part.blob) if old_part is not None else None
        self.old_notes = _notes(old_root)
        self.new_notes = _notes(self.root)
        self.copied: dict[int, int] = {}

    def id_for_old(self, old_id: int) -> int | None:
        """The id under which NEW can reference OLD's footnote ``old_id`` (None: it cannot)."""
        old = self.old_notes.get(old_id)
        if old is None or self.root is None:
            return None
        same = self.new_notes.get(old_id)
        if same is not None and _text(same) == _text(old):
            return old_id
        if old_id not in self.copied:
            note = copy.deepcopy(old)
            new_id = max(self.new_notes, default=0) + 1
            note.set(qn("w:id"), str(new_id))
            self.root.append(note)
            self.new_notes[new_id] = note
            self.copied[old_id] = new_id
        return self.copied[old_id]

    def save(self) -> None:
        """Put the notes copied from OLD into NEW's package."""
        if self.copied and self.part is not None:
            # python-docx loads the footnotes part as a plain Part: its XML lives in _blob.
            self.part._blob = etree.tostring(
                self.root, xml_declaration=True, encoding="UTF-8", standalone=True
            )


def _footnotes_part(doc: DocxDocument) -> Part | None:
    return next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FOOTNOTES), None
    )


def _notes(root: etree._Element | None) -> dict[int, etree._Element]:
    if root is None:
        return {}
    return {int(fn.get(qn("w:id"))): fn for fn in root.iterchildren(qn("w:footnote"))}


def _text(note: etree._Element) -> str:
    return "".join(t.text or "" for t in note.iter(qn("w:t")))

"""Accepting or rejecting every tracked change of a DOCX, in Python, for fast checks.

``accepted_words``/``rejected_words`` read ``word/document.xml`` and keep what Word would
keep after "Accept all" or "Reject all": accepting drops ``w:del`` and ``w:moveFrom``
content and keeps ``w:ins`` and ``w:moveTo``; rejecting does the reverse. The result is
the body's words, whitespace-split, footnote marks left out. test_redline.py checks
these functions against pandoc's ``--track-changes`` so the property tests can use them.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REVISIONS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange")
_DROP = {"accept": {"del", "moveFrom"}, "reject": {"ins", "moveTo"}}
_TEXT = {f"{W}t", f"{W}delText"}
_SPACE = {f"{W}tab", f"{W}br", f"{W}cr"}


def document_xml(docx: bytes) -> etree._Element:
    """The parsed ``word/document.xml`` of a DOCX."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return etree.fromstring(z.read("word/document.xml"))


def accepted_words(docx: bytes) -> list[str]:
    """The body's words after accepting every change."""
    return _words(document_xml(docx), "accept")


def rejected_words(docx: bytes) -> list[str]:
    """The body's words after rejecting every change."""
    return _words(document_xml(docx), "reject")


def _words(root: etree._Element, mode: str) -> list[str]:
    drop = {f"{W}{tag}" for tag in _DROP[mode]}
    parts: list[str] = []
    for p in root.iter(f"{W}p"):
        parts.append(" ")
        for el in p.iter():
            if any(a.tag in drop for a in el.iterancestors()) or el.tag in drop:
                continue
            if el.tag in _TEXT:
                parts.append(el.text or "")
            elif el.tag in _SPACE:
                parts.append(" ")
    return "".join(parts).split()

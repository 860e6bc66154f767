"""What a run's child element stands for in the model's text: the one rule for it.

The reader builds the model's text from it, and the redline writer measures the same
XML with it, so the two never disagree about where a character is (a page break, for
one, is no character: it becomes the paragraph's ``page_break_before``).
"""

from __future__ import annotations

from lxml import etree

from mougen.document.ns import qn

_CHARACTERS = {
    qn("w:tab"): "\t",
    qn("w:ptab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "\u2011",
}


def child_text(node: etree._Element) -> str:
    """The model's text for one child of a ``w:r`` (a footnote reference excepted)."""
    if node.tag == qn("w:t"):
        return node.text or ""
    if node.tag == qn("w:br") and node.get(qn("w:type")) == "page":
        return ""
    return _CHARACTERS.get(node.tag, "")

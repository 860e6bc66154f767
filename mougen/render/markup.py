"""Turning model runs into reportlab paragraph markup, redline marks included."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from mougen.document import Paragraph, Run

#: Colours of the redline marks: inserted, deleted, moved, reformatted.
REVISION_COLOURS = {
    "insert": "#1565c0",
    "delete": "#c62828",
    "move-from": "#2e7d32",
    "move-to": "#2e7d32",
    "format": "#8d6e00",
}
_TAB = "&nbsp;" * 6
_LEADING_LABEL = re.compile(r"^\s*((?:\d+\.)+(?:\d+\.?)?|\d+\.|[a-z]\)|[ivx]+\))\s+")


def run_markup(run: Run) -> str:
    """One run as markup: escaped text wrapped in its formatting and redline mark."""
    text = escape(run.text).replace("\t", _TAB).replace("\n", "<br/>")
    for on, tag in ((run.bold, "b"), (run.italic, "i"), (run.superscript, "super")):
        if on:
            text = f"<{tag}>{text}</{tag}>"
    if run.underline and run.revision not in ("insert", "move-to"):
        text = f"<u>{text}</u>"
    if run.revision is None:
        return text
    colour = REVISION_COLOURS[run.revision]
    if run.revision in ("delete", "move-from"):
        text = f'<strike color="{colour}">{text}</strike>'
    elif run.revision in ("insert", "move-to"):
        text = f'<u color="{colour}">{text}</u>'
    return f'<font color="{colour}">{text}</font>'


def paragraph_markup(paragraph: Paragraph, split_label: bool) -> tuple[str, str | None]:
    """The paragraph's markup and its hanging label.

    A list paragraph's label comes from Word numbering. A clause whose number is typed
    into its text ("1.1. ...", "a) ...") has that number hung in the margin when
    ``split_label`` is set, without changing a character of it.
    """
    runs = list(paragraph.runs)
    label = paragraph.label
    if label is None and split_label and runs and runs[0].revision is None:
        match = _LEADING_LABEL.match(runs[0].text)
        if match and match.end() < len(runs[0].text):
            label = escape(match.group(1))
            first = runs[0]
            runs[0] = Run(first.text[match.end() :], *first.formatting, first.footnote)
    return "".join(run_markup(r) for r in runs if r.text), label

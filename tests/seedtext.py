"""Seed texts as word sequences, for comparing a rendered MoU with the text it must carry.

The files in ``tests/fixtures/seeds/`` are the wording of each MoU as it was signed,
typos included. A rendered MoU must contain every word of its seed, in order, with
its blanks filled. These helpers turn a seed (``seed_words``) and any text extracted
from a rendered document (``text_words``: pandoc, python-docx or pdftotext output)
into word sequences normalised the same way, so the two can be compared exactly.

Normalisation, identical on both sides:

* the text is split on whitespace;
* tokens that are only blank-line filler (runs of ``_``, ``…`` and ``.``) are dropped,
  so "Signed ______" and "Signed" compare equal, as do ". ." and ".";
* a list bullet (``·``, ``•``, ``▪``, ``-``, ``o``) standing at the very start of a line
  is dropped, and so are the glyphs ``•``, ``·`` and ``▪`` anywhere, since extraction
  tools print the bullet that Word's list numbering draws;
* table rules that ``pandoc -t plain`` draws (tokens made only of ``-`` or ``=``, two
  or more) are dropped;
* footnote reference marks are dropped: pandoc's ``[1]`` glued to a word, and for
  other tools the marks passed as ``footnote_marks`` to ``text_words``.

Quotes are kept exactly as written: pandoc, python-docx and pdftotext all pass
curly and straight quotes through unchanged, and the seeds mix them ("children's",
"Children’s"), so a change of quote is a real difference.

Seed artefacts of the conversion to text are removed before that: ``[bookmark: _GoBack]``,
the ``[footnoteRef:N]`` marker and the footnote text that follows as ``[N: ...]``
(see ``footnote_words`` for that text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent / "fixtures" / "seeds"

MOU_IDS: tuple[str, ...] = ("em-2015", "london-2019", "nw-2017-19", "se-2018", "se-2019-20")

FILL_KEYS: tuple[str, ...] = (
    "authority.name",
    "authority.council",
    "dcs.name",
    "lead_member.name",
    "chief_executive.name",
)

# Each blank of a seed: a pattern whose group 1 is the seed's text for the blank (filler
# such as "_____", or Milton Keynes' own wording in se-2018), and the fill key that
# replaces it. Each pattern must match exactly once in its seed.
_NAME_OF_AUTHORITY = (r"(?<=Name of Local Authority)(\s*_+)", "authority.name")
_BLANKS: dict[str, tuple[tuple[str, str], ...]] = {
    "em-2015": (_NAME_OF_AUTHORITY,),
    "london-2019": (_NAME_OF_AUTHORITY,),
    "nw-2017-19": (_NAME_OF_AUTHORITY,),
    "se-2018": (
        (r"(?<=^Signed for )(Milton Keynes Council)", "authority.council"),
        (r"^(Michael Bracey)(?= Director of Children’s Services)", "dcs.name"),
        (r"^(Carole Mills)(?= Chief Executive)", "chief_executive.name"),
        (r"^(Cllr Zoe Nolan)(?= Lead Member)", "lead_member.name"),
    ),
    "se-2019-20": ((r"(?<=^Signed for )([….]+ Council)(?= by)", "authority.council"),),
}

_GOBACK = re.compile(r"\[bookmark: [^\]]*\]")
_FOOTNOTE_REF = re.compile(r"\[footnoteRef:\d+\]")
_FOOTNOTE_TEXT = re.compile(r"\[(\d+):([^\]]*)\]")
_LINE_BULLET = re.compile(r"^\s*[·•▪o-](?=\s)", re.MULTILINE)
_FILLER = re.compile(r"[_….]+")
_TABLE_RULE = re.compile(r"-{2,}|={2,}")
_GLYPHS = frozenset("•·▪")
_PANDOC_NOTE_MARK = re.compile(r"\[\d+\]")


def seed_path(mou_id: str) -> Path:
    """The seed file of an MoU id; raises ``KeyError`` for an id without one."""
    if mou_id not in MOU_IDS:
        raise KeyError(f"no seed for {mou_id!r} (expected one of {', '.join(MOU_IDS)})")
    return SEEDS_DIR / f"{mou_id}.txt"


@cache
def seed_text(mou_id: str) -> str:
    """The seed exactly as stored."""
    return seed_path(mou_id).read_text(encoding="utf-8")


def _body_and_notes(mou_id: str) -> tuple[str, list[str]]:
    """The seed without its conversion artefacts, and its footnote texts in order."""
    text = _GOBACK.sub("", seed_text(mou_id))
    notes = [m.group(2) for m in _FOOTNOTE_TEXT.finditer(text)]
    text = _FOOTNOTE_TEXT.sub("", text)
    text = _FOOTNOTE_REF.sub("", text)
    return text, notes


def _fill(mou_id: str, text: str, fills: Mapping[str, str | None]) -> str:
    unknown = set(fills) - set(FILL_KEYS)
    if unknown:
        raise KeyError(f"unknown fill keys {sorted(unknown)} (expected some of {FILL_KEYS})")
    for pattern, key in _BLANKS.get(mou_id, ()):
        rx = re.compile(pattern, re.MULTILINE)
        found = list(rx.finditer(text))
        if len(found) != 1:
            raise AssertionError(f"{mou_id}: blank {key!r} found {len(found)} times in the seed")
        if key not in fills:
            continue
        m = found[0]
        value = fills[key] or ""
        text = f"{text[: m.start(1)]} {value} {text[m.end(1) :]}"
    return text


def _words(text: str) -> list[str]:
    words: list[str] = []
    for token in _LINE_BULLET.sub("", text).split():
        if token in _GLYPHS or _FILLER.fullmatch(token) or _TABLE_RULE.fullmatch(token):
            continue
        words.append(token)
    return words


def seed_words(mou_id: str, fills: Mapping[str, str | None] | None = None) -> list[str]:
    """The seed's body words, its blanks filled from ``fills``.

    ``fills`` maps keys of ``FILL_KEYS`` to the text that fills that blank; a key that
    is absent leaves the blank as in the seed (filler, which is dropped, or Milton
    Keynes' wording in se-2018); a value of None or "" fills the blank with nothing,
    as a template's "…………" placeholder reads. Footnote text is not part of the body.
    """
    body, _ = _body_and_notes(mou_id)
    return _words(_fill(mou_id, body, fills or {}))


def footnote_words(mou_id: str) -> list[str]:
    """The words of the seed's footnotes, in order (empty for a seed without any)."""
    _, notes = _body_and_notes(mou_id)
    return [w for note in notes for w in _words(note)]


def text_words(
    text: str, *, footnote_marks: Iterable[str] = (), rejoin_hyphens: bool = False
) -> list[str]:
    """The words of text extracted from a rendered document, normalised like a seed.

    pandoc's footnote marks (``area[1].``) are removed. Tools that print a footnote
    mark as a plain character glued to the word (pdftotext: ``area1.``) need the marks
    passed as ``footnote_marks`` (e.g. ``("1",)``); each is then removed where it
    follows a letter and is not followed by a letter or digit.

    ``rejoin_hyphens`` is for text wrapped into lines (``pdftotext -raw``; plain
    ``pdftotext`` drops the hyphen of "self-improvement" when it ends a line, which
    cannot be undone): a word ending in "-" at the end of a line is joined to the
    first word of the next line. pandoc with ``--wrap=none`` and python-docx need
    neither option.
    """
    text = _PANDOC_NOTE_MARK.sub("", text)
    for mark in footnote_marks:
        glued = rf"(?<=[^\W\d_]){re.escape(mark)}"
        text = re.sub(rf"{glued}[ \t]*\n\s*(?=[.,;:!?)])", "", text)  # "area1\n. Such"
        # a raised mark drawn as its own line: "area\n1\n. Such"
        text = re.sub(rf"(?<=[^\W\d_])[ \t]*\n{re.escape(mark)}[ \t]*\n(?=[.,;:!?)])", "", text)
        text = re.sub(rf"{glued}(?!\w)", "", text)
    if rejoin_hyphens:
        text = re.sub(r"(?<=\w[-/])[ \t]*\n\s*(?=\w)", "", text)
    return _words(text)


def strip_footnote_words(
    words: list[str], mou_id: str, *, marks: Iterable[str] = ("1",)
) -> list[str]:
    """``words`` without the seed's footnote text where it appears as one run.

    For text from a PDF, where each footnote is printed at the foot of its page, in
    the middle of the body: the run of ``footnote_words`` (with a mark token such as
    "1" just before it, if present) is removed once.
    """
    note = footnote_words(mou_id)
    if not note:
        return list(words)
    for i in range(len(words) - len(note) + 1):
        if words[i : i + len(note)] == note:
            start = i - 1 if i and words[i - 1] in set(marks) else i
            return words[:start] + words[i + len(note) :]
    return list(words)


def split_pandoc_notes(plain: str) -> tuple[str, str]:
    """Split ``pandoc -t plain`` output into the body and the footnotes it prints last.

    pandoc prints the notes after the body, each starting a line with ``[N]``; the
    body keeps its inline ``[N]`` marks (which ``text_words`` drops).
    """
    m = re.search(r"^\[1\] ", plain, re.MULTILINE)
    if not m:
        return plain, ""
    return plain[: m.start()], plain[m.start() :]

"""Fitting a stamp's lines into its signature field: the largest size from 10 pt down to
8 pt at which every line, wrapped where it may break, fits the box.

pyHanko draws the text it is given line by line and only ever scales the whole block
down to fit, so a narrow field (three roles side by side) used to print the stamp at
5 pt. Wrapping first keeps the name readable when printed at 100%.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The sizes tried, largest first; pyHanko writes a font size as a whole number.
SIZES = (10, 9, 8)
#: The space between the field's edge and the text, in points.
PADDING = 3.0
#: Where a line may break: after a space or a hyphen.
_BREAK = re.compile(r"(?<=[ \-‐])")

Measure = Callable[[str, int], float]


@dataclass(frozen=True)
class Fitted:
    """Lines wrapped for a box, the size they are set in and the distance between them."""

    size: int
    leading: int
    lines: tuple[str, ...]


def fit(lines: Sequence[str], box: tuple[float, float], width_of: Measure) -> Fitted:
    """``lines`` wrapped to ``box`` (width, height in points) at the largest size that
    fits; ``width_of(text, size)`` is the width the stamp's font gives ``text``.

    If even 8 pt does not fit, the 8 pt lines are returned and pyHanko scales them down.
    """
    width, height = box[0] - 2 * PADDING, box[1] - 2 * PADDING
    fitted = Fitted(SIZES[0], 0, ())
    for size in SIZES:
        wrapped = [part for line in lines for part in wrap(line, width, size, width_of)]
        fitted = Fitted(size, size + 1, tuple(wrapped))
        if len(wrapped) * fitted.leading <= height:
            break
    return fitted


def wrap(line: str, width: float, size: int, width_of: Measure) -> list[str]:
    """``line`` broken after spaces and hyphens into lines no wider than ``width``; a
    piece wider than a whole line is broken between letters."""
    out: list[str] = []
    current = ""
    for piece in _BREAK.split(line):
        if current and width_of((current + piece).rstrip(), size) > width:
            out.append(current.rstrip())
            current = ""
        while len(piece) > 1 and width_of(piece.rstrip(), size) > width:
            cut = max(1, _longest_prefix(piece, width, size, width_of))
            out.append(piece[:cut])
            piece = piece[cut:]
        current += piece
    if current.strip() or not out:
        out.append(current.rstrip())
    return out


def _longest_prefix(text: str, width: float, size: int, width_of: Measure) -> int:
    """How many of ``text``'s first characters fit ``width``."""
    count = 0
    while count < len(text) and width_of(text[: count + 1], size) <= width:
        count += 1
    return count

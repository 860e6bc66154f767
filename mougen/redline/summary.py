"""The summary of a redline: how many insertions, deletions, moves and format changes, and where.

Counts are of marks as a reader sees them: a run of inserted words in a paragraph is one
insertion, a whole inserted paragraph is one insertion, a moved paragraph is one move
(plus any words inserted or deleted inside it). A clause whose only change is its number
(because clauses were inserted before it) is counted as renumbered, not as changed.
Paragraphs without words (spacing) are not counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from mougen.redline.diff import ParagraphDiff, Redline
from mougen.redline.tokens import clause_number, words

Change = Literal["inserted", "deleted", "changed", "moved", "reformatted"]
_FIRST_WORDS = 6
#: Changes that, clause after clause, are listed as one run.
_GROUPED = ("inserted", "deleted")


@dataclass(frozen=True)
class ClauseChange:
    """A changed clause (its number, or first words) and what happened to it.

    A run of clauses inserted or deleted together is one entry: ``clause`` is the
    first, ``through`` the last and ``paragraphs`` how many there are.
    """

    clause: str
    change: Change
    through: str | None = None
    paragraphs: int = 1

    def __str__(self) -> str:
        if self.through is None:
            return f"{self.clause} ({self.change})"
        return f"{self.clause} to {self.through} ({self.change}, {self.paragraphs} paragraphs)"


@dataclass(frozen=True)
class Summary:
    """The counts of a redline and the clauses it changed, in reading order."""

    old: str
    new: str
    insertions: int
    deletions: int
    moves: int
    format_changes: int
    renumbered: int
    clauses: tuple[ClauseChange, ...]

    def as_json(self) -> dict:
        """The summary as plain JSON data."""
        return asdict(self) | {"clauses": [asdict(c) for c in self.clauses]}

    @property
    def count_lines(self) -> tuple[str, ...]:
        """The counts, one per line, as the terminal and the PDF print them."""
        return (
            f"Insertions: {self.insertions}",
            f"Deletions: {self.deletions}",
            f"Moves: {self.moves}",
            f"Formatting changes: {self.format_changes}",
            f"Clauses renumbered only: {self.renumbered}",
        )

    @property
    def clause_lines(self) -> tuple[str, ...]:
        """Each changed clause as "2.1. (changed)"."""
        return tuple(str(c) for c in self.clauses)

    @property
    def clauses_heading(self) -> str:
        """The line that introduces the list of changed clauses."""
        return f"Clauses changed: {sum(c.paragraphs for c in self.clauses)}"

    def text(self) -> str:
        """The summary as terminal text."""
        lines = [f"Changes from {self.old} to {self.new}", *self.count_lines]
        lines.append(self.clauses_heading)
        lines.extend(f"  - {line}" for line in self.clause_lines)
        return "\n".join(lines)


def summarize(redline: Redline, *, old: str, new: str) -> Summary:
    """Count the changes of ``redline``; ``old``/``new`` name the two versions compared."""
    tally = _Tally()
    for diff in redline.paragraphs:
        if words(diff.paragraph):
            tally.add(diff)
    return Summary(
        old,
        new,
        tally.insertions,
        tally.deletions,
        tally.moves,
        tally.format_changes,
        tally.renumbered,
        tuple(tally.clauses),
    )


class _Tally:
    """The running counts while walking a redline's paragraphs."""

    def __init__(self) -> None:
        self.insertions = self.deletions = self.moves = self.format_changes = self.renumbered = 0
        self.clauses: list[ClauseChange] = []
        self.walked = 0
        self.last_noted = -1  # the walk count at the latest listed clause

    def add(self, diff: ParagraphDiff) -> None:
        self.walked += 1
        ops = [e.op for e in diff.edits]
        self.format_changes += int(diff.restyled and diff.kind != "moved-from")
        if diff.kind == "inserted":
            self.insertions += 1
            self.note(diff, "inserted")
        elif diff.kind == "deleted":
            self.deletions += 1
            self.note(diff, "deleted")
        elif diff.kind == "moved-from":
            self.moves += 1
            self.deletions += ops.count("delete")
        elif diff.kind == "moved-to":
            self.insertions += ops.count("insert")
            self.format_changes += ops.count("format")
            self.note(diff, "moved")
        elif diff.renumbered:
            self.renumbered += 1
        elif diff.kind == "changed":
            self.insertions += ops.count("insert")
            self.deletions += ops.count("delete")
            self.format_changes += ops.count("format")
            text_changed = "insert" in ops or "delete" in ops
            self.note(diff, "changed" if text_changed else "reformatted")

    def note(self, diff: ParagraphDiff, change: Change) -> None:
        last = self.clauses[-1] if self.clauses else None
        follows = self.last_noted == self.walked - 1
        if last is not None and follows and last.change == change and change in _GROUPED:
            grown = ClauseChange(last.clause, change, _name(diff), last.paragraphs + 1)
            self.clauses[-1] = grown
        else:
            self.clauses.append(ClauseChange(_name(diff), change))
        self.last_noted = self.walked


def _name(diff: ParagraphDiff) -> str:
    """A clause as a reader finds it: its number, or its first words."""
    paragraph = diff.paragraph
    number = clause_number(paragraph)
    if number:
        return number
    first = words(paragraph)
    return " ".join(first[:_FIRST_WORDS]) + ("…" if len(first) > _FIRST_WORDS else "")

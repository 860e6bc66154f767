"""The years an MoU version names: moving a title on a year, and finding another version's years.

A year is written alone ("2018") or as a span ("2019-20", "2017/2019"); a span moves
as a whole, so the version after "2019-20" that starts in 2021 is "2021-22".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mougen.config.catalog import Catalog, MouEntry

_YEAR = re.compile(r"(?<![\d-])((?:19|20)\d\d)(?:([-–/])(\d\d(?:\d\d)?))?(?![\d-])")


#: A year that is part of a statute's name ("Data Protection Act 2018", "the Children and
#: Social Work Act 2017", "Regulations 2015"): it names the law, not the version's period.
_STATUTE_YEAR = re.compile(
    r"\b(?:Acts?|Regulations|Order|Rules|Measure)(?:\s+\([^)]*\))?\s+(?:19|20)\d\d\b"
)


def shift_years(text: str, years: int) -> str:
    """``text`` with every year and span of years moved on by ``years``."""

    def moved(match: re.Match) -> str:
        start = int(match.group(1)) + years
        if match.group(3) is None:
            return str(start)
        end = int(match.group(3)) + years
        end_text = f"{end % 100:02d}" if len(match.group(3)) == 2 else str(end)
        return f"{start}{match.group(2)}{end_text}"

    return _YEAR.sub(moved, text)


def years_named(text: str) -> set[int]:
    """Every year ``text`` names, spans counted year by year."""
    found: set[int] = set()
    for match in _YEAR.finditer(text):
        start = int(match.group(1))
        end = match.group(3)
        last = (
            start if end is None else int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        )
        found.update(range(start, max(start, last) + 1))
    return found


def own_years(entry: MouEntry) -> set[int]:
    """The years a version runs over: from its commencement to its review."""
    first = entry.mou.commences.year
    last = entry.mou.review_after.year if entry.mou.review_after else first
    return set(range(first, last + 1))


def foreign_year_problems(catalog: Catalog, entry: MouEntry, texts: Iterable[str]) -> list[str]:
    """One line per text of ``entry`` that names another version's commencement year.

    ``texts`` are what the version prints (its title, its rendered paragraphs). A year
    that another version of the same region starts in, outside this version's own
    years, is almost always a title or clause copied from that version and not updated.
    A year in a statute's name ("Data Protection Act 2018") is not one.
    """
    others = {
        other.mou.commences.year: other.mou.id
        for other in catalog.entries.values()
        if other.region.name == entry.region.name and other.mou.id != entry.mou.id
    }
    foreign = {y: m for y, m in others.items() if y not in own_years(entry)}
    problems = []
    for text in dict.fromkeys(texts):
        for year in sorted(years_named(_STATUTE_YEAR.sub("", text)) & set(foreign)):
            problems.append(
                f"{entry.source}: mous: {entry.mou.id}: names {year}, a year of "
                f"{foreign[year]}, in {text[:70]!r}"
            )
    return problems

"""The annual review: opening the next version of an MoU and finding its predecessor.

Opening a version copies the template and adds the version to the region file. The
region file is the coordinator's own, comments and layout included, so it is edited in
place: ruamel.yaml (round-trip mode) builds the new entry next to the old one, and only
the new entry's lines are spliced into the file; every other byte stays as it was.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from mougen.atomic import write_bytes
from mougen.config import load_catalog
from mougen.config.catalog import Catalog, MouEntry
from mougen.config.models import SLUG, YearMonth
from mougen.config.years import shift_years
from mougen.errors import MougenError, UnknownItem
from mougen.tracker import Tracker
from mougen.tracker.versions import catalog_versions
from mougen.workspace import Workspace


@dataclass(frozen=True)
class NextVersion:
    """What ``start_review`` made: the new version's id, template and region file."""

    mou_id: str
    template: Path
    region_file: Path


def start_review(
    ws: Workspace,
    mou_id: str,
    new_id: str,
    commences: str,
    review_after: str,
    title: str | None = None,
) -> NextVersion:
    """Open ``new_id`` as the successor of ``mou_id``: template copy, config entry, tracker.

    The new version is called ``title``, by default the old title with its years moved
    on to the new commencement. A version has at most one successor.
    """
    entry = ws.catalog.mou(mou_id)
    start, review = _month("--commences", commences), _month("--review-after", review_after)
    if review <= start:
        raise MougenError(f"--review-after {review} must be later than --commences {start}")
    _check_new_id(ws, new_id)
    successor = ws.catalog.successor(mou_id)
    if successor is not None:
        raise MougenError(f"{mou_id} already has a successor, {successor}", entry.source)
    if title is not None and not title.strip():
        raise MougenError("--title: must not be empty")
    title = title or shift_years(entry.mou.title, start.year - entry.mou.commences.year)
    template = ws.templates_dir / f"{new_id}.docx"
    if template.exists():
        raise MougenError("already exists; choose another id or remove it", template)
    original = entry.source.read_bytes()
    write_bytes(
        entry.source,
        _with_successor(original.decode("utf-8"), entry, new_id, title, start, review),
    )
    try:
        write_bytes(template, _read(ws.template_path(mou_id)))
        catalog = load_catalog(ws.regions_dir)
    except MougenError:
        write_bytes(entry.source, original)
        template.unlink(missing_ok=True)
        raise
    _record_in_tracker(ws, catalog)
    return NextVersion(new_id, template, entry.source)


def predecessor(ws: Workspace, mou_id: str) -> str:
    """The id of the version ``mou_id`` supersedes; an error if it supersedes none."""
    entry = ws.catalog.mou(mou_id)
    if entry.mou.supersedes is None:
        raise UnknownItem(f"{mou_id} does not supersede another version", entry.source)
    return entry.mou.supersedes


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MougenError(f"cannot read: {exc.strerror}", path) from None


def _month(option: str, value: str) -> YearMonth:
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise MougenError(f"{option}: expected YYYY-MM, got {value!r}")
    try:
        return YearMonth.parse(value)
    except ValueError:
        raise MougenError(f"{option}: {value!r} is not a month (expected YYYY-MM)") from None


def _check_new_id(ws: Workspace, new_id: str) -> None:
    if not re.fullmatch(SLUG, new_id):
        raise MougenError(f"--id {new_id!r}: use lower-case words joined by hyphens")
    if new_id in ws.catalog.entries:
        where = ws.catalog.entries[new_id].source
        raise MougenError(f"MoU {new_id!r} already exists", where)


def _with_successor(
    text: str, entry: MouEntry, new_id: str, title: str, start: YearMonth, review: YearMonth
) -> bytes:
    """The region file's text with an entry for ``new_id`` added at the end of ``mous``."""
    yaml = YAML()
    yaml.width = 100
    data = yaml.load(text)
    mous = data["mous"]
    old = next(m for m in mous if m["id"] == entry.mou.id)
    mous.append(_entry(old, entry, new_id, title, start, review))
    indent = _item_indent(text, mous.lc.line)
    yaml.indent(mapping=2, sequence=indent + 2, offset=indent)
    dumped = io.StringIO()
    yaml.dump(data, dumped)
    lines = text.splitlines(keepends=True)
    at = _end_of_block(lines, data, "mous")
    added = _block_of(dumped.getvalue().splitlines(keepends=True), new_id)
    return "".join([*lines[:at], *added, *lines[at:]]).encode("utf-8")


def _entry(
    old: CommentedMap, entry: MouEntry, new_id: str, title: str, start: YearMonth, review: YearMonth
) -> CommentedMap:
    """The new version's entry: its title, the old one's parties, the new dates and template."""
    parties = old["parties"]
    if parties.anchor.value is None:
        # An unanchored list is copied, one party a line for easy editing; an anchored
        # one is written as an alias to it.
        parties = CommentedSeq(parties)
    return CommentedMap(
        id=new_id,
        title=DoubleQuotedScalarString(title),
        template=f"{new_id}.docx",
        commences=str(start),
        review_after=str(review),
        supersedes=entry.mou.id,
        parties=parties,
    )


def _item_indent(text: str, seq_line: int) -> int:
    """How far the region file indents the ``- `` of its ``mous`` items."""
    for line in text.splitlines()[seq_line:]:
        if line.lstrip().startswith("- "):
            return len(line) - len(line.lstrip())
    return 2


def _end_of_block(lines: list[str], data: CommentedMap, key: str) -> int:
    """The line index just after the last item of top-level ``key`` (before blank lines)."""
    keys = list(data)
    after = keys[keys.index(key) + 1] if keys.index(key) + 1 < len(keys) else None
    end = data.lc.key(after)[0] if after is not None else len(lines)
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _block_of(dumped: list[str], new_id: str) -> list[str]:
    """The lines of the new entry in a dump of the whole file."""
    first = next(i for i, line in enumerate(dumped) if re.match(rf"\s*- id: {new_id}\s*$", line))
    indent = len(dumped[first]) - len(dumped[first].lstrip())
    out = [dumped[first]]
    for line in dumped[first + 1 :]:
        if not line.strip() or len(line) - len(line.lstrip()) <= indent:
            break
        out.append(line)
    return out


def _record_in_tracker(ws: Workspace, catalog: Catalog) -> None:
    """Tell the tracker about the new version, so status and reviews see the new round."""
    with Tracker.open(ws.db_url) as tracker:
        tracker.sync_versions(catalog_versions(catalog, ws.templates_dir))

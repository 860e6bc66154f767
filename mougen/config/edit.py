"""Changing one authority in a coordinator's region file, leaving the rest as they wrote it.

ruamel.yaml reads the file round-trip (comments, anchors, quotes and flow style kept), but
dumping the whole file would still rewrap long flow sequences and mappings. So only the
changed authority's lines are written anew, in block style; every other line stays byte for
byte as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from mougen.errors import ConfigError


def edit_authority(path: Path, slug: str, change: Callable[[CommentedMap], None]) -> None:
    """Apply ``change`` to the authority ``slug`` of the region file ``path`` and rewrite
    only that authority's entry."""
    yaml = YAML()
    text = path.read_text(encoding="utf-8")
    authorities = yaml.load(text).get("authorities")
    if not isinstance(authorities, CommentedSeq):
        raise ConfigError("authorities: not a list", path)
    index = next((i for i, a in enumerate(authorities) if a.get("slug") == slug), None)
    if index is None:
        raise ConfigError(f"authorities: no authority {slug!r}", path)
    entry = authorities[index]
    change(entry)
    entry.fa.set_block_style()
    lines = text.splitlines(keepends=True)
    first, column = authorities.lc.item(index)
    last = _end_of_item(authorities, index, lines)
    lines[first:last] = _as_item(yaml, entry, column)
    path.write_text("".join(lines), encoding="utf-8")


def _end_of_item(items: CommentedSeq, index: int, lines: list[str]) -> int:
    """The line after the ``index``-th item of ``items``: where the next item or the next
    less indented line starts."""
    if index + 1 < len(items):
        return items.lc.item(index + 1)[0]
    start, column = items.lc.item(index)
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.strip() and len(line) - len(line.lstrip()) < column:
            return number
    return len(lines)


def _as_item(yaml: YAML, entry: CommentedMap, column: int) -> list[str]:
    """``entry`` dumped as a block sequence item whose mapping starts at ``column``."""
    out = StringIO()
    yaml.dump(entry, out)
    body = out.getvalue().splitlines(keepends=True)
    dash = " " * (column - 2) + "- "
    return [dash + body[0], *(" " * column + line if line.strip() else line for line in body[1:])]

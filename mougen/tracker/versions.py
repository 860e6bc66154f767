"""The MoU versions of a workspace's catalog, as the tracker records them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mougen.digest import file_sha256
from mougen.tracker.records import VersionRecord

if TYPE_CHECKING:  # the tracker reads a catalog's versions, not the config that made it
    from mougen.config import Catalog


def catalog_versions(catalog: Catalog, templates_dir: Path) -> list[VersionRecord]:
    """Each version of ``catalog``, by id, with the SHA-256 of its template in
    ``templates_dir`` (None for a template that is not there)."""
    return [
        VersionRecord(
            id=mou_id,
            region=entry.region.id,
            title=entry.mou.title,
            template_sha256=_template_sha256(templates_dir / entry.mou.template),
            commences=str(entry.mou.commences),
            review_after=str(entry.mou.review_after) if entry.mou.review_after else None,
            successor=catalog.successor(mou_id),
        )
        for mou_id, entry in sorted(catalog.entries.items())
    ]


def _template_sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except FileNotFoundError:
        return None

"""The trust roots a workspace brings: every region's programme CA and configured roots."""

from __future__ import annotations

from pathlib import Path

from mougen.pki import region_trust_roots
from mougen.workspace import Workspace


def workspace_trust_roots(ws: Workspace) -> list[Path]:
    """The trust-root files of every region of ``ws`` (none outside a workspace)."""
    if not ws.regions_dir.is_dir():
        return []
    region_ids = sorted({f.region.id for f in ws.catalog.files.values()})
    return [path for rid in region_ids for path in region_trust_roots(ws, rid)]

"""The trust roots of a region: its programme CA, and the roots its config names."""

from __future__ import annotations

from pathlib import Path

from mougen.pki.ca import ca_cert_path
from mougen.pki.lookup import region_file
from mougen.workspace import Workspace


def region_trust_roots(ws: Workspace, region_id: str) -> list[Path]:
    """The region's CA certificate if it has one, then ``region.trust_roots`` from config.

    Config paths are relative to the workspace folder.
    """
    roots = [ca_cert_path(ws, region_id)] if ca_cert_path(ws, region_id).is_file() else []
    roots += [ws.root / p for p in region_file(ws, region_id).region.trust_roots]
    return roots

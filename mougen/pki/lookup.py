"""Finding a region, or an authority and its region, in a workspace's config."""

from __future__ import annotations

from asn1crypto import x509

from mougen.config.models import Authority, Region, RegionFile
from mougen.errors import MougenError, UnknownItem
from mougen.pki.binding import read_binding
from mougen.workspace import Workspace


def region_file(ws: Workspace, region_id: str) -> RegionFile:
    """The region file whose region has this id; ``UnknownItem`` lists the known ids."""
    files = {f.region.id: f for f in ws.catalog.files.values()}
    if region_id not in files:
        known = ", ".join(sorted(files)) or "none"
        raise UnknownItem(f"unknown region {region_id!r} (known: {known})")
    return files[region_id]


def authority(
    ws: Workspace, slug: str, region_id: str | None = None
) -> tuple[RegionFile, Authority]:
    """An authority by slug, with its region file; ``region_id`` picks one if several match."""
    files = [region_file(ws, region_id)] if region_id else list(ws.catalog.files.values())
    found = [(f, a) for f in files for a in f.authorities if a.slug == slug]
    if not found:
        raise UnknownItem(f"unknown authority {slug!r}")
    if len(found) > 1:
        regions = ", ".join(f.region.id for f, _ in found)
        raise MougenError(f"authority {slug!r} is in several regions ({regions}); give --region")
    return found[0]


def programme_region(ws: Workspace, cert: x509.Certificate) -> Region | None:
    """The workspace region whose programme certificate ``cert`` is, if it is one."""
    binding = read_binding(cert)
    if binding is None or not ws.regions_dir.is_dir():
        return None
    found = [f.region for f in ws.catalog.files.values() if f.region.id == binding.region]
    return found[0] if found else None

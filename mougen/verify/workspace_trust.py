"""The trust roots a workspace brings, and which region each belongs to.

Every region's programme CA and configured roots are trusted for validation, but a region's
roots vouch only for its own MoUs: :class:`RegionTrust` lets provenance refuse a signer whose
chain ends at another region's root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mougen.pki import region_trust_roots
from mougen.pki.ca import ca_cert_path
from mougen.verify.trust import load_trust_roots
from mougen.workspace import Workspace


def workspace_trust_roots(ws: Workspace) -> list[Path]:
    """The trust-root files of every region of ``ws`` (none outside a workspace)."""
    return [path for rid in _region_ids(ws) for path in region_trust_roots(ws, rid)]


@dataclass(frozen=True)
class RegionTrust:
    """The SHA-256 fingerprints of each region's programme CA and of all its trust roots."""

    ca: dict[str, str] = field(default_factory=dict)
    roots: dict[str, frozenset[str]] = field(default_factory=dict)

    def foreign_region(self, region: str, anchor: str | None) -> str | None:
        """The other region whose root ``anchor`` is, when it is not also ``region``'s own."""
        if anchor is None or anchor in self.roots.get(region, ()):
            return None
        return next((r for r, roots in sorted(self.roots.items()) if anchor in roots), None)

    def is_programme_ca(self, region: str, anchor: str | None) -> bool:
        """Whether ``anchor`` is ``region``'s programme CA (the only issuer of its URNs)."""
        return anchor is not None and self.ca.get(region) == anchor


def region_trust(ws: Workspace) -> RegionTrust:
    """Which of the workspace's trust roots belong to which region."""
    ca, roots = {}, {}
    for rid in _region_ids(ws):
        roots[rid] = frozenset(
            c.sha256.hex() for c in load_trust_roots(region_trust_roots(ws, rid))
        )
        if ca_cert_path(ws, rid).is_file():
            ca[rid] = load_trust_roots([ca_cert_path(ws, rid)])[0].sha256.hex()
    return RegionTrust(ca, roots)


def _region_ids(ws: Workspace) -> list[str]:
    if not ws.regions_dir.is_dir():
        return []
    return sorted({f.region.id for f in ws.catalog.files.values()})

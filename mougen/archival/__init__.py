"""Keeping the archive verifiable: fresh document timestamps before the old ones expire."""

from mougen.archival.extend import Extension, extend_archive
from mougen.archival.horizon import protection_expires

__all__ = ["Extension", "extend_archive", "protection_expires"]

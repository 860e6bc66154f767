"""Sign-off packs: per authority, the documents, a cover sheet and a manifest."""

from mougen.pack.builder import PackResult, build_pack
from mougen.pack.pool import build_packs

__all__ = ["PackResult", "build_pack", "build_packs"]

"""Collecting returned PDFs: verify, match to the issued document, file, record."""

from mougen.collect.collector import Outcome, collect_bytes, collect_inbox, collection_trust

__all__ = ["Outcome", "collect_bytes", "collect_inbox", "collection_trust"]

"""Collecting returned PDFs: verify, match to the issued document, file, record."""

from mougen.collect.collector import Outcome, collect_inbox

__all__ = ["Outcome", "collect_inbox"]

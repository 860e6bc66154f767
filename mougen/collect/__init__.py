"""Collecting returned PDFs: verify, match to the issued document, file, record."""

from mougen.collect.checks import Rejection
from mougen.collect.collector import (
    Accepted,
    Outcome,
    accept,
    collect_bytes,
    collect_inbox,
    file_accepted,
)

__all__ = [
    "Accepted",
    "Outcome",
    "Rejection",
    "accept",
    "collect_bytes",
    "collect_inbox",
    "file_accepted",
]

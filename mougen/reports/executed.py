"""Whether one archived document carries every role's signature (is fully executed).

The tracker records each signature once, against the first archived file it was seen in.
Signing is by incremental update, so a later revision of a document begins with every
byte of the earlier one: a signature first filed in file A is also in file B when A's
bytes are a prefix of B's. That is checked by hash, against the archive itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mougen.digest import sha256_hex
from mougen.roles import ROLE_IDS

if TYPE_CHECKING:
    from mougen.tracker import SignatureRecord


def executed_in_one_document(valid: Iterable[SignatureRecord], root: Path | None) -> bool:
    """Whether some archived file holds a valid signature in every role.

    ``valid`` are one authority's valid signatures of one version; ``root`` is the
    workspace their ``archive_path`` is relative to (None: files are not read, and only
    signatures first filed in the same file count together).
    """
    records = list(valid)
    files = {r.file_sha256: r.archive_path for r in records}
    archive = _Archive(root)
    for file_sha256, path in files.items():
        roles = {
            r.role
            for r in records
            if r.file_sha256 == file_sha256
            or archive.begins_with(path, r.archive_path, r.file_sha256)
        }
        if roles >= set(ROLE_IDS):
            return True
    return False


class _Archive:
    """The archived files, each read at most once."""

    def __init__(self, root: Path | None):
        self._root = root
        self._read: dict[str, bytes | None] = {}

    def begins_with(self, path: str, earlier_path: str, earlier_sha256: str) -> bool:
        """Whether the file at ``path`` starts with the whole of the earlier file."""
        data, earlier = self._bytes(path), self._bytes(earlier_path)
        if data is None or earlier is None or len(earlier) >= len(data):
            return False
        return sha256_hex(earlier) == earlier_sha256 and data.startswith(earlier)

    def _bytes(self, path: str) -> bytes | None:
        if self._root is None:
            return None
        if path not in self._read:
            try:
                self._read[path] = (self._root / path).read_bytes()
            except OSError:
                self._read[path] = None  # not in this workspace's archive: cannot count it
        return self._read[path]

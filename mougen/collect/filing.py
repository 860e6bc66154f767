"""Filing a signed PDF in the append-only archive ``signed/<mou>/<authority>/<sha256>.pdf``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from mougen import atomic
from mougen.errors import OutputError
from mougen.workspace import Workspace


def archive_path(ws: Workspace, mou: str, authority: str, data: bytes) -> Path:
    """Where a signed file with these bytes belongs in the archive."""
    return ws.signed_dir / mou / authority / f"{hashlib.sha256(data).hexdigest()}.pdf"


def file_signed(ws: Workspace, mou: str, authority: str, data: bytes) -> Path:
    """Put ``data`` in the archive, durably, unless it is already there; returns its path.

    The file is written aside, synced, and then hard-linked into place: a link never
    replaces an existing file, so the archive is never overwritten, and two collectors
    filing the same file at once both end with the one copy.
    """
    target = archive_path(ws, mou, authority, data)
    if target.exists():
        return target
    folder = atomic.ensure_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, target)
        _sync_dir(folder)
    except OSError as exc:
        raise OutputError(f"cannot file in the archive: {exc.strerror}", target) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def _sync_dir(folder: Path) -> None:
    # The new directory entry must survive a crash before the inbox copy is removed.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Filing a signed PDF in the append-only archive ``signed/<mou>/<authority>/<sha256>.pdf``.

A file reaches the archive through a temporary ``.incoming.*.tmp`` beside its place,
held under an exclusive lock while it is written; a collector killed half-way leaves
one behind, unlocked, and the next run removes it (:func:`sweep_incoming`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

from mougen import atomic
from mougen.digest import sha256_hex
from mougen.errors import OutputError
from mougen.workspace import Workspace

INCOMING_PREFIX = ".incoming."


def archive_path(ws: Workspace, mou: str, authority: str, data: bytes) -> Path:
    """Where a signed file with these bytes belongs in the archive."""
    return ws.signed_dir / mou / authority / f"{sha256_hex(data)}.pdf"


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
    try:
        fd, tmp = _locked_incoming(folder)
    except OSError as exc:
        raise OutputError(f"cannot file in the archive: {exc.strerror}", target) from None
    # The lock is held until the temporary name is gone, so no sweep can take it first.
    try:
        os.fchmod(fd, 0o644)
        with open(fd, "wb", closefd=False) as f:
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
        os.close(fd)
    return target


def sweep_incoming(ws: Workspace) -> list[Path]:
    """Remove the temporary files that killed collectors left in the archive; returns them.

    A file another collector is still writing is locked, and is left alone.
    """
    swept = []
    for tmp in ws.signed_dir.glob(f"*/*/{INCOMING_PREFIX}*.tmp"):
        try:
            fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:  # gone already, or a link someone put there
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            tmp.unlink()
            swept.append(tmp)
        except OSError:  # locked: a live collector's file
            pass
        finally:
            os.close(fd)
    return swept


def _locked_incoming(folder: Path) -> tuple[int, str]:
    """A new temporary file in ``folder``, open and locked against :func:`sweep_incoming`."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=INCOMING_PREFIX, suffix=".tmp")
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink:  # not swept in the instant before the lock
            return fd, tmp
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    # The new directory entry must survive a crash before the inbox copy is removed.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The inbox side of collect: which files to take, reading each once, the notes left beside
the ones refused, and removing a file only when it is exactly what was filed.

Links are never followed: an inbox entry that is a symbolic link is refused with a note,
so collect cannot be made to read, file or delete anything outside the inbox.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from mougen import atomic
from mougen.collect.checks import Rejection
from mougen.digest import sha256_hex
from mougen.errors import MougenError, OutputError
from mougen.printable import printable
from mougen.verify.limits import MAX_FILE_BYTES

REJECTED_SUFFIX = ".rejected.txt"
#: The longest file name (in bytes) that common file systems (ext4, XFS, tmpfs) allow.
NAME_MAX = 255
_TOO_LARGE = f"larger than {MAX_FILE_BYTES // 2**20} MB, far more than any signed MoU"
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a FIFO must not block the run


@dataclass(frozen=True)
class InboxFile:
    """One inbox file as it was read: its bytes and which file on disk they came from."""

    path: Path
    data: bytes
    identity: tuple[int, int]  # (device, inode)


def pdf_entries(inbox: Path) -> list[Path]:
    """The inbox entries named ``*.pdf`` (any case), links and all, in name order."""
    try:
        with os.scandir(inbox) as entries:
            return sorted(Path(e.path) for e in entries if e.name.lower().endswith(".pdf"))
    except OSError as exc:
        raise MougenError(f"cannot list the inbox ({exc.strerror})", inbox) from None


def read_once(path: Path) -> InboxFile | None:
    """The file's bytes, read once; None if it is gone (another collector took it).

    Raises :class:`Rejection` for a link, anything but a regular file, or an empty one.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if path.is_symlink():
            raise Rejection(
                "a symbolic link: collect does not follow links; put the file itself in the inbox"
            ) from None
        raise Rejection(f"cannot read ({exc.strerror})") from None
    try:
        identity, data = _read_regular(fd)
    except OSError as exc:
        raise Rejection(f"cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if not data:
        raise Rejection("empty file, not a PDF")
    return InboxFile(path, data, identity)


def remove_if_unchanged(file: InboxFile) -> bool:
    """Remove the inbox file if it still holds exactly the bytes read; True if it is gone.

    A file that grew or was replaced since (still being written, say) stays for the next run.
    """
    try:
        fd = os.open(file.path, _OPEN_FLAGS)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        same = _read_regular(fd, limit=len(file.data) + 1) == (file.identity, file.data)
    except (OSError, Rejection):
        return False
    finally:
        os.close(fd)
    if same:
        file.path.unlink(missing_ok=True)
    return same


def _read_regular(fd: int, limit: int = -1) -> tuple[tuple[int, int], bytes]:
    """The (device, inode) and contents (up to ``limit`` bytes) of the regular file ``fd``."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise Rejection("not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise Rejection(_TOO_LARGE)
    with open(fd, "rb", closefd=False) as f:
        # (read no more than the limit allows, even from a file still growing)
        data = f.read(MAX_FILE_BYTES + 1 if limit < 0 else limit)
    if len(data) > MAX_FILE_BYTES:
        raise Rejection(_TOO_LARGE)
    return (info.st_dev, info.st_ino), data


def note_path(path: Path) -> Path:
    """Where the reason for refusing ``path`` is written: ``NAME.rejected.txt``.

    A name too long for that gets a shortened one, kept unique by a hash of the full name.
    """
    name = path.name
    if len(os.fsencode(name + REJECTED_SUFFIX)) <= NAME_MAX:
        return path.with_name(name + REJECTED_SUFFIX)
    tag = "~" + sha256_hex(os.fsencode(name))[:16] + REJECTED_SUFFIX
    while len(os.fsencode(name + tag)) > NAME_MAX:
        name = name[:-1]
    return path.with_name(name + tag)


def write_note(path: Path, reason: str) -> str | None:
    """Leave the reason beside the refused file; the problem, if the note cannot be written."""
    text = f"{printable(path.name)}: {printable(reason)}\n"
    try:
        atomic.write_bytes(note_path(path), text.encode("utf-8"))
    except OutputError as exc:
        return exc.detail
    return None


def clear_note(path: Path) -> None:
    """Remove a note left by an earlier run, now that the file has been taken."""
    with contextlib.suppress(OSError):  # a note we cannot remove is stale, not harmful
        note_path(path).unlink(missing_ok=True)

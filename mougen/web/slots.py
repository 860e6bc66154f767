"""A bounded pool of verification slots shared by every worker of the service.

Each slot is a file locked with ``flock``: whoever holds the lock may run one verification.
The kernel drops a lock when its holder dies, so a crashed worker never keeps a slot. With
``slots`` shared slots, ``reserved`` more that only signatories' and coordinators' uploads may
take (so a flood of public checks cannot starve them), and each verification held to
``verify_memory_mb``, verification never needs more than ``(slots + reserved) *
verify_memory_mb`` of memory at once.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How often a waiting request looks for a free slot.
_POLL_SECONDS = 0.05


class Busy(Exception):
    """Every slot stayed taken for as long as the request could wait."""


@contextmanager
def verification_slot(
    folder: Path, slots: int, wait_seconds: float, reserved: int = 0
) -> Iterator[None]:
    """Hold one of ``slots`` shared slots in ``folder`` while the block runs (or first one of
    ``reserved`` slots kept for uploads on a link or by a coordinator), waiting up to
    ``wait_seconds`` for one to come free; :class:`Busy` if none does."""
    names = [f"reserved-{n}" for n in range(reserved)] + [f"slot-{n}" for n in range(slots)]
    folder.mkdir(mode=0o700, exist_ok=True)
    # Elapsed time for the wait, not the date: no clock read in issue 16's sense.
    deadline = time.monotonic() + wait_seconds
    while True:
        fd = _take_any(folder, names)
        if fd is not None:
            break
        if time.monotonic() >= deadline:
            raise Busy
        time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        os.close(fd)  # closing the file releases its lock


def _take_any(folder: Path, names: list[str]) -> int | None:
    for name in names:
        fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None

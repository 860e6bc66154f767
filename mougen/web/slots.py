"""A bounded pool of verification slots shared by every worker of the service.

Each slot is a file locked with ``flock``: whoever holds the lock may run one verification.
The kernel drops a lock when its holder dies, so a crashed worker never keeps a slot. With
``slots`` slots and each verification held to ``verify_memory_mb``, verification of public
uploads never needs more than ``slots * verify_memory_mb`` of memory at once.
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
def verification_slot(folder: Path, slots: int, wait_seconds: float) -> Iterator[None]:
    """Hold one of ``slots`` slots in ``folder`` while the block runs, waiting up to
    ``wait_seconds`` for one to come free; :class:`Busy` if none does."""
    folder.mkdir(mode=0o700, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        fd = _take_any(folder, slots)
        if fd is not None:
            break
        if time.monotonic() >= deadline:
            raise Busy
        time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        os.close(fd)  # closing the file releases its lock


def _take_any(folder: Path, slots: int) -> int | None:
    for n in range(slots):
        fd = os.open(folder / f"slot-{n}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None

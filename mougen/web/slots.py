"""A bounded pool of verification slots shared by every worker of the service.

Each slot is a file locked with ``flock``: whoever holds the lock may run one verification.
The kernel drops a lock when its holder dies, so a crashed worker never keeps a slot. With
``slots`` shared slots, ``reserved`` more that only signatories' and coordinators' uploads may
take (so a flood of public checks cannot starve them), and each verification held to
``verify_memory_mb``, verification never needs more than ``(slots + reserved) *
verify_memory_mb`` of memory at once.

The threads of one worker waiting for the same slots queue in the order they came, and only
the first of them looks for a free slot: when each looked on its own, a request that had
waited longest could keep losing the slot to newer ones until its wait ran out. It looks
again as soon as a thread of its worker frees a slot, and every ``_POLL_SECONDS`` for those
other workers free.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How often the first waiting request looks for a slot another worker may have freed.
_POLL_SECONDS = 0.02
#: Every queue of this process waits on it; a slot freed here wakes them.
_CHANGED = threading.Condition()


class Busy(Exception):
    """Every slot stayed taken for as long as the request could wait."""


class _Queue:
    """The threads of this process waiting for one set of slots, first come first served."""

    def __init__(self) -> None:
        self._waiting: deque[object] = deque()

    @contextmanager
    def place(self) -> Iterator[object]:
        """A place in the queue, given up on leaving (with a slot, or out of time)."""
        me = object()
        with _CHANGED:
            self._waiting.append(me)
        try:
            yield me
        finally:
            with _CHANGED:
                self._waiting.remove(me)
                _CHANGED.notify_all()

    def first(self, me: object, deadline: float) -> bool:
        """Wait until ``me`` is first in the queue (False if ``deadline`` comes first)."""
        with _CHANGED:
            while self._waiting[0] is not me:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                _CHANGED.wait(left)
            return True


_QUEUES: dict[tuple[Path, tuple[str, ...]], _Queue] = {}
#: Slots freed by this process so far: a first waiter that saw none freed since it last
#: looked sleeps until one is, or for ``_POLL_SECONDS``.
_freed = 0


def _queue(folder: Path, names: list[str]) -> _Queue:
    with _CHANGED:
        return _QUEUES.setdefault((folder, tuple(names)), _Queue())


def _free(fd: int) -> None:
    """Close a slot's file (which releases its lock) and wake this process's waiters."""
    global _freed
    os.close(fd)
    with _CHANGED:
        _freed += 1
        _CHANGED.notify_all()


def _pause(seen: int) -> None:
    """Sleep until this process frees a slot after ``seen`` were, or ``_POLL_SECONDS``."""
    with _CHANGED:
        if _freed == seen:
            _CHANGED.wait(_POLL_SECONDS)


@contextmanager
def verification_slot(
    folder: Path, slots: int, wait_seconds: float, reserved: int = 0
) -> Iterator[None]:
    """Hold one of ``slots`` shared slots in ``folder`` while the block runs (or first one of
    ``reserved`` slots kept for uploads on a link or by a coordinator), waiting up to
    ``wait_seconds`` for one to come free, after those of this worker that came first;
    :class:`Busy` if none does."""
    names = [f"reserved-{n}" for n in range(reserved)] + [f"slot-{n}" for n in range(slots)]
    folder.mkdir(mode=0o700, exist_ok=True)
    # Elapsed time for the wait, not the date: no clock read in issue 16's sense.
    deadline = time.monotonic() + wait_seconds
    queue = _queue(folder, names)
    with queue.place() as me:
        fd = _take_when_first(queue, me, folder, names, deadline)
    try:
        yield
    finally:
        _free(fd)


def _take_when_first(
    queue: _Queue, me: object, folder: Path, names: list[str], deadline: float
) -> int:
    """A locked slot, looked for once ``me`` is first in the queue; :class:`Busy` at the
    deadline."""
    while queue.first(me, deadline):
        seen = _freed
        fd = _take_any(folder, names)
        if fd is not None:
            return fd
        if time.monotonic() >= deadline:
            break
        _pause(seen)
    raise Busy


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

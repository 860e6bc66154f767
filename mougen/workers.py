"""Worker processes for a command's many independent jobs: packs to build, files to check."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.context import BaseContext
from typing import TypeVar

T = TypeVar("T")


def usable_cpus() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_context() -> BaseContext | None:
    """Python's ``fork`` start method, or None where forking this process is unsafe.

    A forked worker starts at once with everything this process has loaded, but it gets
    only the thread that forked: a lock another thread held stays held in it for ever. So
    it is used only while this process runs a single thread. (Callers that started a
    library with native threads of its own, such as Typst, must check that too.)
    """
    if threading.active_count() != 1:
        return None
    return multiprocessing.get_context("fork")


#: What a forked worker's pool handed it as it started (its parent's workspace, say), which
#: it shares with its parent instead of reading or pickling it again.
_inherited: object = None


def inherit(value: object) -> None:
    """A pool's initializer: keep ``value`` for every job this worker runs."""
    global _inherited  # one per worker process, set as it starts
    _inherited = value


def inherited(kind: type[T]) -> T:
    """What this worker's pool handed it (see :func:`inherit`), which must be a ``kind``."""
    assert isinstance(_inherited, kind), f"a worker starts with its parent's {kind.__name__}"
    return _inherited

"""Worker processes for a command's many independent jobs: packs to build, files to check."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext
from multiprocessing.process import BaseProcess
from typing import Generic, Self, TypeVar, cast

T = TypeVar("T")


def usable_cpus() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_context() -> ForkContext | None:
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


J = TypeVar("J")
Y = TypeVar("Y")
S = TypeVar("S")
R = TypeVar("R")


class Beside(Generic[J, Y, S, R]):
    """Work done in a process forked beside this one, so that what it loads and waits for
    (the tracker's database layer, say) costs this process nothing while it works on.

    The process starts at once with ``prepare()``, loading what it will need before it is
    told anything. :meth:`start` gives it a job, and :meth:`first` waits for what
    ``converse(job)``, a generator that yields once and returns, yields; :meth:`last` sends
    it a value, and returns what it returns. An exception raised beside is raised from
    :meth:`first` or :meth:`last`, here.

    Where this process cannot fork safely (see :func:`fork_context`), each step runs here
    when it is asked for. Leaving the context ends the process: at once if it was never
    given a job (it has only loaded what it would have needed).
    """

    def __init__(self, prepare: Callable[[], object], converse: Callable[[J], Generator[Y, S, R]]):
        self._prepare = prepare
        self._converse = converse
        self._conversation: Generator[Y, S, R] | None = None
        self._connection: Connection | None = None
        self._process: BaseProcess | None = None
        self._job: tuple[J] | None = None
        context = fork_context()
        if context is None:
            return
        here, there = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(prepare, converse, there, here), daemon=True
        )
        self._process.start()
        there.close()
        self._connection = here

    def start(self, job: J) -> None:
        """Give it ``job`` (without waiting)."""
        self._job = (job,)
        if self._connection is not None:
            self._connection.send(job)

    def first(self) -> Y:
        """What the conversation about the job yields (waiting for it)."""
        assert self._job is not None, "start() gives the job"
        if self._connection is None:
            self._prepare()
            self._conversation = self._converse(*self._job)
            return next(self._conversation)
        return cast(Y, self._answer())

    def last(self, value: S) -> R:
        """What the conversation returns once sent ``value`` (waiting for it)."""
        if self._connection is None:
            assert self._conversation is not None, "first() comes first"
            return _returned(self._conversation, value)
        self._connection.send(value)
        return cast(R, self._answer())

    def _answer(self) -> object:
        assert self._connection is not None
        try:
            ok, value = self._connection.recv()
        except EOFError:
            raise RuntimeError("the process beside this one ended without answering") from None
        if not ok:
            raise value
        return value

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._process is None:
            if self._conversation is not None:
                self._conversation.close()
            return
        assert self._connection is not None
        self._connection.close()  # a conversation waiting for a value hears the end
        if self._job is None:
            self._process.terminate()
        self._process.join(timeout=5)
        if self._process.exitcode is None:
            self._process.terminate()
            self._process.join()


def _serve(
    prepare: Callable[[], object],
    converse: Callable[[object], Generator[object, object, object]],
    connection: Connection,
    parents: Connection,
) -> None:
    """Run :class:`Beside`'s work in the forked process, passing each step's outcome
    (``(ok, value)``, where a failed step's value is its exception) through ``connection``.

    ``parents`` is the parent's end, closed here at once: the parent closing its own must
    leave this end with no other, so that a process waiting for a value hears EOF.
    """
    parents.close()
    try:
        prepared = _outcome(prepare)
        job = connection.recv()
        if not prepared[0]:
            connection.send(prepared)
            return
        conversation = converse(job)
        outcome = _outcome(lambda: next(conversation))
        connection.send(outcome)
        if outcome[0]:
            sent = connection.recv()
            connection.send(_outcome(lambda: _returned(conversation, sent)))
    except (EOFError, OSError, KeyboardInterrupt):  # the parent left, or was interrupted
        pass


def _outcome(step: Callable[[], object]) -> tuple[bool, object]:
    try:
        return True, step()
    except BaseException as exc:  # raised in the parent instead, as if run there
        try:
            pickle.dumps(exc)
        except Exception:  # an error that does not pickle still gets its message across
            return False, RuntimeError(f"{type(exc).__name__}: {exc}")
        return False, exc


def _returned(conversation: Generator[object, S, R], value: S) -> R:
    try:
        conversation.send(value)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("a conversation beside yields only once")

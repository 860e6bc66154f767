"""Work run beside the process (``mougen.workers.Beside``): forked where that is safe,
in-process where not, with values and errors passed across either way."""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections.abc import Generator
from pathlib import Path

import pytest

from mougen.errors import MougenError, OutputError
from mougen.workers import Beside


def _prepared() -> None:
    global _PREPARED_IN
    _PREPARED_IN = os.getpid()


_PREPARED_IN = 0


def _echo(start: int) -> Generator[tuple[int, int], int, tuple[int, int]]:
    sent = yield start * 2, _PREPARED_IN
    return sent + 1, os.getpid()


def _beside(converse, prepare=_prepared):
    return Beside(prepare, converse)


def test_a_conversation_runs_in_a_forked_process_and_passes_values_both_ways():
    with _beside(_echo) as beside:
        beside.start(4)
        doubled, prepared_in = beside.first()
        added, last_pid = beside.last(10)
    assert (doubled, added) == (8, 11)
    assert prepared_in == last_pid != os.getpid()


def test_a_conversation_runs_here_while_another_thread_is_alive():
    """fork() keeps only the forking thread: a lock another thread holds would stay held."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with _beside(_echo) as beside:
            beside.start(4)
            assert beside.first() == (8, os.getpid())
            assert beside.last(1) == (2, os.getpid())
    finally:
        stop.set()
        other.join()


def _refuses(_job: int) -> Generator[int, int, int]:
    raise OutputError("read-only: this command records into the tracker", Path("/ws/t.db"))
    yield 0  # pragma: no cover  (makes this a generator)


def test_an_error_beside_is_raised_here_with_its_type_message_and_path():
    with pytest.raises(OutputError) as raised, _beside(_refuses) as beside:
        beside.start(0)
        beside.first()
    assert raised.value.path == Path("/ws/t.db")
    assert str(raised.value) == "/ws/t.db: read-only: this command records into the tracker"


def test_a_mougen_error_pickles_with_its_path_and_detail():
    error = pickle.loads(pickle.dumps(OutputError("no room", Path("out"))))
    assert (type(error), error.path, error.detail, str(error)) == (
        OutputError, Path("out"), "no room", "out: no room"
    )  # fmt: skip
    assert pickle.loads(pickle.dumps(MougenError("plain"))).path is None


class _Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("cannot pickle this")


def _raises_unpicklable(_job: int) -> Generator[int, int, int]:
    raise _Unpicklable("the database said no")
    yield 0  # pragma: no cover


def test_an_error_that_does_not_pickle_still_brings_its_message():
    unpicklable = "_Unpicklable: the database said no"
    with pytest.raises(RuntimeError, match=unpicklable), _beside(_raises_unpicklable) as beside:
        beside.start(0)
        beside.first()


def _waits(job: int) -> Generator[int, int, int]:
    sent = yield job
    return sent


def test_leaving_before_the_last_step_ends_the_process_at_once():
    """A command that fails between the two steps must not wait on, or leave, the process."""
    started = time.monotonic()
    with pytest.raises(KeyError), _beside(_waits) as beside:
        beside.start(1)
        assert beside.first() == 1
        raise KeyError("the round failed")
    process = beside._process
    assert process is not None
    assert process.exitcode == 0  # it heard the end, and was not killed
    assert time.monotonic() - started < 4


def _yields_twice(_job: int) -> Generator[int, int, int]:
    yield 1
    yield 2
    return 3


@pytest.mark.parametrize("threaded", [False, True])
def test_a_conversation_that_yields_twice_is_an_error(threaded):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    if threaded:
        other.start()
    try:
        with pytest.raises(RuntimeError, match="once"), _beside(_yields_twice) as beside:
            beside.start(0)
            beside.first()
            beside.last(0)
    finally:
        stop.set()
        if threaded:
            other.join()


def _slow_to_prepare() -> None:
    time.sleep(30)


def test_work_never_given_a_job_is_ended_at_once():
    """``mougen pack --help``, or a usage error, must not wait for the tracker to load."""
    started = time.monotonic()
    with _beside(_waits, prepare=_slow_to_prepare) as beside:
        pass
    assert beside._process is not None and beside._process.exitcode is not None
    assert time.monotonic() - started < 4


def _fails_to_prepare() -> None:
    raise ImportError("no SQLAlchemy here")


def test_an_error_while_preparing_is_raised_when_the_first_answer_is_asked_for():
    with (
        pytest.raises(ImportError, match="no SQLAlchemy"),
        _beside(_waits, prepare=_fails_to_prepare) as beside,
    ):
        beside.start(1)
        beside.first()

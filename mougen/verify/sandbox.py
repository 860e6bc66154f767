"""Verifying a PDF in a child process with a time and memory limit (web uploads).

A hostile PDF can make a parser loop or swell; the child is forked from a clean
forkserver (which has pyHanko loaded already), capped with ``RLIMIT_AS``, and killed
when its time is up. The worker serving the request is never at risk.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection

from mougen.errors import MougenError
from mougen.verify.status import FileReport
from mougen.verify.validate import Settings, verify_bytes

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["mougen.verify"])


def warm_up() -> None:
    """Start the forkserver now (it loads pyHanko in the background), not on the first upload."""
    multiprocessing.forkserver.ensure_running()


class TooCostly(MougenError):
    """A file that took too long, or too much memory, to check."""


@dataclass(frozen=True)
class Sandbox:
    """How long, and in how much memory, one file may take to check."""

    seconds: int
    memory_mb: int


def verify_limited(data: bytes, name: str, settings: Settings, sandbox: Sandbox) -> FileReport:
    """``verify_bytes`` on ``data`` in a child process held to the ``sandbox``'s limits."""
    seconds, memory_mb = sandbox.seconds, sandbox.memory_mb
    ours, theirs = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(
        target=_verify_child, args=(theirs, data, name, settings, memory_mb), daemon=True
    )
    child.start()
    theirs.close()
    try:
        if not ours.poll(seconds):
            raise TooCostly(f"took longer than {seconds} s to check", name)
        kind, value = ours.recv()
    except EOFError:
        raise TooCostly(f"needed more than {memory_mb} MB to check", name) from None
    finally:
        ours.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "error":
        raise MougenError(value, name)
    return value


def _verify_child(
    conn: Connection, data: bytes, name: str, settings: Settings, memory_mb: int
) -> None:
    # pyHanko logs each oddity of a hostile file; the verdict says what matters.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("report", verify_bytes(data, name, settings)))
    except MougenError as exc:
        conn.send(("error", exc.detail))
    except MemoryError:
        pass  # the parent reads the closed pipe as "too much memory"
    finally:
        conn.close()

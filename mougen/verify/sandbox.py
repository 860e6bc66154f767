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
from datetime import datetime
from multiprocessing.connection import Connection

from asn1crypto import crl, x509

from mougen.clock import FixedClock
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
        target=_verify_child, args=(theirs, data, name, _portable(settings), memory_mb), daemon=True
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


@dataclass(frozen=True)
class _PortableSettings:
    """:class:`Settings` with its certificates and CRLs as DER, to cross into the child.

    An asn1crypto object unpickled in a fresh process has no field map until its class has
    been constructed there once, so a pickled CRL raised TypeError on first use."""

    trust_roots: tuple[bytes, ...]
    tsa_roots: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    allow_fetch: bool
    at: datetime | None
    now: datetime

    def settings(self) -> Settings:
        return Settings(
            tuple(x509.Certificate.load(der) for der in self.trust_roots),
            tuple(x509.Certificate.load(der) for der in self.tsa_roots),
            tuple(crl.CertificateList.load(der) for der in self.crls),
            self.allow_fetch,
            self.at,
            FixedClock(self.now),  # the parent's "now": the child judges as of the same time
        )


def _portable(settings: Settings) -> _PortableSettings:
    return _PortableSettings(
        tuple(c.dump() for c in settings.trust_roots),
        tuple(c.dump() for c in settings.tsa_roots),
        tuple(c.dump() for c in settings.crls),
        settings.allow_fetch,
        settings.at,
        settings.clock(),
    )


def _verify_child(
    conn: Connection, data: bytes, name: str, portable: _PortableSettings, memory_mb: int
) -> None:
    # pyHanko logs each oddity of a hostile file; the verdict says what matters.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("report", verify_bytes(data, name, portable.settings())))
    except MougenError as exc:
        conn.send(("error", exc.detail))
    except MemoryError:
        pass  # the parent reads the closed pipe as "too much memory"
    finally:
        conn.close()

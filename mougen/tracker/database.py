"""Engines for the tracker: SQLite set up for several processes at once, or any other URL."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from mougen.errors import MougenError

#: How long a SQLite writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 30_000

#: Execution option marking connections that will write (SQLite takes the write lock up front).
WRITE = "mougen_write"


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    """An engine for ``url``; raises SQLAlchemy's ``ArgumentError`` for a malformed URL.

    An SQLite file this process may not write is opened read-only (so reading a read-only
    workspace works); with ``readonly``, a file that does not exist is not created but
    read as an empty in-memory database.
    """
    path = sqlite_path(url)
    if path is None:
        return create_engine(url)
    if readonly and not path.exists():
        engine = create_engine("sqlite://", poolclass=StaticPool)
    elif path.exists() and not writable(path):
        engine = create_engine(f"sqlite:///file:{path}?{_read_only_mode(path)}&uri=true")
        event.listen(engine, "connect", _sqlite_connect_read_only)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    else:
        _create_private(path)
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _create_private(path: Path) -> None:
    """Create a new database file readable by its owner only (0600); SQLite gives its -wal
    and -shm files the database file's permissions. An existing file is left as it is."""
    # There already, or in a folder SQLite will then report, naming the database.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for any other database (or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def is_read_only(engine: Engine) -> bool:
    """Whether ``engine`` was opened read-only by :func:`make_engine`."""
    return "mode=ro" in str(engine.url)


def _read_only_mode(path: Path) -> str:
    # A WAL database is read through its -shm index, which a reader cannot create in a
    # folder it may not write. With no -wal file beside it, every committed change is in
    # the main file, so it can be read as it stands (immutable: no locks, no index).
    if path.with_name(path.name + "-wal").exists() and path.with_name(path.name + "-shm").exists():
        return "mode=ro"
    return "mode=ro&immutable=1"


def writable(path: Path) -> bool:
    """Whether this process may write the SQLite file (and beside it: -wal and -shm)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


@contextmanager
def database_errors(url: str, *also: type[Exception]) -> Iterator[None]:
    """Turn a database that cannot be opened (or migrated: ``also`` Alembic's errors)
    into one line naming it."""
    caught: tuple[type[Exception], ...] = (SQLAlchemyError, *also)
    try:
        yield
    except caught as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise MougenError(f"tracker database {_safe(url)}: {reason}") from None


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return repr(url)


def writer(engine: Engine) -> Engine:
    """The same engine, with connections that announce they will write."""
    return engine.execution_options(**{WRITE: True})


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN is deferred; switch it off so _sqlite_begin chooses.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL lets readers carry on while another process writes.
    _switch_to_wal(cursor)
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # Switching a new file to WAL needs it to itself, and SQLite answers "database is locked"
    # at once, without its busy handler, while another process is creating the same tracker:
    # so wait and try again, as the busy timeout would.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_connect_read_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that later needs to write can fail at once with "database is
    # locked" (the busy handler cannot help a reader upgrading its lock), so writers take
    # the write lock when they begin, and queue behind one another instead.
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

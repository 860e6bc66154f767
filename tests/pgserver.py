"""A throwaway PostgreSQL server for tests: its own cluster in a temp folder, loopback only.

PostgreSQL refuses to run as root, so when the tests run as root the server runs
as the ``postgres`` system user (via ``runuser``).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import psycopg


class PostgresUnavailable(Exception):
    """Why a test server could not be started."""


class PostgresServer:
    """A running throwaway cluster; ``database()`` makes a fresh database and returns its URL."""

    __test__ = False

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="mougen-pg-"))
        self.password = secrets.token_urlsafe(16)
        self.port = _free_port()
        self._count = 0
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        pwfile = self.root / "pw"
        pwfile.write_text(self.password)
        if self.user is not None:
            shutil.chown(pwfile, self.user)
        self._run(
            "initdb", "-D", self.root / "data", "-U", "mougen", "--auth=scram-sha-256",
            f"--pwfile={pwfile}", "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        pwfile.unlink()
        options = f"-k {self.root} -h 127.0.0.1 -p {self.port} -c fsync=off"
        self._run("pg_ctl", "-D", self.root / "data", "-l", self.root / "log", "-o", options,
                  "-w", "start")  # fmt: skip

    def database(self) -> str:
        """Create a new empty database; its SQLAlchemy URL (psycopg 3)."""
        self._count += 1
        name = f"t{self._count}"
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://mougen:{self.password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", self.root / "data", "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _dsn(self, dbname: str) -> str:
        return (
            f"host=127.0.0.1 port={self.port} user=mougen password={self.password} dbname={dbname}"
        )

    def _run(self, program: str, *args: object) -> None:
        command = [str(self.bin / program), *map(str, args)]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text()[-500:] if log.exists() else ""
            raise PostgresUnavailable(f"{program} failed: {done.stderr.strip()} {tail}".strip())


def start_server() -> PostgresServer:
    """A started server; ``PostgresUnavailable`` says why not."""
    server = PostgresServer()
    try:
        server.start()
    except (PostgresUnavailable, OSError) as exc:
        server.stop()
        raise PostgresUnavailable(str(exc)) from None
    return server


def _bin_dir() -> Path:
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise PostgresUnavailable(
            "no /usr/lib/postgresql/*/bin/pg_ctl (apt-get install postgresql)"
        )
    return Path(found[-1]).parent


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root and there is no postgres user") from None
    return "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

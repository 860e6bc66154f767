"""The web service as production runs it (gunicorn, two workers) on 127.0.0.1, and an SMTP
server (aiosmtpd) that catches what it sends."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from mougen.workspace import Workspace

GUNICORN = Path(sys.executable).with_name("gunicorn")
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, subject_start: str, timeout: float = 60) -> EmailMessage:
        """The first message to ``to`` whose subject starts so, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for m in self.messages:
                    if m["To"] == to and str(m["Subject"]).startswith(subject_start):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no email to {to} starting {subject_start!r}")
                self._arrived.wait(left)

    def to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [m for m in self.messages if m["To"] == address]


def start_smtp() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, mailbox


def write_settings(ws: Workspace, port: int, smtp_port: int, coordinator: str, **extra) -> None:
    """``web.toml``: links to the test server, mail to the test SMTP server."""
    lines = [
        f'base_url = "http://127.0.0.1:{port}"',
        f'coordinator_email = "{coordinator}"',
        *(f"{k} = {v}" for k, v in extra.items()),
        "[smtp]",
        'host = "127.0.0.1"',
        f"port = {smtp_port}",
        "starttls = false",
        'sender = "SLI MoUs <sli@coordinator.example>"',
    ]
    (ws.root / "web.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Gunicorn:
    """``gunicorn -w 2 'mougen.web:wsgi_app()'`` on the workspace, as the README says."""

    def __init__(self, ws: Workspace, db_url: str, port: int, workers: int = 2, threads: int = 1):
        env = {
            **os.environ,
            "MOUGEN_WORKSPACE": str(ws.root),
            "MOUGEN_DB": db_url,
            "PYTHONPATH": str(REPO),
        }
        self.url = f"http://127.0.0.1:{port}"
        self.log = ws.root / "gunicorn.log"
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", "--timeout", "120",
             "--access-logfile", "-", "mougen.web:wsgi_app()"],
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait(port)

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("gunicorn did not start listening")

    def processes(self) -> list[int]:
        """The ids of the server's processes: the master, its workers and their children."""
        found, todo = [], [self.process.pid]
        while todo:
            current = todo.pop()
            try:
                children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            except OSError:
                continue
            found.append(current)
            todo += [int(c) for c in children]
        return found

    def cpu_seconds(self) -> float:
        """The CPU time the server's processes have used so far, with that of the children
        they have reaped (each verification's child is reaped by its worker's forkserver)."""
        ticks = 0
        for pid in self.processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> str:
        """Stop the server; its log."""
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log.read_text(errors="replace")

"""collect --mailbox left to itself: killed at random points it loses and doubles nothing;
with --watch it picks up new mail at once (IDLE) and outlives a server restart."""

# ruff: noqa: F811 (fixtures, imported, are named as test arguments)
from __future__ import annotations

import random
import signal
import subprocess
import time

from mougen.tracker import Tracker
from tests.test_collect import (  # noqa: F401 (fixtures)
    _mougen,
    _sign,
    issued,
    module_pki,
    pki,
    prepared,
)
from tests.test_mailbox import append, folders, letter, mailbox, server  # noqa: F401

RUNS = 20


def _signed_pool(pki, issued, tmp_path) -> list[bytes]:
    return [
        _sign(pki, pdf, role, tmp_path / f"{slug}-{role}.pdf").read_bytes()
        for slug, pdf in issued.items()
        for role in ("dcs", "lead-member", "chief-executive")
    ]


def _collect(workspace, mailbox, tmp_path, *extra: str) -> subprocess.Popen:
    server, user = mailbox
    trust = ("--trust", str(tmp_path / "root.pem"))
    return _mougen(workspace, "collect", "--mailbox", server.url(user), *trust, *extra)


def _where(mailbox) -> dict[str, list[str]]:
    """Message-ID -> the folders holding a message with it."""
    from tests.test_mailbox import _client

    server, user = mailbox
    client = _client(server, user)
    found: dict[str, list[str]] = {}
    for name in folders(mailbox):
        client.select_folder(name.replace("/", "."), readonly=True)
        wanted = ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]
        for data in client.fetch(client.search(["ALL"]), wanted).values():
            header = next(v for k, v in data.items() if k.startswith(b"BODY"))
            found.setdefault(header.decode().split(":", 1)[1].strip(), []).append(name)
    client.logout()
    return found


def test_killed_at_random_points_every_signature_once_every_message_in_one_folder(
    workspace, issued, pki, tmp_path, mailbox
):
    pool = _signed_pool(pki, issued, tmp_path)
    rng = random.Random(20)
    sent = []
    started = time.monotonic()
    for run in range(RUNS):
        # each run finds a new message (some carry a file sent before) and is killed
        message = letter((f"run{run}.pdf", pool[run % len(pool)]))
        sent.append(message["Message-ID"])
        append(mailbox, message)
        proc = _collect(workspace, mailbox, tmp_path)
        time.sleep(rng.uniform(0.2, 2.5))
        proc.kill()
        proc.wait(timeout=30)
    assert time.monotonic() - started < 240
    final = _collect(workspace, mailbox, tmp_path)
    final.wait(timeout=300)
    assert final.returncode == 0, final.stderr.read().decode()

    with Tracker.open(workspace.db_url) as tracker:
        signatures = tracker.signatures()
        receipts = tracker.receipts()
        assert tracker.verify_log() == []
    assert len(signatures) == len(pool)
    assert len({s.signature_sha256 for s in signatures}) == len(pool)
    assert sorted(r.message_id for r in receipts) == sorted(sent)
    where = _where(mailbox)
    assert sorted(where) == sorted(sent)
    assert all(folders == ["mougen/processed"] for folders in where.values())
    answers = list((workspace.root / "outbox").glob("*.eml"))
    assert len(answers) <= RUNS, "no sender was answered twice"


def _wait_processed(mailbox, count: int, seconds: float) -> float:
    """Seconds until ``count`` messages are in mougen/processed; fails after ``seconds``."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if folders(mailbox).get("mougen/processed", 0) >= count:
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"{count} messages not processed within {seconds} s: {folders(mailbox)}")


def test_watch_picks_up_new_mail_with_idle_and_survives_a_server_restart(
    workspace, issued, pki, tmp_path, mailbox
):
    pool = _signed_pool(pki, issued, tmp_path)
    append(mailbox, letter(("first.pdf", pool[0])))
    proc = _collect(workspace, mailbox, tmp_path, "--watch")
    try:
        _wait_processed(mailbox, 1, 60)  # it has started, and is waiting in IDLE
        time.sleep(1)
        append(mailbox, letter(("second.pdf", pool[1])))
        assert _wait_processed(mailbox, 2, 5) < 5

        server, _user = mailbox
        server.restart()
        append(mailbox, letter(("third.pdf", pool[2])))
        _wait_processed(mailbox, 3, 30)  # through a new connection: the old one died
        assert proc.poll() is None, "still watching"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert b"Traceback" not in proc.stderr.read()
    with Tracker.open(workspace.db_url) as tracker:
        assert len(tracker.signatures()) == 3
        assert len(tracker.receipts()) == 3
    assert len(list((workspace.root / "outbox").glob("*.eml"))) == 3, "each sender answered once"

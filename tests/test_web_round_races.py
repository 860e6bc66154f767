"""Issue 17, items 1 and 2, on SQLite and on PostgreSQL: simultaneous uploads on one link
through gunicorn with two workers, and a worker that dies while it accepts a signature."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from mougen.round.queue import waiting
from mougen.round.tables import LinkRow, QueuedRow
from mougen.tracker import Tracker
from mougen.workspace import Workspace
from tests.conftest import backend_url
from tests.webround import (
    AUTHORITY,
    COORDINATOR,
    MOU,
    add_signatory_emails,
    email,
    tracker_at_0004_with,
)
from tests.webserver import REPO, Gunicorn, free_port, start_smtp, write_settings

pytestmark = pytest.mark.slow

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, workspace) -> str:
    return backend_url(request, workspace.db_url)


@pytest.fixture
def round_ws(workspace, db_url, web_programme):
    """Signatory emails and certificates, on the chosen database."""
    add_signatory_emails(workspace)
    ws = Workspace(workspace.root, db_url)
    return ws, web_programme.install(ws)


def _invite(run_cli, db_url: str) -> None:
    assert run_cli("--db", db_url, "invite", MOU, "-a", AUTHORITY).exit_code == 0


def _dcs_files(ws: Workspace, signers, tmp_path: Path, copies: int) -> list[bytes]:
    issued = next((ws.issued_dir / MOU / AUTHORITY).glob("*.pdf"))
    return [
        signers.sign(issued, AUTHORITY, "dcs", tmp_path / f"dcs{n}.pdf").read_bytes()
        for n in range(copies)
    ]


def _upload(url: str, data: bytes) -> int:
    with requests.Session() as web:
        token = _CSRF.search(web.get(url, timeout=60).text)[1]
        files = {"file": ("signed.pdf", data, "application/pdf")}
        return web.post(url, data={"csrf_token": token}, files=files, timeout=120).status_code


def test_four_uploads_at_once_on_one_link_through_two_workers(round_ws, db_url, run_cli, tmp_path):
    """Four simultaneous uploads on one link were all "accepted" and two DCS signatures were
    recorded; now one is accepted and the others are told the link is closed."""
    ws, signers = round_ws
    controller, mailbox = start_smtp()
    port = free_port()
    write_settings(ws, port, controller.port, COORDINATOR)
    _invite(run_cli, db_url)
    link = re.search(r"/sign/(\S+)", mailbox.wait_for(email(AUTHORITY, "dcs"), "").get_content())
    files = _dcs_files(ws, signers, tmp_path, 4)
    server = Gunicorn(ws, db_url, port)
    try:
        url = f"{server.url}/sign/{link[1]}"
        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda data: _upload(url, data), files))
        mailbox.wait_for(email(AUTHORITY, "lead-member"), "")
    finally:
        log = server.stop()
        controller.stop()
    assert "Traceback" not in log, log
    assert link[1] not in log and "GET /sign/[redacted]" in log, "tokens stay out of the log"
    # One is accepted; the rest find the link closed (404 before the form, 422 after it).
    assert codes.count(200) == 1 and all(c in (404, 422) for c in codes if c != 200), codes
    with Tracker.open(db_url) as tracker:
        assert [s.role for s in tracker.signatures(MOU)] == ["dcs"]
        assert tracker.verify_log() == []
    assert len(mailbox.to(email(AUTHORITY, "lead-member"))) == 1


_CRASH = """
import os, sys
from pathlib import Path
from mougen.round import acceptance, signing_round
from mougen.round.records import Actor
from mougen.round.signing_round import SigningRound
from mougen.tracker import Tracker
from mougen.workspace import Workspace

root, db, token, pdf, where = sys.argv[1:]
def die(*_args, **_kwargs):
    os._exit(9)
if where == "inside":  # killed while the acceptance transaction is open
    acceptance.enqueue = die
else:  # killed after it commits, before the next invitation goes out
    SigningRound.send_queued = die
with Tracker.open(db) as tracker:
    service = SigningRound(Workspace(Path(root), db), tracker)
    link = service.store.find_link(token)
    service.receive(Path(pdf).read_bytes(), Actor("signatory", None), link)
"""


def _crash(ws: Workspace, db_url: str, token: str, pdf: Path, where: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", _CRASH, str(ws.root), db_url, token, str(pdf), where]
    assert subprocess.run(args, env=env, capture_output=True).returncode == 9


def _outbox_links(ws: Workspace) -> list[tuple[str, str]]:
    messages = sorted((ws.root / "outbox").glob("*.eml"))
    found = []
    for path in messages:
        text = path.read_text()
        to = re.search(r"^To: (.*)$", text, re.M)[1]
        found.append((to, re.search(r"/sign/(\S+)", text)[1]))
    return found


def _crashing(round_ws, db_url: str, run_cli, tmp_path: Path):
    """Invite the DCS and sign for them; the workspace, and ``crash(where)`` uploading that
    file on their link in a process that dies ``inside`` or ``after`` the acceptance."""
    ws, signers = round_ws
    _invite(run_cli, db_url)
    [(_, token)] = _outbox_links(ws)
    pdf = tmp_path / "dcs.pdf"
    pdf.write_bytes(_dcs_files(ws, signers, tmp_path, 1)[0])
    return ws, lambda where: _crash(ws, db_url, token, pdf, where)


def test_a_worker_killed_while_accepting_leaves_nothing_stalled(
    round_ws, db_url, run_cli, tmp_path
):
    """A worker killed 118 ms into an upload left the Lead Member's signature recorded, their
    link open and the Chief Executive never invited, and `remind` invited nobody."""
    ws, crash = _crashing(round_ws, db_url, run_cli, tmp_path)
    crash("inside")
    with Tracker.open(db_url) as tracker:
        assert tracker.signatures(MOU) == [], "all or nothing: nothing"
        assert waiting(tracker) == []
        assert tracker.verify_log() == []

    crash("after")
    with Tracker.open(db_url) as tracker:
        assert [s.role for s in tracker.signatures(MOU)] == ["dcs"]
        with tracker.reading() as s:
            assert s.scalar(select(LinkRow.accepted_at)) is not None, "the link is closed"
        [owed] = waiting(tracker)
        assert (owed.kind, owed.role) == ("invitation", "lead-member")
    reminded = run_cli("--db", db_url, "remind", MOU)
    assert f"{AUTHORITY} lead-member" in reminded.output
    assert _outbox_links(ws)[-1][0] == email(AUTHORITY, "lead-member")
    with Tracker.open(db_url) as tracker:
        assert waiting(tracker) == []


def test_remind_invites_whoever_is_next_even_if_never_invited(round_ws, db_url, run_cli, tmp_path):
    """`remind` invites whoever's turn it is, whether or not an invitation was ever sent."""
    ws, crash = _crashing(round_ws, db_url, run_cli, tmp_path)
    crash("after")
    with Tracker.open(db_url) as tracker, tracker.transaction() as s:
        for row in s.scalars(select(QueuedRow)):
            row.done_at = row.queued_at  # as if the queue had lost it: a tracker from before
    assert "1 reminder sent" in run_cli("--db", db_url, "remind", MOU, "--after", "7d").output
    assert _outbox_links(ws)[-1][0] == email(AUTHORITY, "lead-member")


def test_migration_0005_gives_older_accounts_no_region(db_url):
    """A 0004 tracker's accounts keep their names and passwords after 0005 but no region
    (the review: NULL made every one an administrator), 0007 gives each a session nonce,
    and both go down again."""
    from alembic import command
    from sqlalchemy import inspect

    from mougen.round.store import RoundStore
    from mougen.tracker.database import make_engine
    from mougen.tracker.migrate import _config, upgrade

    tracker_at_0004_with(db_url, "ann", "x")
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with Tracker.open(db_url) as tracker:
            [ann] = RoundStore(tracker).users()
        assert (ann.name, ann.regions, ann.generation) == ("ann", (), 0)
        assert len(ann.nonce) == 32 and not ann.administrator
        with engine.begin() as connection:
            command.downgrade(_config(connection), "0004")
        tables = set(inspect(engine).get_table_names())
        assert "web_queue" not in tables and "web_login_attempts" in tables
    finally:
        engine.dispose()

"""The signatory's remote-signing pages: the MoU as HTML, confirm, a code by email, sign;
refusals; and no route but the signatory's own link reaches it."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pytest

from mougen.roles import ROLE_IDS
from mougen.round.remote import RemoteSigning
from mougen.round.settings import RESERVED_SLOTS
from mougen.tracker import Tracker
from mougen.web.app import create_app
from mougen.web.pool import SLOTS_FOLDER
from mougen.web.slots import verification_slot
from tests.remoteround import code_in_email, link_token, outbox, remote_workspace
from tests.softhsm import PIN, soft_token
from tests.webround import AUTHORITY, MOU


@pytest.fixture
def token(tmp_path: Path):
    with soft_token(tmp_path / "softhsm") as made:
        yield made


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _sign(client, link: str, code: str) -> object:
    page = client.get(f"/sign/{link}/remote")
    return client.post(
        f"/sign/{link}/remote/confirm", data={"csrf_token": _csrf(page), "code": code}
    )


def _ask(client, link: str, read: bool = True):
    page = client.get(f"/sign/{link}")  # the link's own page: its form's CSRF token
    form = {"csrf_token": _csrf(page), **({"read": "y"} if read else {})}
    return client.post(f"/sign/{link}/remote/code", data=form)


def test_three_signatories_sign_from_their_links(workspace, token, run_cli):
    ws, _ = remote_workspace(workspace, token, own=None)
    app = create_app(ws)
    client = app.test_client()
    assert run_cli("invite", MOU, "--authority", AUTHORITY).exit_code == 0
    for role in ROLE_IDS:
        link = link_token(ws, role)
        assert 'id="sign-remotely"' in client.get(f"/sign/{link}").get_data(as_text=True)
        page = client.get(f"/sign/{link}/remote").get_data(as_text=True)
        assert "You are signing as" in page and "Milton Keynes Council" in page
        assert "<script" not in page and "Memorandum of understanding" in page
        assert _ask(client, link, read=False).status_code == 400
        asked = _ask(client, link)
        assert asked.status_code == 200 and "Enter the code" in asked.get_data(as_text=True)
        code = code_in_email(ws, role)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        refused = _sign(client, link, wrong)
        assert refused.status_code == 422 and "4 more tries" in refused.get_data(as_text=True)
        done = _sign(client, link, code)
        assert done.status_code == 200 and "You have signed as" in done.get_data(as_text=True)
        signed = client.get(f"/sign/{link}/remote/signed.pdf")
        assert signed.status_code == 200 and signed.data.startswith(b"%PDF")
        assert client.get(f"/sign/{link}/remote").status_code == 404  # the link is closed
    executed = [m for m in outbox(ws) if "Fully executed" in str(m["Subject"])]
    assert executed
    with Tracker.open(ws.db_url) as tracker:
        log = str([(e.kind, e.subject, e.detail) for e in tracker.events()])
    for role in ROLE_IDS:
        assert code_in_email(ws, role) not in log
    assert PIN not in log


def _login(client, run_cli, folder: Path) -> None:
    """A coordinator account, logged in on ``client``."""
    password = folder / "password"
    password.write_text("pale rider canal 4481\n")
    scope = ["--region", "south-east"]
    added = run_cli("users", "add", "ann", *scope, "--password-file", str(password))
    assert added.exit_code == 0, added.output
    form = {"csrf_token": _csrf(client.get("/login")), "name": "ann"}
    client.post("/login", data={**form, "password": "pale rider canal 4481"})


def test_only_a_remote_signatorys_own_link_reaches_remote_signing(
    workspace, token, run_cli, tmp_path
):
    ws, _ = remote_workspace(workspace, token, own="dcs")
    app = create_app(ws)
    rules = [r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("remote.")]
    assert rules and all(r.startswith("/sign/<token>/remote") for r in rules)
    client = app.test_client()
    run_cli("invite", MOU, "--authority", AUTHORITY)
    assert client.get("/sign/not-a-link/remote").status_code == 404
    assert client.get("/sign/not-a-link/remote/signed.pdf").status_code == 404
    _login(client, run_cli, tmp_path)
    page = client.get(f"/rounds/{MOU}").get_data(as_text=True)
    row = page[page.index(f'id="row-{AUTHORITY}"') :].split("</tr>")[0]
    assert row.count('data-signs="remote"') == 2  # the lead member and chief executive
    link = link_token(ws, "dcs")  # the DCS signs with their own certificate
    assert 'id="sign-remotely"' not in client.get(f"/sign/{link}").get_data(as_text=True)
    assert client.get(f"/sign/{link}/remote").status_code == 404
    assert _ask(client, link).status_code == 404


def test_a_failure_while_signing_logs_no_token(workspace, token, run_cli, monkeypatch, caplog):
    """Flask's own "Exception on <path>" line for a failed confirmation names no link."""
    ws, _ = remote_workspace(workspace, token, own=None)
    app = create_app(ws)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered 500 and logged, as in production
    client = app.test_client()
    assert run_cli("invite", MOU, "--authority", AUTHORITY).exit_code == 0
    link = link_token(ws, "dcs")
    assert _ask(client, link).status_code == 200

    def broken(*_args) -> None:
        raise RuntimeError("the token went away")

    monkeypatch.setattr(RemoteSigning, "confirm", broken)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        assert _sign(client, link, code_in_email(ws, "dcs")).status_code == 500
    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert "/sign/[redacted]/remote/confirm" in logged and link not in logged


@contextmanager
def _pool_full(ws, seconds: float) -> Iterator[None]:
    """Another worker holding every verification slot, shared and reserved, for ``seconds``
    from now (in a thread of its own)."""
    held = threading.Event()

    def hold() -> None:
        with (
            verification_slot(ws.root / SLOTS_FOLDER, 1, 0),
            verification_slot(ws.root / SLOTS_FOLDER, 0, 0, RESERVED_SLOTS),
        ):
            held.set()
            time.sleep(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        yield
    finally:
        holder.join()


def _code_asked(workspace, token, run_cli, queue_seconds: int):
    """The DCS's link, a code asked for on it, in a service whose signatories queue for
    ``queue_seconds``: (the workspace, the client, the link)."""
    ws, _ = remote_workspace(workspace, token, own=None)
    path = ws.root / "web.toml"  # its [token] table comes last: keys go before it
    wait = f"verify_workers = 1\nlink_wait_seconds = {queue_seconds}\n"
    path.write_text(wait + path.read_text())
    client = create_app(ws).test_client()
    assert run_cli("invite", MOU, "--authority", AUTHORITY).exit_code == 0
    link = link_token(ws, "dcs")
    assert _ask(client, link).status_code == 200
    return ws, client, link


def test_a_confirmation_waits_for_a_slot_while_others_sign(workspace, token, run_cli):
    """A signatory who has entered their code queues while a few others are checked, rather
    than being told to come back in 30 s; /verify is still turned away at once."""
    ws, client, link = _code_asked(workspace, token, run_cli, 10)
    [issued] = (ws.issued_dir / MOU / AUTHORITY).glob("*.pdf")
    started = time.monotonic()
    with _pool_full(ws, 2):
        pdf = (BytesIO(issued.read_bytes()), "a.pdf")
        form = {"csrf_token": _csrf(client.get("/verify")), "file": pdf}
        public = client.post("/verify", data=form, content_type="multipart/form-data")
        done = _sign(client, link, code_in_email(ws, "dcs"))
    assert public.status_code == 503 and public.headers["Retry-After"] == "30"
    assert done.status_code == 200, done.get_data(as_text=True)
    assert time.monotonic() - started >= 2, "it waited for the slot"


def test_a_confirmation_turned_away_keeps_its_code(workspace, token, run_cli):
    """Past the queue's wait, the signatory is told 503 + Retry-After before the code is
    used: pressing again with the same code signs."""
    ws, client, link = _code_asked(workspace, token, run_cli, 1)
    code = code_in_email(ws, "dcs")
    with _pool_full(ws, 3):
        busy = _sign(client, link, code)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "30"
    assert "busy" in busy.get_data(as_text=True)
    done = _sign(client, link, code)
    assert done.status_code == 200, done.get_data(as_text=True)

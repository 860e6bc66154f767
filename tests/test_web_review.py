"""The security review of issue 17's hardened web round: four attacks that still worked
(accounts made administrators by the upgrade, a removed account's session coming back,
uploads on a link outside the verification pool, tokens logged through odd paths)."""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from mougen.round.passwords import hash_password
from mougen.round.settings import RESERVED_SLOTS
from mougen.round.tables import UserRow
from mougen.tracker import Tracker
from mougen.web.pool import SLOTS_FOLDER
from mougen.web.redact import RedactingRequestHandler, redact
from mougen.web.slots import verification_slot
from mougen.workspace import Workspace
from tests.test_web import (
    PASSWORD,
    _check,
    _cookie,
    _coordinator_upload,
    _link,
    _login,
    _outbox,
    _replay,
    _sign_on,
    _signed_for_dcs,
    _signed_in,
    app,
    app_for,
    client,
    prepared,
    ws,
)
from tests.webround import AUTHORITY, MOU, tracker_at_0004_with
from tests.webserver import free_port

__all__ = ["app", "client", "prepared", "ws"]  # the fixtures shared with test_web


# -- 1. the upgrade to scopes makes no administrators ----------------------------------------


def _tracker_at_0004_with(ws: Workspace, name: str) -> str:
    """A tracker made before scopes existed (0004), holding one coordinator account."""
    url = f"sqlite:///{ws.root / 'old.db'}"
    tracker_at_0004_with(url, name, hash_password(PASSWORD))
    return url


def test_an_account_from_before_scopes_gets_no_region(workspace, run_cli):
    """Upgrading the database made every existing account an administrator (0005 added
    ``regions`` as NULL, which means every region and /report)."""
    from tests.webround import add_signatory_emails

    add_signatory_emails(workspace)
    url = _tracker_at_0004_with(workspace, "old")
    listed = run_cli("--db", url, "users", "list")
    assert listed.output == "old\tno regions (give some with `mougen users scope`)\n"
    ws = Workspace(workspace.root, url)
    old = app_for(ws).test_client()
    assert _login(old, name="old").status_code == 302
    page = old.get("/").get_data(as_text=True)
    assert MOU not in page and "london-2019" not in page
    assert "Your account has no regions yet" in page and "mougen users scope old" in page
    assert old.get("/report").status_code == 404
    assert old.get(f"/rounds/{MOU}").status_code == 404

    scoped = run_cli("--db", url, "users", "scope", "old", "--region", "south-east")
    assert scoped.exit_code == 0 and scoped.output == "old: south-east\n", scoped.output
    assert run_cli("--db", url, "users", "list").output == "old\tsouth-east\n"
    assert not _signed_in(old), "a new scope ends the account's sessions"
    assert _login(old, name="old").status_code == 302, "the password stays"
    assert MOU in old.get("/").get_data(as_text=True)
    assert old.get("/report").status_code == 404


def test_users_scope_names_what_it_cannot_do(run_cli, ws):
    assert run_cli("users", "scope", "nobody", "--admin").output == "mougen: no user 'nobody'\n"
    assert run_cli("users", "scope", "ann").exit_code == 1
    assert "no region 'atlantis'" in run_cli("users", "scope", "ann", "--region", "atlantis").output
    assert run_cli("users", "scope", "ann", "--admin").output == "ann: all regions (admin)\n"


# -- 2. a removed account's session stays ended -----------------------------------------------


def test_a_session_of_a_removed_account_is_not_valid_for_a_new_one_of_that_name(
    app, client, ws, run_cli
):
    """SQLite reuses the highest id and a new account's generation starts at 0, so a cookie
    from before removal was valid again for the re-added account, with its new scope."""
    _login(client)
    saved = _cookie(client)
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as s:
        before = s.scalar(select(UserRow.id).where(UserRow.name == "ann"))
    assert run_cli("users", "remove", "ann").exit_code == 0
    (ws.root / "pw").write_text(PASSWORD)
    added = run_cli("users", "add", "ann", "--admin", "--password-file", str(ws.root / "pw"))
    assert added.output == "added ann\n"
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as s:
        again = s.scalar(select(UserRow).where(UserRow.name == "ann"))
        assert (again.id, again.session_generation) == (before, 0), "the attack's setting"
    assert not _signed_in(_replay(app, saved))
    assert _signed_in(_replay(app, _cookie(_logged_in(app))))


def _logged_in(app):
    fresh = app.test_client()
    assert _login(fresh).status_code == 302
    return fresh


def test_the_nonce_migration_gives_each_account_its_own(workspace):
    url = _tracker_at_0004_with(workspace, "old")
    with Tracker.open(url) as tracker, tracker.reading() as s:
        [row] = s.scalars(select(UserRow))
    assert row.regions == "" and row.session_nonce and len(row.session_nonce) == 32


# -- 3. every verification takes a slot of the one pool ---------------------------------------


@contextmanager
def _slots_taken(ws: Workspace, shared: int, reserved: int) -> Iterator[None]:
    """Another worker holding ``shared`` public slots and ``reserved`` reserved ones."""
    with ExitStack() as held:
        for _ in range(shared):
            held.enter_context(verification_slot(ws.root / SLOTS_FOLDER, shared, 0))
        for _ in range(reserved):
            held.enter_context(verification_slot(ws.root / SLOTS_FOLDER, 0, 0, reserved))
        yield


def test_uploads_on_a_link_share_the_bounded_pool(
    ws, app, client, tmp_path, run_cli, web_programme
):
    """A live link ran any number of verifications at once, outside /verify's pool."""
    signers = web_programme.install(ws)
    settings = "verify_workers = 1\nverify_wait_seconds = 1\nlink_wait_seconds = 1\n"
    (ws.root / "web.toml").write_text(settings)
    run_cli("invite", MOU, "--authority", AUTHORITY)
    busy = app_for(ws).test_client()
    token, [signed] = _signed_for_dcs(ws, busy, tmp_path, signers)
    with _slots_taken(ws, 1, RESERVED_SLOTS):
        refused = _sign_on(busy, token, signed)
        assert "busy" in _coordinator_upload(_logged_in(app), MOU, signed)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert "busy" in refused.get_data(as_text=True)
    # A flood of public checks holds every shared slot: the signatory still has theirs.
    with _slots_taken(ws, 1, 0):
        started = time.monotonic()
        public = _check(busy, signed)
        assert public.status_code == 503, "the reserved slot is not for /verify"
        accepted = _sign_on(busy, token, signed)
        assert time.monotonic() - started < 5
    assert accepted.status_code == 200, accepted.get_data(as_text=True)


def test_uploads_on_a_link_are_limited_per_address(ws, run_cli):
    (ws.root / "web.toml").write_text("verify_per_address = 2\n")
    run_cli("invite", MOU, "--authority", AUTHORITY)
    token = _link(_outbox(ws)[0])
    signatory = app_for(ws).test_client()
    answers = [_sign_on(signatory, token, b"not a pdf") for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 429]
    assert answers[-1].headers["Retry-After"] == "300"


def test_the_memory_ceiling_counts_the_reserved_slots(ws):
    from mougen.round.settings import load_settings

    (ws.root / "web.toml").write_text("verify_workers = 2\nverify_memory_mb = 512\n")
    assert load_settings(ws.root).verify_ceiling_mb == (2 + RESERVED_SLOTS) * 512


# -- 4. no token in the access log by any path -----------------------------------------------

ODD_PATHS = ("/%73ign/{t}", "/sign//{t}", "/%2573ign/{t}", "/sign%2F{t}/document.pdf")


def test_redaction_reads_the_path_as_the_router_does():
    for path in ODD_PATHS:
        assert "SECRETTOKEN" not in redact(path.format(t="SECRETTOKEN")), path
    assert redact("/%73ign/SECRET/x%0aGET%20/forged") == "/sign/[redacted]/x%0AGET%20/forged"
    assert redact("/verify?x=%73") == "/verify?x=%73", "other paths are logged as they came"


def test_odd_paths_to_a_link_keep_the_token_out_of_gunicorns_log(ws, run_cli):
    run_cli("invite", MOU, "-a", AUTHORITY)
    token = _link(_outbox(ws)[0])
    wsgi = app_for(ws).wsgi_app
    for raw, status in (
        (f"/%73ign/{token}", "200 OK"),
        (f"/sign//{token}", "308 PERMANENT REDIRECT"),
    ):
        environ = EnvironBuilder(path=raw).get_environ()
        environ["RAW_URI"] = raw  # what gunicorn's request line (%(r)s) is made of
        statuses: list[str] = []
        b"".join(wsgi(environ, lambda s, _h, statuses=statuses: statuses.append(s)))
        assert statuses == [status], raw
        assert all(token not in str(environ[k]) for k in ("RAW_URI", "PATH_INFO")), raw


def test_odd_paths_to_a_link_keep_the_token_out_of_serves_log(ws, run_cli, caplog):
    run_cli("invite", MOU, "-a", AUTHORITY)
    token = _link(_outbox(ws)[0])
    port = free_port()
    server = make_server(
        "127.0.0.1", port, app_for(ws), threaded=True, request_handler=RedactingRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in (f"/%73ign/{token}", f"/sign//{token}"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
                    assert r.status == 200, path  # the redirect is followed
    finally:
        server.shutdown()
        thread.join(10)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in logged and logged.count("/sign/[redacted]") >= 3, logged

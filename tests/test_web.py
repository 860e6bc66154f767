"""The web service through Flask's test client: security, accounts, links, the CLI twins."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import jinja2
import pytest
from alembic import command
from click.testing import CliRunner
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject
from sqlalchemy import inspect, select

from mougen.collect.checks import Rejection
from mougen.errors import ConfigError
from mougen.roles import ROLE_IDS
from mougen.round.records import Actor
from mougen.round.settings import load_settings
from mougen.round.store import FREE_FAILURES, RoundStore
from mougen.round.tables import LinkRow, LoginFailureRow, UserRow
from mougen.signing import load_pkcs12, sign_pdf
from mougen.tracker import Tracker
from mougen.tracker.database import make_engine
from mougen.tracker.migrate import _config, current_revision, head_revision, upgrade
from mougen.verify.sandbox import Sandbox, TooCostly, verify_limited
from mougen.verify.validate import Settings
from mougen.web.app import create_app
from mougen.workflow.checking import Checker, VerificationSpec, WorkspaceRecords
from mougen.workspace import Workspace
from tests.conftest import REPO, scratch_workspace, take_up
from tests.pdftext import pdftotext
from tests.webround import AUTHORITY, MOU, add_signatory_emails, email
from tests.webserver import free_port

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Workspace:
    """What :func:`ws` adds to the bundled workspace, made once per module (hashing the
    coordinator's password costs a tenth of a second)."""
    from mougen.cli import cli

    workspace = scratch_workspace(tmp_path_factory.mktemp("prepared") / "ws")
    add_signatory_emails(workspace)
    secret = workspace.root.parent / "pw"
    secret.write_text(PASSWORD + "\n")
    added = CliRunner().invoke(
        cli,
        [
            "-w",
            str(workspace.root),
            "users",
            "add",
            "ann",
            "--admin",
            "--password-file",
            str(secret),
        ],
    )
    assert added.exit_code == 0, added.output
    return workspace


@pytest.fixture
def ws(workspace, prepared) -> Workspace:
    """Signatory emails for two authorities, mail to the outbox, one coordinator account."""
    return Workspace(take_up(workspace, prepared).root)


class _SharedTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for every app the module makes, which would each compile the
    GOV.UK macros again (a tenth of a second); jinja checks each against its source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedTemplates()


def app_for(ws: Workspace):
    """``create_app(ws)``, its templates compiled once for the module."""
    app = create_app(ws)
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


@pytest.fixture
def app(ws):
    return app_for(ws)


@pytest.fixture
def client(app):
    return app.test_client()


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _login(client, password: str = PASSWORD, name: str = "ann", **extra):
    token = _csrf(client.get("/login"))
    data = {"csrf_token": token, "name": name, "password": password}
    return client.post("/login", data=data, **extra)


def _outbox(ws: Workspace) -> list:
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((ws.root / "outbox").glob("*.eml"))
    ]


def _link(message) -> str:
    return re.search(r"/sign/(\S+)", message.get_content()).group(1)


def test_security_headers_and_session_cookie(client):
    page = client.get("/login")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script" not in page.get_data(as_text=True)
    cookie = _login(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_behind_tls(ws):
    (ws.root / "web.toml").write_text("secure_cookies = true\n")
    client = app_for(ws).test_client()
    answer = _login(client)
    assert "Secure" in answer.headers["Set-Cookie"] and "Expires=" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_every_form_needs_its_csrf_token(client, ws):
    refused = client.post("/login", data={"name": "ann", "password": PASSWORD})
    assert refused.status_code == 400 and "Form not accepted" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302, "not logged in"
    _login(client)
    assert client.post(f"/rounds/{MOU}/invite").status_code == 400
    assert not (ws.root / "outbox").exists(), "nothing was sent"


ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER = {"REMOTE_ADDR": "192.0.2.10"}


def _signed_in(client) -> bool:
    return "Signed in as" in client.get("/verify").get_data(as_text=True)


def _guess_until_blocked(client, name: str) -> list:
    return [
        _login(client, "wrong password", name, environ_base=ATTACKER)
        for _ in range(FREE_FAILURES + 1)
    ]


def test_wrong_passwords_slow_the_guesser_not_the_owner(client, ws):
    """Issue 17, item 4: five wrong passwords from anyone locked a real account for 15 minutes."""
    answers = _guess_until_blocked(client, "ann")
    assert [a.status_code for a in answers] == [401] * FREE_FAILURES + [429]
    assert _login(client, environ_base=ATTACKER).status_code == 429, "the guesser waits"
    assert _login(client, environ_base=OWNER).status_code == 302, "the owner is not locked out"
    with Tracker.open(ws.db_url) as tracker:
        kinds = [e.kind for e in tracker.events() if e.kind.startswith("login")]
        assert kinds[-3:] == ["login-blocked", "login-blocked", "login-ok"]
        assert tracker.verify_log() == []


def test_unknown_and_known_names_get_the_same_answers(app):
    """Issue 17, item 4: an unknown name was never "locked", so real accounts could be told."""
    answers = {}
    for name in ("ann", "nobody-here"):
        client = app.test_client()
        started = time.perf_counter()
        replies = _guess_until_blocked(client, name)
        answers[name] = (
            [(r.status_code, _message(r)) for r in replies],
            time.perf_counter() - started,
        )
    assert answers["ann"][0] == answers["nobody-here"][0]
    known, unknown = answers["ann"][1], answers["nobody-here"][1]
    assert abs(known - unknown) < 0.5 * max(known, unknown), (known, unknown)


def _message(page) -> str:
    """The page as the guesser sees it, but for its CSRF token."""
    return re.sub(r'value="[^"]+"', "", page.get_data(as_text=True))


def test_wrong_password_back_off_doubles(ws):
    from mougen.round.store import BACK_OFF, RoundStore

    with Tracker.open(ws.db_url) as tracker:
        store = RoundStore(tracker)
        for _ in range(FREE_FAILURES + 1):
            store.login("ann", "wrong", "203.0.113.5")
        waits = []
        for _ in range(2):
            with tracker.reading() as s:
                row = s.get(LoginFailureRow, ("ann", "203.0.113.5"))
                waits.append(row.blocked_until - row.last_at)
            with tracker.transaction() as s:  # let the wait pass, then fail again
                s.get(LoginFailureRow, ("ann", "203.0.113.5")).blocked_until = None
            store.login("ann", "wrong", "203.0.113.5")
        assert waits == [BACK_OFF, BACK_OFF * 2]


def _cookie(client) -> str:
    return client.get_cookie("mougen_session").value


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("mougen_session", cookie)
    return other


def test_logout_ends_every_session_of_the_account(app, client):
    """Issue 17, item 3: a cookie saved before logout still gave "Signed in as ..."."""
    _login(client)
    saved = _cookie(client)
    elsewhere = app.test_client()
    _login(elsewhere)
    assert _signed_in(_replay(app, saved)) and _signed_in(elsewhere)
    client.post("/logout", data={"csrf_token": _csrf(client.get("/"))})
    assert not _signed_in(_replay(app, saved))
    assert _replay(app, saved).get("/").status_code == 302
    assert not _signed_in(elsewhere), "logout ends the account's other sessions too"


@pytest.mark.parametrize("change", ["password", "removal", "rename"])
def test_password_change_removal_and_rename_end_sessions(app, client, ws, run_cli, change):
    """Issue 17, item 3: a cookie saved before a password change, or after the user row
    was renamed, still gave "Signed in as ..."."""
    _login(client)
    saved = _cookie(client)
    if change == "password":
        (ws.root / "pw2").write_text("another long password\n")
        assert (
            run_cli("users", "add", "ann", "--password-file", str(ws.root / "pw2")).exit_code == 0
        )
    elif change == "removal":
        assert run_cli("users", "remove", "ann").output == "removed ann\n"
    else:
        with Tracker.open(ws.db_url) as tracker, tracker.transaction() as s:
            s.scalar(select(UserRow)).name = "ann2"
    replayed = _replay(app, saved)
    assert not _signed_in(replayed)
    assert replayed.get(f"/rounds/{MOU}/status.csv").status_code == 302


def test_users_list_and_remove(run_cli, ws):
    assert run_cli("users", "list").output == "ann\tall regions (admin)\n"
    missing = run_cli("users", "remove", "nobody")
    assert missing.exit_code != 0 and "no user 'nobody'" in missing.output
    assert run_cli("users", "add", "ann", "--region", "atlantis").exit_code == 1


def test_a_coordinator_is_kept_to_their_regions(app, ws, run_cli, tmp_path):
    """Issue 17, item 3: a London coordinator downloaded South East's packs, CSV and executed
    MoUs, and revoked a South East link."""
    assert run_cli("invite", MOU, "-a", AUTHORITY).exit_code == 0
    (tmp_path / "pw").write_text(PASSWORD)
    added = run_cli("users", "add", "lon", "--region", "london", "--password-file", tmp_path / "pw")
    assert added.exit_code == 0, added.output
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as s:
        link_id = s.scalar(select(LinkRow.id))
    london = app.test_client()
    assert _login(london, name="lon").status_code == 302
    page = london.get("/").get_data(as_text=True)
    assert "london-2019" in page and MOU not in page
    token = _csrf(london.get("/"))
    for path in (
        f"/rounds/{MOU}",
        f"/rounds/{MOU}/status.csv",
        f"/rounds/{MOU}/executed.zip",
        f"/rounds/{MOU}/{AUTHORITY}/pack.zip",
        f"/rounds/{MOU}/{AUTHORITY}/executed.pdf",
        "/report",
    ):
        assert london.get(path).status_code == 404, path
    for action in (f"links/{link_id}/revoke", "invite", "return-by", "upload"):
        assert london.post(f"/rounds/{MOU}/{action}", data={"csrf_token": token}).status_code == 404
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as s:
        assert s.get(LinkRow, link_id).revoked_at is None
    assert london.get("/rounds/london-2019").status_code == 200


def test_login_is_rate_limited_per_address(client):
    answers = [
        _login(client, "guess", "nobody", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        for _ in range(21)
    ]
    assert answers[-1].status_code == 429
    assert _login(client, environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 302


def test_invitation_link_is_hashed_expiring_and_revocable(app, client, ws):
    _login(client)
    page = client.get(f"/rounds/{MOU}")
    sent = client.post(f"/rounds/{MOU}/invite", data={"csrf_token": _csrf(page)})
    assert sent.status_code == 302
    [kent, mk] = sorted(_outbox(ws), key=lambda m: str(m["To"]))
    assert str(kent["To"]) == email("kent", "dcs") and str(mk["To"]) == email(AUTHORITY, "dcs")
    token = _link(mk)
    assert token not in (ws.root / "mougen.db").read_bytes().decode("latin-1")
    signatory = app.test_client()
    assert signatory.get(f"/sign/{token}").status_code == 200
    unknown = signatory.get("/sign/" + token[:-2] + "xx")
    assert unknown.status_code == 404
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as session:
        link = session.scalars(select(LinkRow).where(LinkRow.authority == AUTHORITY)).one()
        assert link.expires_at - link.created_at == timedelta(days=28)
    page = client.get(f"/rounds/{MOU}")
    revoke = client.post(f"/rounds/{MOU}/links/{link.id}/revoke", data={"csrf_token": _csrf(page)})
    assert revoke.status_code == 302
    revoked = signatory.get(f"/sign/{token}")
    assert (revoked.status_code, revoked.data) == (unknown.status_code, unknown.data)
    with Tracker.open(ws.db_url) as tracker:
        events = tracker.events()
        assert tracker.verify_log() == []
    emailed = [e for e in events if e.kind == "email-sent"]
    assert len(emailed) == 2 and emailed[0].detail["by"] == "ann"
    assert emailed[0].detail["address"] == "127.0.0.1"
    assert events[-1].kind == "link-revoked"


def test_signing_order_is_configurable(ws, run_cli):
    order = '["chief-executive", "dcs", "lead-member"]'
    (ws.root / "web.toml").write_text(f"signing_order = {order}\n")
    result = run_cli("invite", MOU, "--authority", AUTHORITY)
    assert result.exit_code == 0, result.output
    assert [str(m["To"]) for m in _outbox(ws)] == [email(AUTHORITY, "chief-executive")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("colour = 'blue'\n", "unknown key 'colour'"),
        ("upload_limit_mb = 'big'\n", "upload_limit_mb: expected int"),
        ("signing_order = ['dcs']\n", "signing_order: list each of"),
        ("[smtp]\nport = 'x'\n", "smtp.port: expected int"),
        ("[smtp]\npassword_file = '/nonexistent/pw'\n", "smtp.password_file: cannot read"),
        ("base_url = \n", "cannot read settings"),
    ],
)
def test_bad_settings_name_the_file_and_key(ws, run_cli, text, problem):
    (ws.root / "web.toml").write_text(text)
    result = run_cli("invite", MOU)
    assert result.exit_code == 1
    assert "web.toml" in result.output and problem in result.output
    assert "Traceback" not in result.output
    with pytest.raises(ConfigError):
        from mougen.round.settings import load_smtp

        load_settings(ws.root), load_smtp(ws.root)


def test_users_add_from_a_prompt_and_refuses_short_passwords(run_cli, ws):
    made = run_cli("users", "add", "bob", "--region", "london", input="a long enough secret\n" * 2)
    assert made.exit_code == 0 and "added bob" in made.output
    unscoped = run_cli("users", "add", "dan", input="a long enough secret\n" * 2)
    assert unscoped.exit_code == 1 and "--region" in unscoped.output
    short = run_cli("users", "add", "carol", "--admin", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    bad = run_cli("users", "add", "no spaces allowed", input="x\n")
    assert bad.exit_code == 1 and "user name" in bad.output


def test_invite_names_what_it_cannot_do(run_cli, ws):
    unknown = run_cli("invite", MOU, "--authority", "atlantis")
    assert unknown.exit_code == 1 and "atlantis" in unknown.output
    result = run_cli("invite", MOU, "--authority", AUTHORITY, "--authority", "surrey")
    assert result.exit_code == 0
    assert "not invited: surrey (no email for its dcs)" in result.output
    assert "1 invitation sent" in result.output
    again = run_cli("invite", MOU, "--authority", AUTHORITY)
    assert "0 invitations sent" in again.output, "an open link is not sent twice"


def test_remind_sends_a_fresh_link_to_whoever_is_waiting(run_cli, ws, client):
    assert run_cli("invite", MOU, "--authority", AUTHORITY).exit_code == 0
    first = _link(_outbox(ws)[0])
    assert "0 reminders" in run_cli("remind", MOU, "--after", "7d").output
    result = run_cli("remind", "--after", "0d")
    assert result.exit_code == 0 and f"reminded {MOU} {AUTHORITY} dcs" in result.output
    reminder = _outbox(ws)[-1]
    assert str(reminder["Subject"]).startswith("Reminder: Please sign")
    assert client.get(f"/sign/{first}").status_code == 404
    assert client.get(f"/sign/{_link(reminder)}").status_code == 200
    bad = run_cli("remind", "--after", "soon")
    assert bad.exit_code == 2 and "7d" in bad.output


def test_return_by_date_is_in_the_emails(run_cli, ws, client):
    _login(client)
    page = client.get(f"/rounds/{MOU}")
    saved = client.post(
        f"/rounds/{MOU}/return-by", data={"csrf_token": _csrf(page), "return_by": "2027-01-31"}
    )
    assert saved.status_code == 302
    run_cli("invite", MOU, "--authority", AUTHORITY)
    assert "Please return it by 31 January 2027" in _outbox(ws)[0].get_content()
    assert _outbox(ws)[0]["Reply-To"] is None  # no collection mailbox configured


def test_invitations_ask_for_replies_at_the_collection_mailbox(run_cli, ws):
    (ws.root / "web.toml").write_text(
        '[imap]\nhost = "imap.example.org"\nuser = "sli"\naddress = "returns@example.org"\n'
    )
    run_cli("invite", MOU, "--authority", AUTHORITY)
    assert str(_outbox(ws)[0]["Reply-To"]) == "returns@example.org"


def test_coordinator_upload_passes_the_round_on(ws, client, tmp_path, run_cli, web_programme):
    signers = web_programme.install(ws)
    run_cli("invite", MOU, "--authority", AUTHORITY)
    document = client.get(f"/sign/{_link(_outbox(ws)[0])}/document.pdf")
    assert document.mimetype == "application/pdf"
    (tmp_path / "issued.pdf").write_bytes(document.data)
    signed = signers.sign(tmp_path / "issued.pdf", AUTHORITY, "dcs", tmp_path / "dcs.pdf")
    _login(client)
    page = client.get(f"/rounds/{MOU}")
    form = {"csrf_token": _csrf(page), "file": (io.BytesIO(signed.read_bytes()), "x.pdf")}
    client.post(f"/rounds/{MOU}/upload", data=form, content_type="multipart/form-data")
    assert f"Accepted for {AUTHORITY}: dcs" in client.get(f"/rounds/{MOU}").get_data(as_text=True)
    assert str(_outbox(ws)[-1]["To"]) == email(AUTHORITY, "lead-member")
    again = {"csrf_token": _csrf(page), "file": (io.BytesIO(signed.read_bytes()), "x.pdf")}
    client.post(f"/rounds/{MOU}/upload", data=again, content_type="multipart/form-data")
    with Tracker.open(ws.db_url) as tracker:
        assert len(tracker.signatures(MOU)) == 1, "the same file twice is recorded once"
    assert len(_outbox(ws)) == 2, "and invites nobody twice"


def _issued_pdf(ws, run_cli, client) -> bytes:
    """Invite Milton Keynes and take the PDF its DCS is asked to sign."""
    run_cli("invite", MOU, "--authority", AUTHORITY)
    return client.get(f"/sign/{_link(_outbox(ws)[0])}/document.pdf").data


def test_verify_page_gives_the_report_pdf_and_keeps_nothing(client, ws, run_cli):
    pdf = _issued_pdf(ws, run_cli, client)
    page = client.get("/verify")
    checked = client.post(
        "/verify",
        data={"csrf_token": _csrf(page), "file": (io.BytesIO(pdf), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert "not fully signed" in checked.get_data(as_text=True)
    form = {"csrf_token": _csrf(page), "file": (io.BytesIO(pdf), "a.pdf"), "report": ""}
    answer = client.post("/verify", data=form, content_type="multipart/form-data")
    assert answer.mimetype == "application/pdf" and answer.data.startswith(b"%PDF-")
    assert not any(ws.signed_dir.rglob("*.pdf")) and not (ws.root / "uploads").exists()


def _check(client, data: bytes, *, report: bool = False, **extra):
    form = {"csrf_token": _csrf(client.get("/verify")), "file": (io.BytesIO(data), "a.pdf")}
    if report:
        form["report"] = ""
    return client.post("/verify", data=form, content_type="multipart/form-data", **extra)


def test_verify_is_rate_limited_per_address(ws):
    """Issue 17, item 5: /verify had no rate limit."""
    (ws.root / "web.toml").write_text("verify_per_address = 3\n")
    client = app_for(ws).test_client()
    here = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    answers = [_check(client, b"not a pdf", **here) for _ in range(4)]
    assert [a.status_code for a in answers] == [422, 422, 422, 429]
    assert answers[-1].headers["Retry-After"] == "300"
    elsewhere = {"environ_base": {"REMOTE_ADDR": "198.51.100.10"}}
    assert _check(client, b"not a pdf", **elsewhere).status_code == 422


def test_verify_runs_a_bounded_number_at_once(ws, run_cli, client):
    """Issue 17, item 5: 45 simultaneous uploads kept both cores busy and 20 took 2.2 GB;
    past the pool's slots, an upload waits briefly and is then told to come back."""
    from mougen.web.pool import SLOTS_FOLDER
    from mougen.web.slots import verification_slot

    pdf = _issued_pdf(ws, run_cli, client)
    (ws.root / "web.toml").write_text("verify_workers = 1\nverify_wait_seconds = 1\n")
    busy = app_for(ws).test_client()
    with verification_slot(ws.root / SLOTS_FOLDER, 1, 0):  # another worker holds the only slot
        started = time.monotonic()
        refused = _check(busy, pdf)
        waited = time.monotonic() - started
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert 1 <= waited < 5 and "busy" in refused.get_data(as_text=True)
    assert _check(busy, pdf).status_code == 200, "the slot is free again"


def test_anonymous_checks_are_counted_not_logged(ws, run_cli, client):
    """Issue 17, item 5: every anonymous check wrote a permanent audit event."""
    pdf = _issued_pdf(ws, run_cli, client)
    with Tracker.open(ws.db_url) as tracker:
        before = len(tracker.events())
    for _ in range(3):
        assert _check(client, pdf).status_code == 200
    with Tracker.open(ws.db_url) as tracker:
        assert len(tracker.events()) == before
        counts = RoundStore(tracker).counts("verified-not-valid")
    assert list(counts.values()) == [3]


def test_verify_names_roles_and_certificates_never_configured_contacts(
    ws, run_cli, client, tmp_path, pki
):
    """Issue 17, items 5 and 8: a crafted file's verdict told anyone the configured email of
    a council's signatory, and spoke in ids and jargon with no signing dates."""
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(_issued_pdf(ws, run_cli, client))
    stranger = pki.signer("Sam Stranger", "sam@example.org")
    key = stranger.write_p12(tmp_path / "s.p12", b"pass")
    sign_pdf(
        pdf, "dcs", load_pkcs12(key, b"pass"), tmp_path / "crafted.pdf", when=datetime.now(UTC)
    )
    crafted = (tmp_path / "crafted.pdf").read_bytes()
    page = _check(client, crafted).get_data(as_text=True)
    (tmp_path / "report.pdf").write_bytes(_check(client, crafted, report=True).data)
    report_text = " ".join(pdftotext(tmp_path / "report.pdf").split())
    for configured in (email(AUTHORITY, r) for r in ROLE_IDS):
        assert configured not in page and configured not in report_text
    assert "configured" not in page and "configured" not in report_text
    assert "Sam Stranger" in page and "Director of Children" in page
    assert "Milton Keynes" in page and "TOTAL_" not in page and MOU not in page
    assert f"{datetime.now(UTC).day} {datetime.now(UTC):%B %Y}" in page, "the signing date"
    with Tracker.open(ws.db_url) as tracker:  # the coordinator still learns who it should be
        checker = Checker(VerificationSpec(Settings(), WorkspaceRecords.of(ws, tracker)))
        found = checker.check_bytes(crafted, "crafted.pdf").provenance
    assert found is not None and any(email(AUTHORITY, "dcs") in p for p in found.problems)


def _field_list_bomb() -> bytes:
    """A 2 MB PDF whose form lists a million fields: cheap to send, dear to read."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    fields = ArrayObject([NumberObject(7)] * 1_000_000)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_verification_is_held_to_time_and_memory(ws, run_cli, client):
    data = _issued_pdf(ws, run_cli, client)
    with pytest.raises(TooCostly, match="longer than 0 s"):
        verify_limited(data, "a.pdf", Settings(), Sandbox(seconds=0, memory_mb=1024))
    with pytest.raises(TooCostly, match="more than 100 MB"):
        verify_limited(_field_list_bomb(), "a.pdf", Settings(), Sandbox(60, memory_mb=100))
    assert verify_limited(data, "a.pdf", Settings(), Sandbox(60, memory_mb=100)).missing_roles


def test_links_expire(ws, app, run_cli):
    run_cli("invite", MOU, "--authority", AUTHORITY)
    token = _link(_outbox(ws)[0])
    store = app.extensions["mougen"].store
    assert store.find_link(token) is not None
    with store.tracker.transaction() as session:
        row = session.scalars(select(LinkRow)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert store.find_link(token) is None


def test_the_service_runs_on_the_one_clock_create_app_is_given(ws):
    moment = [datetime(2031, 5, 6, 9, 0, tzinfo=UTC)]
    app = create_app(ws, clock=lambda: moment[0])
    client = app.test_client()
    _login(client)
    page = client.get(f"/rounds/{MOU}")
    client.post(f"/rounds/{MOU}/invite", data={"csrf_token": _csrf(page)})
    [message] = [m for m in _outbox(ws) if str(m["To"]) == email(AUTHORITY, "dcs")]
    assert message["Date"].datetime == moment[0]
    store = app.extensions["mougen"].store
    token = _link(message)
    assert store.find_link(token) is not None
    moment[0] += timedelta(days=29)  # past the link's 28 days on the service's clock only
    assert store.find_link(token) is None
    assert store.tracker.events()[-1].at.date() == moment[0].date() - timedelta(days=29)


def test_upload_too_large_is_refused_before_it_is_read(ws):
    (ws.root / "web.toml").write_text("upload_limit_mb = 1\n")
    client = app_for(ws).test_client()
    page = client.get("/verify")
    big = io.BytesIO(b"%PDF-" + b"0" * (2 * 1024 * 1024))
    form = {"csrf_token": _csrf(page), "file": (big, "a.pdf")}
    answer = client.post("/verify", data=form, content_type="multipart/form-data")
    assert answer.status_code == 413 and "larger than 1 MB" in answer.get_data(as_text=True)


def test_non_pdf_is_refused(client):
    page = client.get("/verify")
    form = {"csrf_token": _csrf(page), "file": (io.BytesIO(b"hello"), "a.pdf")}
    answer = client.post("/verify", data=form, content_type="multipart/form-data")
    assert answer.status_code == 422 and "not a PDF" in answer.get_data(as_text=True)


def test_pages_need_login(client):
    for path in ("/", f"/rounds/{MOU}", f"/rounds/{MOU}/status.csv", f"/rounds/{MOU}/executed.zip"):
        assert client.get(path).status_code == 302


def test_dashboard_and_report_for_a_coordinator(client):
    _login(client)
    assert MOU in client.get("/").get_data(as_text=True)
    report = client.get("/report")
    assert report.status_code == 200 and "script" not in report.headers["Content-Security-Policy"]
    assert client.get(f"/rounds/{MOU}/executed.zip").mimetype == "application/zip"
    assert client.get("/rounds/no-such-mou").status_code == 404


def test_signatory_page_frames_only_its_own_document(ws, run_cli, client):
    run_cli("invite", MOU, "--authority", AUTHORITY)
    token = _link(_outbox(ws)[0])
    page = client.get(f"/sign/{token}")
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    assert f'<iframe class="mougen-document" src="/sign/{token}/document.pdf"' in page.get_data(
        as_text=True
    )
    document = client.get(f"/sign/{token}/document.pdf")
    assert document.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert document.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/login").headers["X-Frame-Options"] == "DENY"


def test_send_new_link_replaces_the_old_one(ws, run_cli, client, app):
    run_cli("invite", MOU, "--authority", AUTHORITY)
    old = _link(_outbox(ws)[0])
    _login(client)
    page = client.get(f"/rounds/{MOU}")
    form = {"csrf_token": _csrf(page), "authority": AUTHORITY}
    assert client.post(f"/rounds/{MOU}/invite", data=form).status_code == 302
    new = _link(_outbox(ws)[-1])
    signatory = app.test_client()
    assert signatory.get(f"/sign/{old}").status_code == 404
    assert signatory.get(f"/sign/{new}").status_code == 200


def test_client_address_behind_a_proxy(ws):
    (ws.root / "web.toml").write_text("proxy_hops = 1\n")
    client = app_for(ws).test_client()
    _login(client, headers={"X-Forwarded-For": "203.0.113.9"})
    with Tracker.open(ws.db_url) as tracker:
        [login] = [e for e in tracker.events() if e.kind == "login-ok"]
    assert login.detail["address"] == "203.0.113.9"


def test_serve_starts_the_service(ws):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "mougen", "-w", str(ws.root), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    assert b"Coordinator sign in" in r.read()
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(20)
    said = server.stderr.read().decode()
    assert (
        f"emails link to http://127.0.0.1:8000, but the service listens on 127.0.0.1:{port}" in said
    )


def test_serve_warns_about_what_production_needs():
    """Issue 17: `serve` warns when the link base and the listening address disagree, and
    outside the machine when TLS, secure cookies, region scopes or log handling are missing."""
    from mougen.round.records import Account
    from mougen.round.settings import WebSettings
    from mougen.web.startup import startup_warnings

    admin = [Account(1, "ann", None, 0, "")]
    local = startup_warnings(WebSettings(), "127.0.0.1", 8000, REPO / "none", admin)
    assert local == []
    moved = startup_warnings(WebSettings(), "127.0.0.1", 8123, REPO / "none", admin)
    assert len(moved) == 1 and "http://127.0.0.1:8000" in moved[0] and "8123" in moved[0]
    public = " ".join(startup_warnings(WebSettings(), "0.0.0.0", 8000, REPO / "none", admin))
    for needed in ("https://", "secure_cookies", "--region", "logs"):
        assert needed in public
    safe = WebSettings(base_url="https://mou.example.org", secure_cookies=True)
    scoped = [*admin, Account(2, "lon", ("london",), 0, "")]
    [only_logs] = startup_warnings(safe, "0.0.0.0", 8000, REPO / "none", scoped)
    assert "gunicorn" in only_logs


def test_what_signatories_and_coordinators_read(ws, run_cli, client, app, tmp_path):
    """Issue 17, item 8: emails without Date or Message-ID, from mougen@localhost; "No
    signatures: nothing to collect" told to a signatory; "Send new link" offered for
    authorities never invited and without an email."""
    (ws.root / "web.toml").write_text('coordinator_email = "sli@coordinator.example"\n')
    run_cli("invite", MOU, "-a", AUTHORITY)
    [message] = _outbox(ws)
    assert message["Date"] and message["Message-ID"].endswith("@coordinator.example>")
    assert "sli@coordinator.example" in message["From"]
    token = _link(message)
    signatory = app_for(ws).test_client()
    unsigned = signatory.get(f"/sign/{token}/document.pdf").data
    form = {
        "csrf_token": _csrf(signatory.get(f"/sign/{token}")),
        "file": (io.BytesIO(unsigned), "a.pdf"),
    }
    told = signatory.post(f"/sign/{token}", data=form, content_type="multipart/form-data")
    text = told.get_data(as_text=True)
    assert told.status_code == 422 and "nothing to collect" not in text
    assert "has not been signed" in text and "Director of Children" in text
    _login(client)
    grid = client.get(f"/rounds/{MOU}").get_data(as_text=True)
    assert grid.count("Send new link") == 1, "only Milton Keynes was invited"
    assert "Send invitation" in grid, "Kent has emails but was never invited"
    assert "No email for whoever signs next" in grid, "the others have no email"


def test_the_header_follows_the_gov_uk_pattern(client):
    """Issue 17, item 8: the service name sat centred in the header."""
    page = client.get("/verify").get_data(as_text=True)
    header = page[page.index("<header") : page.index("</header>")]
    assert "govuk-header__service-name" not in header and "govuk-header__content" not in header
    assert re.search(r'govuk-service-navigation__service-name">\s*<a href="/verify"', page)
    assert page.index("</header>") < page.index("Sector-led improvement MoUs")


def test_coordinator_rejections_show_on_the_round_page(ws, client):
    _login(client)
    page = client.get(f"/rounds/{MOU}")
    form = {"csrf_token": _csrf(page), "file": (io.BytesIO(b"not a pdf"), "x.pdf")}
    client.post(f"/rounds/{MOU}/upload", data=form, content_type="multipart/form-data")
    grid = client.get(f"/rounds/{MOU}").get_data(as_text=True)
    assert "Upload rejected: this is not a PDF file" in grid
    rejected = grid[grid.index('id="rejected"') :]
    assert "this is not a PDF file" in rejected and "ann" in rejected


def test_a_failed_email_does_not_undo_an_accepted_upload(
    ws, client, tmp_path, run_cli, web_programme
):
    signers = web_programme.install(ws)
    run_cli("invite", MOU, "--authority", AUTHORITY)
    token = _link(_outbox(ws)[0])
    (tmp_path / "issued.pdf").write_bytes(client.get(f"/sign/{token}/document.pdf").data)
    signed = signers.sign(tmp_path / "issued.pdf", AUTHORITY, "dcs", tmp_path / "dcs.pdf")
    port = free_port()  # nothing listens there
    (ws.root / "web.toml").write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n')
    signatory = app_for(ws).test_client()
    page = signatory.get(f"/sign/{token}")
    form = {"csrf_token": _csrf(page), "file": (io.BytesIO(signed.read_bytes()), "s.pdf")}
    answer = signatory.post(f"/sign/{token}", data=form, content_type="multipart/form-data")
    assert "Signature accepted" in answer.get_data(as_text=True)
    with Tracker.open(ws.db_url) as tracker:
        assert [s.role for s in tracker.signatures(MOU)] == ["dcs"]
        [failed] = [e for e in tracker.events() if e.kind == "email-failed"]
    assert f"127.0.0.1:{port}" in failed.detail["reason"]


def _signed_for_dcs(ws, client, tmp_path, signers, copies: int = 1) -> tuple[str, list[bytes]]:
    """Invite the authority, and sign its issued PDF for the DCS ``copies`` times (each
    signature differs: a new CMS blob each time)."""
    token = _link(_outbox(ws)[0])
    (tmp_path / "issued.pdf").write_bytes(client.get(f"/sign/{token}/document.pdf").data)
    files = [
        signers.sign(tmp_path / "issued.pdf", AUTHORITY, "dcs", tmp_path / f"d{n}.pdf").read_bytes()
        for n in range(copies)
    ]
    return token, files


def test_simultaneous_uploads_on_one_link_accept_one(
    ws, app, client, tmp_path, run_cli, web_programme
):
    """Issue 17, item 1: four simultaneous uploads on one link were all "accepted", and two
    DCS signatures were recorded."""
    signers = web_programme.install(ws)
    run_cli("invite", MOU, "--authority", AUTHORITY)
    token, files = _signed_for_dcs(ws, client, tmp_path, signers, copies=4)
    service = app.extensions["mougen"]
    link = service.store.find_link(token)

    def upload(data: bytes) -> str:
        try:
            service.receive(data, Actor("signatory", None), link)
        except Rejection as exc:
            return str(exc)
        return "accepted"

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(upload, files))
    assert answers.count("accepted") == 1, answers
    assert all("used or closed" in a for a in answers if a != "accepted")
    with Tracker.open(ws.db_url) as tracker:
        assert [s.role for s in tracker.signatures(MOU)] == ["dcs"]
        assert tracker.verify_log() == []
    invited = [str(m["To"]) for m in _outbox(ws)]
    assert invited.count(email(AUTHORITY, "lead-member")) == 1


def _coordinator_upload(client, mou: str, data: bytes) -> str:
    page = client.get(f"/rounds/{mou}")
    form = {"csrf_token": _csrf(page), "file": (io.BytesIO(data), "x.pdf")}
    answer = client.post(
        f"/rounds/{mou}/upload",
        data=form,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return answer.get_data(as_text=True)


def _sign_on(client, token: str, data: bytes):
    form = {"csrf_token": _csrf(client.get("/verify")), "file": (io.BytesIO(data), "signed.pdf")}
    return client.post(f"/sign/{token}", data=form, content_type="multipart/form-data")


def test_a_finished_mou_cannot_be_replaced_through_an_old_link(
    ws, app, client, tmp_path, run_cli, web_programme
):
    """Issue 17, item 1: a coordinator upload filled the Lead Member's role, their own link
    stayed open, and after completion it accepted the DCS-only file signed again, which
    then became the executed MoU (its certificate said "Fully executed: NO")."""
    signers = web_programme.install(ws)
    run_cli("invite", MOU, "--authority", AUTHORITY)
    dcs_token, [dcs_file] = _signed_for_dcs(ws, client, tmp_path, signers)
    signatory = app.test_client()
    assert _sign_on(signatory, dcs_token, dcs_file).status_code == 200
    lead_token = _link(_outbox(ws)[-1])
    lead = signers.sign(tmp_path / "d0.pdf", AUTHORITY, "lead-member", tmp_path / "lm.pdf")
    _login(client)
    assert "Accepted for" in _coordinator_upload(client, MOU, lead.read_bytes())
    assert signatory.get(f"/sign/{lead_token}").status_code == 404, "filled by another route"
    cx_token = _link(_outbox(ws)[-1])
    cx = signers.sign(lead, AUTHORITY, "chief-executive", tmp_path / "cx.pdf")
    assert _sign_on(signatory, cx_token, cx.read_bytes()).status_code == 200
    executed = client.get(f"/rounds/{MOU}/{AUTHORITY}/executed.pdf").data
    assert executed == cx.read_bytes()
    # The attack: the DCS-only file signed again for the Lead Member, on the old link...
    again = signers.sign(tmp_path / "d0.pdf", AUTHORITY, "lead-member", tmp_path / "lm2.pdf")
    assert _sign_on(signatory, lead_token, again.read_bytes()).status_code == 404
    # ... and through the round itself, as if the link had been held open.
    service = app.extensions["mougen"]
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as s:
        row = s.scalar(select(LinkRow).where(LinkRow.role == "lead-member"))
        stale = service.store.link(row.id)
    with pytest.raises(Rejection, match="used or closed"):
        service.receive(
            again.read_bytes(), Actor("signatory", None), replace(stale, revoked_at=None)
        )
    with pytest.raises(Rejection, match="fully executed already"):
        service.receive(again.read_bytes(), Actor("ann", None), mou=MOU)
    assert client.get(f"/rounds/{MOU}/{AUTHORITY}/executed.pdf").data == executed
    with Tracker.open(ws.db_url) as tracker:
        assert sorted(s.role for s in tracker.signatures(MOU)) == sorted(ROLE_IDS)
        assert tracker.verify_log() == []
        with tracker.reading() as s:
            open_links = s.scalars(
                select(LinkRow).where(LinkRow.accepted_at.is_(None), LinkRow.revoked_at.is_(None))
            ).all()
    assert open_links == [], "completion closes every link of the authority"


def test_a_coordinator_upload_under_one_round_takes_only_its_documents(
    ws, app, client, tmp_path, run_cli, web_programme
):
    """Issue 17, item 1: a coordinator upload under one round's URL accepts only that round's
    documents."""
    signers = web_programme.install(ws)
    run_cli("invite", MOU, "--authority", AUTHORITY)
    _, [dcs_file] = _signed_for_dcs(ws, client, tmp_path, signers)
    _login(client)
    answer = _coordinator_upload(client, "se-2018", dcs_file)
    assert "not one of this round" in answer
    with Tracker.open(ws.db_url) as tracker:
        assert tracker.signatures(MOU) == []


def test_migration_0003_adds_the_web_tables_to_a_0002_tracker(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0002")
        assert "web_links" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"web_users", "web_links", "web_emails", "web_uploads", "web_rounds"} <= tables
        with engine.begin() as connection:
            command.downgrade(_config(connection), "0002")
        assert "web_links" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()

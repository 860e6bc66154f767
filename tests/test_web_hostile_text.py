"""Issue 17, item 6: secrets kept out of logs and caches, files made private, and hostile
text (formulas in CSV cells, line breaks in names) made harmless."""

from __future__ import annotations

import csv
import io
import stat

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from mougen.errors import MougenError
from mougen.round import emails
from mougen.round.records import Actor
from mougen.round.tables import LinkRow
from mougen.tracker import Tracker
from mougen.web.redact import redact
from mougen.workspace import Workspace
from tests.test_web import _link, _login, _outbox, app, app_for, client, prepared, ws
from tests.webround import AUTHORITY, MOU

__all__ = ["app", "client", "prepared", "ws"]  # the fixtures shared with test_web

FORMULA = '=HYPERLINK("http://attacker.example/","Click")'


def _rename(ws: Workspace, old: str, new: str) -> None:
    path = ws.regions_dir / "south-east.yaml"
    path.write_text(path.read_text().replace(old, new, 1))


def test_tokens_never_reach_the_access_log(ws, run_cli):
    """`GET /sign/<token>` put every signatory token in the access log."""
    assert redact("/sign/abc_DEF-123/document.pdf") == "/sign/[redacted]/document.pdf"
    run_cli("invite", MOU, "-a", AUTHORITY)
    token = _link(_outbox(ws)[0])
    environ = EnvironBuilder(path=f"/sign/{token}").get_environ()
    environ["RAW_URI"] = f"/sign/{token}"  # as gunicorn sets it
    statuses = []
    b"".join(app_for(ws).wsgi_app(environ, lambda status, _headers: statuses.append(status)))
    assert statuses == ["200 OK"]
    # What a WSGI server logs from, once the application has answered:
    assert environ["RAW_URI"] == environ["PATH_INFO"] == "/sign/[redacted]"


def test_database_journal_and_outbox_are_private(ws, run_cli):
    """The tracker database was created 0644."""
    for leftover in ws.root.glob("mougen.db*"):
        leftover.unlink()
    run_cli("invite", MOU, "-a", AUTHORITY)
    made = sorted(ws.root.glob("mougen.db*"))
    assert made and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made), made
    outbox = ws.root / "outbox"
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in outbox.iterdir())


def test_the_signatory_document_is_never_cached(ws, run_cli, client):
    """/sign/<token>/document.pdf was sent `Cache-Control: no-cache` with an ETag."""
    run_cli("invite", MOU, "-a", AUTHORITY)
    answer = client.get(f"/sign/{_link(_outbox(ws)[0])}/document.pdf")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "ETag" not in answer.headers


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_formulas_are_neutralised_in_every_csv(ws, run_cli, client):
    """status.csv wrote a certificate CN beginning `=HYPERLINK(` as it was."""
    _rename(ws, "name: Milton Keynes\n", f"name: '{FORMULA}'\n")
    run_cli("invite", MOU, "-a", AUTHORITY)
    _login(client)
    outputs = {
        "status --csv": run_cli("status", MOU, "--csv").output,
        "chase": run_cli("chase", MOU).output,
        "round CSV": client.get(f"/rounds/{MOU}/status.csv").get_data(as_text=True),
    }
    for where, text in outputs.items():
        cells = _cells(text)
        assert "'" + FORMULA in cells, where
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), where


def test_a_line_break_in_a_login_name_cannot_forge_an_audit_line(ws, client, run_cli):
    """A login name with a line break forged a line in `mougen audit log`."""
    forged = "x\n999999  2030-01-01 00:00:00  user-added  mallory"
    _login(client, name=forged)
    shown = run_cli("audit", "log").output
    assert "mallory" in shown and not any(line.startswith("999999") for line in shown.splitlines())
    with Tracker.open(ws.db_url) as tracker:
        [event] = [e for e in tracker.events() if e.kind == "login-wrong"]
        assert "\n" not in event.subject and "\n" not in event.detail["by"]
        assert tracker.verify_log() == []


def test_a_line_break_in_a_name_is_refused_when_the_region_file_is_read(ws, run_cli):
    """A line break in an authority's name made `invite` exit 70 and the web resend answer
    500, each time leaving a link that nobody was sent."""
    _rename(ws, "name: Milton Keynes\n", 'name: "Milton\\nKeynes"\n')
    invited = run_cli("invite", MOU, "-a", AUTHORITY)
    assert invited.exit_code == 1, invited.output
    [line] = invited.output.splitlines()
    assert "south-east.yaml" in line and "line break" in line
    assert _links(ws) == 0


def test_no_link_is_made_before_its_email_can_be_built(ws, app, monkeypatch):
    def cannot_build(*_args, **_kwargs):
        raise MougenError("cannot build the email")

    monkeypatch.setattr(emails, "invitation", cannot_build)
    service = app.extensions["mougen"]
    with pytest.raises(MougenError):
        service.invite(MOU, [AUTHORITY], Actor("ann", None))
    assert _links(ws) == 0


def _links(ws: Workspace) -> int:
    with Tracker.open(ws.db_url) as tracker, tracker.reading() as s:
        return s.scalar(select(func.count()).select_from(LinkRow))

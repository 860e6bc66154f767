"""Two tabs confirming the same code at the same moment, through gunicorn with two workers:
exactly one signature, one filed document, and the other tab refused."""

from __future__ import annotations

import re
import threading

import pytest
import requests

from mougen.roles import ROLE_IDS
from mougen.tracker import Tracker
from tests.conftest import backend_url
from tests.remoteround import served_remote_round
from tests.softhsm import soft_token
from tests.webround import AUTHORITY, MOU, email

pytestmark = pytest.mark.slow

TABS = 2


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, workspace) -> str:
    return backend_url(request, workspace.db_url)


def _csrf(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def _confirm_at_once(url: str, session: requests.Session, csrf: str, code: str) -> list:
    """``TABS`` threads POSTing the same code with the same session, released together."""
    start = threading.Barrier(TABS)
    answers: list = []

    def tab() -> None:
        start.wait()
        form = {"csrf_token": csrf, "code": code}
        answers.append(session.post(f"{url}/remote/confirm", data=form, timeout=120))

    threads = [threading.Thread(target=tab) for _ in range(TABS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_two_tabs_confirming_one_code_sign_once(workspace, db_url, tmp_path, run_cli):
    role = ROLE_IDS[0]
    with (
        soft_token(tmp_path / "softhsm") as token,
        served_remote_round(workspace, token, db_url, run_cli) as (ws, _, mailbox),
    ):
        invitation = mailbox.wait_for(email(AUTHORITY, role), "Please sign").get_content()
        link = re.search(r"(http://\S+/sign/\S+)", invitation).group(1)
        session = requests.Session()
        csrf = _csrf(session.get(link, timeout=60).text)
        asked = session.post(f"{link}/remote/code", data={"csrf_token": csrf, "read": "y"})
        assert asked.status_code == 200, asked.text
        message = mailbox.wait_for(email(AUTHORITY, role), "Your signing code")
        code = re.search(r"^\s+(\d{6})\s*$", message.get_content(), re.M).group(1)
        answers = _confirm_at_once(link, session, _csrf(asked.text), code)
    log = (ws.root / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in log
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) == 1, statuses
    assert all(s in (200, 404, 422, 503) for s in statuses), statuses
    signed = next(a for a in answers if a.status_code == 200)
    assert "You have signed as" in signed.text
    with Tracker.open(db_url) as tracker:
        signatures = [s for s in tracker.signatures(MOU) if s.authority == AUTHORITY]
        kinds = [e.kind for e in tracker.events()]
    assert [s.role for s in signatures] == [role]
    assert kinds.count("remote-signed") == 1 and kinds.count("remote-code-accepted") == 1
    assert len(list(ws.signed_dir.rglob("*.pdf"))) == 1

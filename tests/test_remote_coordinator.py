"""A coordinator cannot make a remote signature: signed in, every coordinator page and every
try at the remote-signing routes without the signatory's link and emailed code signs nothing."""

from __future__ import annotations

import re

from mougen.round.tokens import token_hash
from mougen.tracker import Tracker
from mougen.web.app import create_app
from tests.remoteround import code_in_email, link_token, remote_workspace
from tests.softhsm import soft_token
from tests.test_remote_web import _csrf, _login
from tests.webround import AUTHORITY, MOU

#: Values for the coordinator routes' URL parts.
_PARTS = {"mou": MOU, "slug": AUTHORITY}


def _nothing_signed(ws) -> None:
    with Tracker.open(ws.db_url) as tracker:
        assert tracker.signatures(MOU) == []
        kinds = {e.kind for e in tracker.events()}
    assert "remote-signed" not in kinds and "remote-code-accepted" not in kinds


def _walk_coordinator_routes(app, client, link_id: int) -> list[str]:
    """Every coordinator route, as a signed-in coordinator would use it; the rules walked."""
    csrf = _csrf(client.get(f"/rounds/{MOU}"))
    walked = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("coordinator.") or rule.endpoint.endswith("logout"):
            continue
        url = rule.rule
        for part, value in {**_PARTS, "int:link_id": str(link_id)}.items():
            url = url.replace(f"<{part}>", value)
        if "POST" in rule.methods:
            client.post(url, data={"csrf_token": csrf, "authority": AUTHORITY})
        else:
            client.get(url)
        walked.append(rule.rule)
    return walked


def test_a_coordinator_cannot_sign_remotely(workspace, tmp_path, run_cli):
    with soft_token(tmp_path / "softhsm") as token:
        ws, _ = remote_workspace(workspace, token, own=None)
        app = create_app(ws)
        client = app.test_client()
        assert run_cli("invite", MOU, "--authority", AUTHORITY).exit_code == 0
        _login(client, run_cli, tmp_path)
        page = client.get(f"/rounds/{MOU}").get_data(as_text=True)
        link_id = int(re.search(rf"/rounds/{MOU}/links/(\d+)/revoke", page).group(1))
        walked = _walk_coordinator_routes(app, client, link_id)
        assert "/rounds/<mou>/upload" in walked and "/rounds/<mou>/invite" in walked
        _nothing_signed(ws)
        # What a coordinator can see of a link (its id, its hash in the tracker) opens nothing.
        link = link_token(ws, "dcs")
        csrf = _csrf(client.get(f"/rounds/{MOU}"))
        for guess in (str(link_id), token_hash(link), "not-a-link"):
            for step in ("code", "confirm"):
                form = {"csrf_token": csrf, "read": "y", "code": "123456"}
                answer = client.post(f"/sign/{guess}/remote/{step}", data=form)
                assert answer.status_code == 404, (guess, step)
        # With the link but not the code: a request emails the signatory, and no guess signs.
        asked = client.post(f"/sign/{link}/remote/code", data={"csrf_token": csrf, "read": "y"})
        assert asked.status_code == 200
        csrf = _csrf(asked)
        code = code_in_email(ws, "dcs")
        for guess in [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 6)]:
            answer = client.post(
                f"/sign/{link}/remote/confirm", data={"csrf_token": csrf, "code": guess}
            )
            assert answer.status_code == 422, answer.get_data(as_text=True)
        _nothing_signed(ws)

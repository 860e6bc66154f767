"""A workspace whose Milton Keynes signatories sign remotely: signatory emails, a programme
CA, their keys made in a SoftHSM2 token, and the codes and links read from ``outbox/``."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy

from mougen.pki import RegionCa, configured_signatory, init_ca, load_ca
from mougen.pki.revocation import publish_crl
from mougen.remote.credentials import enrol
from mougen.workspace import Workspace
from tests.softhsm import SoftToken
from tests.webround import AUTHORITY, COORDINATOR, MOU, add_signatory_emails, email
from tests.webserver import Gunicorn, Mailbox, free_port, start_smtp, write_settings


def outbox(ws: Workspace) -> list:
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((ws.root / "outbox").glob("*.eml"))
    ]


def last_to(ws: Workspace, to: str, subject: str):
    return [m for m in outbox(ws) if str(m["To"]) == to and subject in str(m["Subject"])][-1]


def link_token(ws: Workspace, role: str) -> str:
    message = last_to(ws, email(AUTHORITY, role), "Please sign")
    return re.search(r"/sign/(\S+)", message.get_content()).group(1)


def code_in_email(ws: Workspace, role: str) -> str:
    message = last_to(ws, email(AUTHORITY, role), "Your signing code")
    return re.search(r"^\s+(\d{6})\s*$", message.get_content(), re.M).group(1)


def remote_workspace(
    workspace: Workspace, token: SoftToken, own: str | None
) -> tuple[Workspace, RegionCa]:
    """Milton Keynes' signatories sign remotely (``own`` with their own certificate), their
    keys made in ``token`` by the region's programme CA."""
    add_signatory_emails(workspace)
    path = workspace.regions_dir / "south-east.yaml"
    text = path.read_text().replace("region:\n", "region:\n  signs: remote\n", 1)
    path.write_text(text)
    if own:
        from ruamel.yaml import YAML

        yaml = YAML()
        data = yaml.load(path)
        mk = next(a for a in data["authorities"] if a["slug"] == AUTHORITY)
        mk["signatories"][own]["signs"] = "own"
        yaml.dump(data, path)
    (workspace.root / "web.toml").write_text(token.web_toml())
    ws = Workspace(workspace.root)
    secret = secrets.token_urlsafe(12).encode()
    init_ca(ws, "south-east", secret, when=datetime.now(UTC))
    ca = load_ca(ws, "south-east", secret)
    publish_crl(ws, ca, "south-east", when=datetime.now(UTC))
    for role in ("dcs", "lead-member", "chief-executive"):
        if role != own:
            enrol(
                ws,
                ca,
                configured_signatory(ws, AUTHORITY, role)[1],
                token.settings,
                when=datetime.now(UTC),
            )
    return ws, ca


@contextmanager
def served_remote_round(
    workspace: Workspace, token: SoftToken, db_url: str, run_cli
) -> Iterator[tuple[Workspace, Gunicorn, Mailbox]]:
    """Milton Keynes invited, all three signing remotely, served by gunicorn (two workers)
    on ``db_url`` with mail caught by aiosmtpd; the server's log is in ``server.log`` after."""
    ws, _ = remote_workspace(workspace, token, own=None)
    ws = Workspace(ws.root, db_url)
    controller, mailbox = start_smtp()
    port = free_port()
    write_settings(ws, port, controller.port, COORDINATOR)
    with (ws.root / "web.toml").open("a") as settings:
        settings.write(token.web_toml())
    result = run_cli("--db", db_url, "invite", MOU, "--authority", AUTHORITY)
    assert result.exit_code == 0, result.output
    server = Gunicorn(ws, db_url, port)
    try:
        yield ws, server, mailbox
    finally:
        server.stop()
        controller.stop()

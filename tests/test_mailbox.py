"""collect --mailbox against a real Dovecot: signed PDFs returned by email, accepted exactly
as an inbox file would be, recorded with their message, answered, and filed away once."""

# ruff: noqa: F811 (the collect tests' fixtures, imported, are named as test arguments)
from __future__ import annotations

import json
import os
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from imapclient import IMAPClient

from mougen.tracker import Tracker
from tests.imapserver import PASSWORD, ImapServer, ImapUnavailable
from tests.test_collect import (  # noqa: F401 (fixtures)
    MOU,
    _configure_dcs_email,
    _sign,
    issued,
    module_pki,
    pki,
    prepared,
)


@pytest.fixture(scope="module")
def server():
    try:
        imap = ImapServer()
        imap.start()
    except ImapUnavailable as exc:
        pytest.skip(str(exc))
    yield imap
    imap.remove()


@pytest.fixture
def mailbox(server, monkeypatch, workspace, pki):
    """A fresh user's mailbox on the server, trusted and with its password in the environment;
    returns (server, user)."""
    user = server.new_user()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    monkeypatch.setenv("MOUGEN_IMAP_PASSWORD", PASSWORD)
    return server, user


def _client(server: ImapServer, user: str) -> IMAPClient:
    client = IMAPClient(
        "127.0.0.1", port=server.port, ssl=True, ssl_context=ssl.create_default_context()
    )
    client.login(user, PASSWORD)
    return client


def append(mailbox, message: EmailMessage | bytes) -> None:
    server, user = mailbox
    client = _client(server, user)
    data = message if isinstance(message, bytes) else message.as_bytes()
    client.append("INBOX", data)
    client.logout()


def folders(mailbox) -> dict[str, int]:
    """Each folder of the mailbox and how many messages it holds."""
    server, user = mailbox
    client = _client(server, user)
    counts = {
        name: client.folder_status(name, ["MESSAGES"])[b"MESSAGES"]
        for flags, _sep, name in client.list_folders()
        if b"\\Noselect" not in flags
    }
    client.logout()
    return {name.replace(".", "/"): n for name, n in counts.items()}


def letter(*files: tuple[str, bytes], sender: str = "Michael Bracey <dcs@example.org>"):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "returns@example.org"
    message["Subject"] = "Re: MoU for signature"
    message["Message-ID"] = make_msgid(domain="example.org")
    message["Date"] = "Fri, 04 Dec 2026 10:00:00 +0000"
    message.set_content("Signed copy attached.")
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message


def collect(run_cli, mailbox, tmp_path: Path, *extra: str):
    server, user = mailbox
    trust = ("--trust", str(tmp_path / "root.pem"))
    return run_cli("collect", "--mailbox", server.url(user), *trust, *extra)


def signed(pki, issued, tmp_path: Path, slug: str = "kent", role: str = "dcs") -> bytes:
    return _sign(pki, issued[slug], role, tmp_path / f"{slug}-{role}.pdf").read_bytes()


def _signatures(workspace) -> list:
    with Tracker.open(workspace.db_url) as tracker:
        return tracker.signatures(MOU)


def _receipts(workspace) -> list:
    with Tracker.open(workspace.db_url) as tracker:
        return tracker.receipts()


def _answers(workspace) -> list[str]:
    return [p.read_text() for p in sorted((workspace.root / "outbox").glob("*.eml"))]


def test_a_reply_with_the_signed_pdf_is_accepted_recorded_and_answered(
    run_cli, workspace, issued, pki, tmp_path, mailbox
):
    message = letter(("signed.pdf", signed(pki, issued, tmp_path)))
    append(mailbox, message)
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert "-> mougen" in result.output
    [signature] = _signatures(workspace)
    assert (signature.authority, signature.role) == ("kent", "dcs")
    [receipt] = _receipts(workspace)
    assert receipt.accepted and receipt.message_id == message["Message-ID"]
    assert receipt.sender == "Michael Bracey <dcs@example.org>"
    assert receipt.sent == "Fri, 04 Dec 2026 10:00:00 +0000"
    assert folders(mailbox) == {"INBOX": 0, "mougen/processed": 1}
    [answer] = _answers(workspace)
    assert "accepted for the Director of Children" in answer and "of Kent" in answer
    assert f"In-Reply-To: {message['Message-ID']}" in answer
    # the event log holds the message's sender, date and Message-ID
    with Tracker.open(workspace.db_url) as tracker:
        [mailed] = [e for e in tracker.events() if e.kind == "mailed"]
    assert mailed.detail["message_id"] == message["Message-ID"]
    status = json.loads(run_cli("status", MOU, "--json").output)
    [kent] = [row for row in status if row["authority"] == "kent"]
    assert kent["roles"]["dcs"]["via"]["message_id"] == message["Message-ID"]
    dashboard = tmp_path / "dashboard.html"
    assert run_cli("report", MOU, "--html", str(dashboard)).exit_code == 0
    assert "returned by email from Michael Bracey" in dashboard.read_text()

    again = collect(run_cli, mailbox, tmp_path)
    assert again.exit_code == 0 and "0 accepted, 0 not" in again.output
    assert len(_signatures(workspace)) == 1 and len(_answers(workspace)) == 1


def test_two_attachments_one_right_one_not_bound_to_that_authority(
    run_cli, workspace, issued, pki, tmp_path, mailbox
):
    _configure_dcs_email(workspace)  # dcs@example.org no longer signs for Milton Keynes
    right = signed(pki, issued, tmp_path, "kent")
    wrong = signed(pki, issued, tmp_path, "milton-keynes")
    append(mailbox, letter(("kent.pdf", right), ("mk.pdf", wrong)))
    result = collect(run_cli, mailbox, tmp_path, "--json")
    assert result.exit_code == 1
    [entry] = json.loads(result.output)
    assert [f["accepted"] for f in entry["files"]] == [True, False]
    assert entry["folder"].replace(".", "/") == "mougen/rejected"
    assert [s.authority for s in _signatures(workspace)] == ["kent"]
    [answer] = _answers(workspace)
    assert "kent.pdf: received and accepted" in answer and "mk.pdf: not accepted" in answer


def test_a_forwarded_message_carries_the_pdf(run_cli, workspace, issued, pki, tmp_path, mailbox):
    inner = letter(("signed.pdf", signed(pki, issued, tmp_path)))
    outer = letter(sender="PA to the DCS <pa@example.org>")
    outer.add_attachment(inner)  # a message/rfc822 part
    append(mailbox, outer)
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(_signatures(workspace)) == 1
    assert "pa@example.org" in _receipts(workspace)[0].sender


def test_a_message_without_a_pdf_stays_and_is_reported_once(
    run_cli, workspace, issued, tmp_path, mailbox
):
    append(mailbox, letter())
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 1
    assert "left in the mailbox: no PDF attached" in result.output
    assert folders(mailbox) == {"INBOX": 1}
    assert "0 accepted, 0 not" in collect(run_cli, mailbox, tmp_path).output
    assert _answers(workspace) == []


def test_a_file_named_pdf_that_is_not_one(run_cli, workspace, issued, tmp_path, mailbox):
    append(mailbox, letter(("signed.pdf", b"PK\x03\x04 a zip, say")))
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 1
    assert "not a PDF, though sent as application/pdf" in result.output
    assert folders(mailbox)["mougen/rejected"] == 1


def test_an_oversized_message_is_refused_unread(run_cli, workspace, issued, tmp_path, mailbox):
    (workspace.root / "web.toml").write_text(
        '[imap]\nhost = "elsewhere"\nuser = "someone"\nmax_message_mb = 1\n'
    )
    append(mailbox, letter(("big.pdf", b"%PDF-1.7\n" + os.urandom(2 * 2**20))))
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 1
    assert "over the 1 MB limit" in result.output
    assert folders(mailbox)["mougen/rejected"] == 1
    [answer] = _answers(workspace)
    assert "over the 1 MB limit" in answer


def test_malformed_mime_and_a_wrong_charset_are_one_line_each(
    run_cli, workspace, issued, pki, tmp_path, mailbox
):
    import base64

    pdf = base64.encodebytes(signed(pki, issued, tmp_path)).decode()
    raw = (
        "From: dcs@example.org\r\nSubject: signed\r\nMessage-ID: <m@example.org>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nhello\r\n"
        "--b1\r\nContent-Type: application/octet-stream; name=signed.pdf\r\n"
        "Content-Disposition: attachment; filename=signed.pdf\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n"  # and no closing boundary
    ).encode()
    append(mailbox, raw)
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "note" in line]
    assert any("malformed MIME" in n for n in notes)
    assert any("unknown charset 'x-no-such-charset'" in n for n in notes)
    assert any("a PDF sent as application/octet-stream" in n for n in notes)
    assert len(_signatures(workspace)) == 1


def test_the_same_pdf_sent_twice_is_counted_once(
    run_cli, workspace, issued, pki, tmp_path, mailbox
):
    data = signed(pki, issued, tmp_path)
    append(mailbox, letter(("signed.pdf", data)))
    append(mailbox, letter(("signed again.pdf", data)))
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(_signatures(workspace)) == 1
    assert folders(mailbox)["mougen/processed"] == 2
    assert len(_receipts(workspace)) == 2


def test_a_password_on_the_command_line_is_refused(run_cli, workspace, tmp_path):
    result = run_cli("collect", "--mailbox", "imaps://u:secret@127.0.0.1/INBOX")
    assert result.exit_code == 1
    assert "no password in a URL" in result.output


def test_settings_mistakes_are_one_line_each(run_cli, workspace, monkeypatch):
    monkeypatch.delenv("MOUGEN_IMAP_PASSWORD", raising=False)
    no_password = run_cli("collect", "--mailbox", "imaps://u@127.0.0.1/INBOX")
    assert no_password.exit_code == 1
    assert "no IMAP password: give --password-file FILE" in no_password.output
    (workspace.root / "web.toml").write_text('[imap]\nhost = "h"\nuser = "u"\ncolour = "red"\n')
    unknown = run_cli("collect", "--mailbox")
    assert unknown.exit_code == 1 and "imap.colour: unknown key" in unknown.output
    (workspace.root / "web.toml").unlink()
    bad_url = run_cli("collect", "--mailbox", "https://u@h/INBOX")
    assert bad_url.exit_code == 1 and "expected imaps://USER@HOST" in bad_url.output


def test_starttls_on_the_plain_port(run_cli, workspace, issued, pki, tmp_path, mailbox):
    server, user = mailbox
    append(mailbox, letter(("signed.pdf", signed(pki, issued, tmp_path))))
    url = server.url(user, starttls=True)
    result = run_cli("collect", "--mailbox", url, "--trust", str(tmp_path / "root.pem"))
    assert result.exit_code == 0, result.output
    assert len(_signatures(workspace)) == 1


def test_a_server_certificate_not_trusted_is_refused(run_cli, tmp_path, mailbox, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "root.pem"))  # not the server's issuer
    result = collect(run_cli, mailbox, tmp_path)
    assert result.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.output
    assert "Traceback" not in result.output


def test_limits_on_attachments_and_nesting_are_applied_before_decoding():
    from mougen.collect.mailbox.letters import MAX_ATTACHMENTS, MAX_DEPTH, read_letter

    many = letter(*((f"{n}.pdf", b"%PDF-1.7 x") for n in range(MAX_ATTACHMENTS + 5)))
    read = read_letter(many.as_bytes())
    assert len(read.attachments) == MAX_ATTACHMENTS
    assert f"more than {MAX_ATTACHMENTS} attachments: the rest were not read" in read.problems

    nested = letter(("deep.pdf", b"%PDF-1.7 x"))
    for _ in range(MAX_DEPTH + 2):  # forwarded, and forwarded again...
        outer = letter()
        outer.add_attachment(nested)
        nested = outer
    read = read_letter(nested.as_bytes())
    assert read.attachments == ()
    assert f"parts nested more than {MAX_DEPTH} deep were not read" in read.problems


def test_where_the_server_cannot_move_a_done_message_is_flagged(
    workspace, issued, pki, tmp_path, mailbox
):
    from mougen.collect.mailbox import collect_waiting, from_url, with_password
    from mougen.collect.mailbox.connection import DONE_FLAG, opened
    from mougen.workflow.checking import Checker, workspace_spec

    server, user = mailbox
    append(mailbox, letter(("signed.pdf", signed(pki, issued, tmp_path))))
    settings = with_password(from_url(server.url(user), None), None)
    with Tracker.open(workspace.db_url) as tracker, opened(settings) as box:
        trust = Checker(workspace_spec(workspace, tracker, trust=[tmp_path / "root.pem"]))
        box.can_move = False  # as on a server without MOVE
        [done] = collect_waiting(workspace, box, tracker, trust, None)
        assert done.accepted and done.folder == f"flagged {DONE_FLAG.decode()}"
        assert collect_waiting(workspace, box, tracker, trust, None) == []
    assert folders(mailbox) == {"INBOX": 1}, "left in place, flagged, never deleted"
    assert len(_signatures(workspace)) == 1

"""Remote signing in the round: codes emailed to each signatory release their signature,
made in a SoftHSM2 token, accepted like an upload, in order, mixed with own certificates."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mougen.pki import (
    configured_signatory,
    issue_certificate,
    write_pkcs12,
)
from mougen.remote.codes import Client, Outcome
from mougen.round.documents import document_path
from mougen.round.records import Actor
from mougen.round.remote import RemoteRefused, RemoteSigning
from mougen.round.signing_round import SigningRound
from mougen.signing import load_pkcs12, sign_pdf
from mougen.tracker import Tracker
from mougen.workflow.checking import Checker
from tests.pdftext import pdftotext
from tests.remoteround import code_in_email, link_token, outbox, remote_workspace
from tests.softhsm import PIN, soft_token
from tests.webround import AUTHORITY, MOU, email

CLIENT = Client("192.0.2.40", "Mozilla/5.0 (remote test)")
COORDINATOR = Actor("ann", "127.0.0.1")


@pytest.fixture
def token(tmp_path: Path):
    with soft_token(tmp_path / "softhsm") as made:
        yield made


def _certificate_text(service: SigningRound, folder: Path) -> str:
    """The completion certificate's text without white space (where lines break is Typst's)."""
    done = service.executed(MOU, AUTHORITY)
    assert done is not None
    path = folder / "certificate.pdf"
    path.write_bytes(done[1])
    return "".join(pdftotext(path).split())


def test_three_remote_signatures_execute_the_mou(workspace, token, run_cli, tmp_path, monkeypatch):
    ws, _ = remote_workspace(workspace, token, own=None)
    judged: list[str] = []
    check_bytes = Checker.check_bytes
    monkeypatch.setattr(
        Checker,
        "check_bytes",
        lambda self, data, name: judged.append(name) or check_bytes(self, data, name),
    )
    with Tracker.open(ws.db_url) as tracker:
        service = SigningRound(ws, tracker)
        remote = RemoteSigning(service, token.settings)
        service.invite(MOU, [AUTHORITY], COORDINATOR)
        for role in ("dcs", "lead-member", "chief-executive"):
            link = link_token(ws, role)
            field = remote.field(link)
            assert field.level == "B-B" and field.statement.startswith("You are signing as")
            remote.request_code(link, CLIENT)
            judged.clear()
            confirmed = remote.confirm(link, code_in_email(ws, role), CLIENT)
            assert confirmed.outcome is Outcome.ACCEPTED, role
            # The chief executive's completion certificate reuses the acceptance's verdict.
            assert len(judged) == 1, (role, judged)
        assert service.state(MOU, AUTHORITY).complete
        executed = service.executed_path(MOU, AUTHORITY)
        certificate = _certificate_text(service, tmp_path)
        subjects = [e.subject for e in service.store.emails()]
        codes_sent = [e for e in tracker.events() if e.kind == "remote-code-sent"]
        all_events = str([(e.kind, e.detail) for e in tracker.events()])
    assert executed is not None
    result = run_cli("verify", str(executed), "--json")
    assert result.exit_code == 0, result.output
    assert "Fully executed" in " ".join(subjects)
    [completion, *_] = [m for m in outbox(ws) if "Fully executed" in str(m["Subject"])]
    attached = [p.get_filename() for p in completion.iter_attachments()]
    assert len(attached) == 2 and all(a.endswith(".pdf") for a in attached), attached
    assert [e.detail["to"] for e in codes_sent] == [
        email(AUTHORITY, r) for r in ("dcs", "lead-member", "chief-executive")
    ]
    for role in ("dcs", "lead-member", "chief-executive"):
        assert code_in_email(ws, role) not in all_events + " ".join(subjects)
    assert PIN not in all_events
    for role in ("dcs", "lead-member", "chief-executive"):
        assert f"releasedbyacodeemailedto{email(AUTHORITY, role)}at" in certificate
    assert "owncertificate" not in certificate


def test_a_mixed_round_takes_an_upload_between_remote_signatures(workspace, token, tmp_path):
    ws, ca = remote_workspace(workspace, token, own="lead-member")
    secret = b"p12-" + secrets.token_bytes(8).hex().encode()
    with Tracker.open(ws.db_url) as tracker:
        service = SigningRound(ws, tracker)
        remote = RemoteSigning(service, token.settings)
        service.invite(MOU, [AUTHORITY], COORDINATOR)
        dcs = link_token(ws, "dcs")
        remote.request_code(dcs, CLIENT)
        assert remote.confirm(dcs, code_in_email(ws, "dcs"), CLIENT).outcome is Outcome.ACCEPTED
        lead = link_token(ws, "lead-member")
        with pytest.raises(RemoteRefused, match="signs with their own certificate"):
            remote.request_code(lead, CLIENT)
        # The Lead Member signs with a certificate of their own and uploads the file.
        link = service.store.find_link(lead)
        state = service.state(MOU, AUTHORITY)
        kept = document_path(ws, MOU, AUTHORITY, str(state.document_sha256))
        assert kept is not None
        document = tmp_path / "to-sign.pdf"
        document.write_bytes(kept.read_bytes())
        _, who = configured_signatory(ws, AUTHORITY, "lead-member")
        write_pkcs12(
            issue_certificate(ca, who, when=datetime.now(UTC)), tmp_path / "lead.p12", secret
        )
        signed = tmp_path / "lead.pdf"
        sign_pdf(
            document,
            "lead-member",
            load_pkcs12(tmp_path / "lead.p12", secret),
            signed,
            when=datetime.now(UTC),
        )
        service.receive(signed.read_bytes(), COORDINATOR, link)
        cx = link_token(ws, "chief-executive")
        remote.request_code(cx, CLIENT)
        assert (
            remote.confirm(cx, code_in_email(ws, "chief-executive"), CLIENT).outcome
            is Outcome.ACCEPTED
        )
        assert service.state(MOU, AUTHORITY).complete
        certificate = _certificate_text(service, tmp_path)
    assert certificate.count("Madewith:owncertificate") == 1
    assert certificate.count("Madewith:programmekeyheldbythisservice") == 2


def test_a_link_whose_turn_has_not_come_cannot_ask_for_a_code(workspace, token):
    ws, _ = remote_workspace(workspace, token, own=None)
    with Tracker.open(ws.db_url) as tracker:
        service = SigningRound(ws, tracker)
        service.invite(MOU, [AUTHORITY], COORDINATOR)
        remote = RemoteSigning(service, token.settings)
        with pytest.raises(RemoteRefused, match="not valid"):
            remote.request_code("not-a-link", CLIENT)
        without_token = RemoteSigning(service, None)
        with pytest.raises(RemoteRefused):
            without_token.request_code(link_token(ws, "dcs"), CLIENT)

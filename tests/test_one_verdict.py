"""One way in to a verdict: every entry point that judges a file builds the same spec and
asks the same checker, so the same file gets the same verdict from each."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from email import message_from_bytes, policy

import pytest

from mougen.verify.verdict import Verdict
from mougen.web.app import create_app
from mougen.workflow.checking import Checker
from mougen.workspace import Workspace
from tests.trust_services import TrustServices
from tests.webround import AUTHORITY, MOU, add_signatory_emails


@pytest.fixture
def verdicts(monkeypatch) -> list[Verdict]:
    """Every verdict the checker gives during the test, in order."""
    seen: list[Verdict] = []
    check_bytes = Checker.check_bytes

    def recorded(self: Checker, data: bytes, name: str) -> Verdict:
        verdict = check_bytes(self, data, name)
        seen.append(verdict)
        return verdict

    monkeypatch.setattr(Checker, "check_bytes", recorded)
    return seen


def _named_apart(verdict: Verdict) -> Verdict:
    """The verdict without the name the file was given (each entry point names it its own way)."""
    assert verdict.report is not None, verdict.error
    return replace(verdict, file="-", report=replace(verdict.report, file="-"))


def _trusting_the_tsa(ws: Workspace, services: TrustServices) -> None:
    """Name the TSA's root in the region's trust settings."""
    services.write_root(ws.root / "tsa-root.pem")
    region = ws.regions_dir / "south-east.yaml"
    text = region.read_text()
    region.write_text(text.replace("region:\n", "region:\n  trust_roots: [tsa-root.pem]\n", 1))


def _link(ws: Workspace) -> str:
    message = message_from_bytes(
        sorted((ws.root / "outbox").glob("*.eml"))[0].read_bytes(), policy=policy.default
    )
    return re.search(r"/sign/(\S+)", message.get_content()).group(1)


def _post(client, url: str, data: bytes):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    form = {"csrf_token": token.group(1), "file": (io.BytesIO(data), "signed.pdf")}
    return client.post(url, data=form, content_type="multipart/form-data")


def _signed_by_the_dcs(ws, run_cli, signers, services, tmp_path, client) -> tuple[str, bytes]:
    """Invite Milton Keynes; its link's token, and the PDF its DCS signed at B-T."""
    assert run_cli("invite", MOU, "--authority", AUTHORITY).exit_code == 0
    token = _link(ws)
    (tmp_path / "issued.pdf").write_bytes(client.get(f"/sign/{token}/document.pdf").data)
    (tmp_path / "pass").write_bytes(signers.passphrase + b"\n")
    root = services.write_root(tmp_path / "tsa-root.pem")
    signed = run_cli(
        "sign", str(tmp_path / "issued.pdf"), "--role", "dcs",
        "--p12", str(signers.p12(AUTHORITY, "dcs")), "--passphrase-file", str(tmp_path / "pass"),
        "--tsa", services.tsa_url, "--trust", str(root), "-o", str(tmp_path / "signed.pdf"),
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    return token, (tmp_path / "signed.pdf").read_bytes()


def _inbox(tmp_path, data: bytes):
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "signed.pdf").write_bytes(data)
    return inbox


def test_every_entry_point_gives_the_same_verdict(
    workspace, run_cli, web_programme, tmp_path, verdicts
):
    add_signatory_emails(workspace)
    signers = web_programme.install(workspace)
    client = create_app(Workspace(workspace.root)).test_client()
    with TrustServices() as services:
        _trusting_the_tsa(workspace, services)
        token, data = _signed_by_the_dcs(workspace, run_cli, signers, services, tmp_path, client)

    assert run_cli("verify", str(tmp_path / "signed.pdf")).exit_code == 1  # two roles unsigned
    assert _post(client, "/verify", data).status_code == 200
    assert _post(client, f"/sign/{token}", data).status_code == 200  # the web upload
    assert run_cli("collect", str(_inbox(tmp_path, data))).exit_code == 0
    assert run_cli("tracker", "rebuild").exit_code == 0

    assert len(verdicts) == 5
    first = _named_apart(verdicts[0])
    assert first.report.signatures[0].timestamp is not None, "the TSA's timestamp counts"
    assert first.sound and not first.bottom_line and first.provenance.holds
    assert [_named_apart(v) for v in verdicts] == [first] * 5


def test_collect_accepts_a_timestamp_from_a_tsa_it_is_told_to_trust(
    workspace, run_cli, web_programme, tmp_path
):
    add_signatory_emails(workspace)
    signers = web_programme.install(workspace)
    client = create_app(Workspace(workspace.root)).test_client()
    with TrustServices() as services:
        _, data = _signed_by_the_dcs(workspace, run_cli, signers, services, tmp_path, client)
    inbox = _inbox(tmp_path, data)
    refused = run_cli("collect", str(inbox))
    assert refused.exit_code == 1 and "rejected" in refused.output
    accepted = run_cli("collect", str(inbox), "--tsa-trust", str(tmp_path / "tsa-root.pem"))
    assert accepted.exit_code == 0, accepted.output

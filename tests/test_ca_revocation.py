"""The programme CA as a small PKI: the ledger, --replace, revocation, the CRL, the audit log."""

# ruff: noqa: F811 (the secrets fixture comes from test_ca)

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509

from mougen.pki.revocation import Revoked
from mougen.reports.status import REVOKED_VERDICT
from mougen.tracker import Tracker
from mougen.workspace import Workspace
from tests.test_ca import REGION, ca_dir, ca_init, ca_issue, load_p12, secrets  # noqa: F401
from tests.trust_services import TrustServices

CRL_URL = "http://127.0.0.1:9/se.crl"
MK_DCS = "urn:mougen:south-east:milton-keynes:dcs"
MOU = "se-2019-20"
WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def _with_crl_url(workspace: Workspace) -> None:
    region_yaml = workspace.regions_dir / "south-east.yaml"
    text = region_yaml.read_text()
    region_yaml.write_text(text.replace("region:\n", f"region:\n  crl_url: {CRL_URL}\n", 1))


def _issue(run_cli, secrets, out: Path, *extra: str):
    return ca_issue(
        run_cli, secrets, "--authority", "milton-keynes", "--role", "dcs", "-o", str(out), *extra
    )


def _revoke(run_cli, secrets, *extra: str):
    return run_cli(
        "ca", "revoke", "--authority", "milton-keynes", "--role", "dcs",
        "--passphrase-file", str(secrets.ca), *extra,
    )  # fmt: skip


def _listed(run_cli) -> list[dict]:
    result = run_cli("ca", "list", "--region", REGION, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _crl(run_cli, secrets, out: Path) -> x509.CertificateRevocationList:
    result = run_cli(
        "ca", "crl", "--region", REGION, "-o", str(out), "--passphrase-file", str(secrets.ca)
    )
    assert result.exit_code == 0, result.output
    return x509.load_der_x509_crl(out.read_bytes())


def test_certificates_name_the_regions_crl_distribution_point(
    run_cli, workspace, secrets, tmp_path
):
    _with_crl_url(workspace)
    assert ca_init(run_cli, secrets).exit_code == 0
    assert _issue(run_cli, secrets, tmp_path / "dcs.p12").exit_code == 0
    _, cert, _ = load_p12(tmp_path / "dcs.p12")
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for p in points for n in p.full_name] == [CRL_URL]


def test_a_valid_certificate_is_replaced_only_when_asked(run_cli, workspace, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    assert _issue(run_cli, secrets, tmp_path / "a.p12").exit_code == 0
    refused = _issue(run_cli, secrets, tmp_path / "b.p12")
    assert refused.exit_code == 1 and "--replace" in refused.stderr
    assert not (tmp_path / "b.p12").exists()
    assert [e["status"] for e in _listed(run_cli)] == ["valid"]

    assert _issue(run_cli, secrets, tmp_path / "b.p12", "--replace").exit_code == 0
    listed = _listed(run_cli)
    assert [(e["status"], e["reason"]) for e in listed] == [
        ("revoked", "superseded"),
        ("valid", None),
    ]
    assert {e["binding"] for e in listed} == {MK_DCS}
    _, new_cert, _ = load_p12(tmp_path / "b.p12")
    assert listed[1]["serial"] == f"{new_cert.serial_number:X}"


def test_revoke_lists_the_certificate_in_a_signed_crl_and_the_audit_log(
    run_cli, workspace, secrets, tmp_path
):
    assert ca_init(run_cli, secrets).exit_code == 0
    assert _issue(run_cli, secrets, tmp_path / "dcs.p12").exit_code == 0
    _, cert, _ = load_p12(tmp_path / "dcs.p12")
    before = _crl(run_cli, secrets, tmp_path / "before.crl")
    assert before.get_revoked_certificate_by_serial_number(cert.serial_number) is None

    result = _revoke(run_cli, secrets, "--reason", "affiliation-changed")
    assert result.exit_code == 0, result.output
    crl = _crl(run_cli, secrets, tmp_path / "after.crl")
    ca_cert = x509.load_pem_x509_certificate((ca_dir(workspace) / "ca.pem").read_bytes())
    assert crl.is_signature_valid(ca_cert.public_key())
    assert crl.next_update_utc > crl.last_update_utc
    revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    reason = revoked.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.affiliation_changed
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert [e["status"] for e in _listed(run_cli)] == ["revoked"]

    again = _revoke(run_cli, secrets)
    assert again.exit_code == 1 and "no valid certificate" in again.stderr
    with Tracker.open(workspace.db_url) as tracker:
        events = [(e.kind, e.subject) for e in tracker.events()]
        assert tracker.verify_log() == []
    assert events == [("cert-issued", MK_DCS), ("cert-revoked", MK_DCS)]


def test_revoke_needs_the_ca_passphrase(run_cli, workspace, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    assert _issue(run_cli, secrets, tmp_path / "dcs.p12").exit_code == 0
    secrets.ca.write_text("wrong")
    result = _revoke(run_cli, secrets)
    assert result.exit_code == 1 and "wrong passphrase" in result.stderr
    assert [e["status"] for e in _listed(run_cli)] == ["valid"]


def test_list_text_names_each_certificate(run_cli, workspace, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    assert _issue(run_cli, secrets, tmp_path / "dcs.p12").exit_code == 0
    result = run_cli("ca", "list")
    assert result.exit_code == 0
    assert "valid" in result.stdout and MK_DCS in result.stdout


def _signed(run_cli, secrets, workspace, tmp_path, name: str, *extra: str) -> Path:
    """Milton Keynes's issued PDF, its DCS field signed with the programme certificate."""
    from mougen.pack import build_pack
    from mougen.pack.issued import record_issued

    issued = tmp_path / "packs" / f"{MOU}--milton-keynes" / f"{MOU}--milton-keynes.pdf"
    if not issued.exists():
        pack = build_pack(workspace, MOU, "milton-keynes", tmp_path / "packs", WHEN)
        record_issued(workspace, [pack], WHEN)
    out = tmp_path / name
    signed = run_cli(
        "sign", str(issued), "--role", "dcs", "--p12", str(tmp_path / "dcs.p12"),
        "--passphrase-file", str(secrets.p12), "-o", str(out), *extra,
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    return out


def _dcs_verdict(run_cli, path: Path) -> dict:
    result = run_cli("verify", str(path), "--json")
    assert result.exit_code == 1, result.output  # two roles unsigned, either way
    return json.loads(result.stdout)[0]["signatures"][0]


def _dcs_status(run_cli) -> dict:
    result = run_cli("status", MOU, "--json")
    assert result.exit_code == 0, result.output
    [row] = [r for r in json.loads(result.stdout) if r["authority"] == "milton-keynes"]
    return row["roles"]["dcs"]


def test_a_revoked_certificate_fails_verify_and_status_with_no_crl_given(
    run_cli, workspace, secrets, tmp_path
):
    ca_init(run_cli, secrets)
    assert _issue(run_cli, secrets, tmp_path / "dcs.p12").exit_code == 0
    basic = _signed(run_cli, secrets, workspace, tmp_path, "b-b.pdf")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(basic, inbox)
    assert run_cli("collect", str(inbox)).exit_code == 0
    assert _dcs_verdict(run_cli, basic)["indication"] == "TOTAL_PASSED"
    assert _dcs_status(run_cli)["verdict"] == "TOTAL_PASSED"
    with TrustServices() as services:  # its OCSP responder answers for the TSA
        root = services.write_root(tmp_path / "tsa-root.pem")
        stamped = _signed(
            run_cli, secrets, workspace, tmp_path, "b-t.pdf",
            "--tsa", services.tsa_url, "--trust", str(root),
        )  # fmt: skip
        time.sleep(1)  # a CRL dates a revocation to the whole second: revoke in the next one
        assert _revoke(run_cli, secrets).exit_code == 0
        after = _dcs_verdict(run_cli, basic)  # no --crl: the programme's own CRL counts
        assert after["revoked"] and after["indication"] != "TOTAL_PASSED"
        assert _dcs_status(run_cli)["verdict"] == REVOKED_VERDICT, "status no longer counts it"
        kept = run_cli("verify", str(stamped), "--trust", str(root), "--allow-fetch", "--json")
    assert json.loads(kept.stdout)[0]["signatures"][0]["indication"] == "TOTAL_PASSED", (
        "a signature timestamped before the revocation stays valid"
    )


def test_a_revocation_undermines_only_signatures_not_proven_older():
    revoked_at = datetime(2026, 6, 1, tzinfo=UTC)
    revoked = Revoked({"ab" * 32: revoked_at})
    assert revoked.undermines("ab" * 32, None)
    assert revoked.undermines("ab" * 32, revoked_at)
    assert not revoked.undermines("ab" * 32, revoked_at - timedelta(seconds=1))
    assert not revoked.undermines("cd" * 32, None)

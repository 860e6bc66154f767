"""The programme CA as a small PKI: the ledger, --replace, revocation, the CRL, the audit log."""

# ruff: noqa: F811 (the secrets fixture comes from test_ca)

from __future__ import annotations

import json
from pathlib import Path

from cryptography import x509

from mougen.tracker import Tracker
from mougen.workspace import Workspace
from tests.test_ca import REGION, ca_dir, ca_init, ca_issue, load_p12, secrets  # noqa: F401

CRL_URL = "http://127.0.0.1:9/se.crl"
MK_DCS = "urn:mougen:south-east:milton-keynes:dcs"


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

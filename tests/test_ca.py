"""mougen ca: a region's programme CA, the certificates it issues, and signing with them."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mougen.pki import region_trust_roots
from mougen.roles import ROLE_IDS
from mougen.workspace import Workspace
from tests.signing import pdfsig
from tests.verify_docs import issued_pdf

CA_PASSPHRASE = "ca-Walnut-5529"
P12_PASSPHRASE = "p12-Heron-8140"
REGION = "south-east"


@dataclass
class Secrets:
    """Passphrase files for the CA key and for the PKCS#12 files it issues."""

    ca: Path
    p12: Path


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    ca, p12 = tmp_path / "ca-pass.txt", tmp_path / "p12-pass.txt"
    ca.write_text(CA_PASSPHRASE + "\n")
    p12.write_text(P12_PASSPHRASE + "\n")
    return Secrets(ca, p12)


def ca_init(run_cli, secrets: Secrets, region: str = REGION):
    return run_cli("ca", "init", "--region", region, "--passphrase-file", str(secrets.ca))


def ca_issue(run_cli, secrets: Secrets, *args: str):
    return run_cli(
        "ca", "issue", *args,
        "--passphrase-file", str(secrets.ca), "--out-passphrase-file", str(secrets.p12),
    )  # fmt: skip


def ca_dir(ws: Workspace) -> Path:
    return ws.root / "ca" / REGION


def load_p12(path: Path) -> tuple:
    return pkcs12.load_key_and_certificates(path.read_bytes(), P12_PASSPHRASE.encode())


def test_init_creates_a_ca_whose_key_is_encrypted(run_cli, workspace: Workspace, secrets):
    result = ca_init(run_cli, secrets)
    assert result.exit_code == 0, result.output
    assert CA_PASSPHRASE not in result.output
    cert = x509.load_pem_x509_certificate((ca_dir(workspace) / "ca.pem").read_bytes())
    assert cert.issuer == cert.subject
    assert "South East" in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    key_file = ca_dir(workspace) / "ca.key"
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_file.stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(key_file.read_bytes(), b"guess")
    key = serialization.load_pem_private_key(key_file.read_bytes(), CA_PASSPHRASE.encode())
    assert key.public_key() == cert.public_key()


def test_init_passphrase_from_a_prompt_asks_twice(run_cli, workspace: Workspace, monkeypatch):
    monkeypatch.delenv("MOUGEN_P12_PASSPHRASE", raising=False)
    typed = "typed-Otter-2291"
    result = run_cli("ca", "init", "--region", REGION, input=f"{typed}\n{typed}\n")
    assert result.exit_code == 0, result.output
    assert "New passphrase for the CA key" in result.output
    assert "Repeat for confirmation" in result.output
    assert typed not in result.output
    key_pem = (ca_dir(workspace) / "ca.key").read_bytes()
    serialization.load_pem_private_key(key_pem, typed.encode())


def test_init_never_replaces_a_ca(run_cli, workspace: Workspace, secrets):
    assert ca_init(run_cli, secrets).exit_code == 0
    before = (ca_dir(workspace) / "ca.pem").read_bytes()
    result = ca_init(run_cli, secrets)
    assert result.exit_code == 1
    assert "a CA already exists" in result.stderr
    assert (ca_dir(workspace) / "ca.pem").read_bytes() == before


def test_init_unknown_region_is_refused(run_cli, workspace: Workspace, secrets):
    result = ca_init(run_cli, secrets, region="atlantis")
    assert result.exit_code == 1
    assert "unknown region 'atlantis'" in result.stderr and REGION in result.stderr
    assert not (workspace.root / "ca").exists()


def test_issue_names_the_configured_signatory(run_cli, workspace: Workspace, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    out = tmp_path / "dcs.p12"
    email = "michael.bracey@milton-keynes.gov.uk"
    args = ("--authority", "milton-keynes", "--role", "dcs", "--email", email, "-o", str(out))
    result = ca_issue(run_cli, secrets, *args)
    assert result.exit_code == 0, result.output
    assert CA_PASSPHRASE not in result.output and P12_PASSPHRASE not in result.output
    assert out.stat().st_mode & 0o077 == 0

    key, cert, others = load_p12(out)
    ca_cert = x509.load_pem_x509_certificate((ca_dir(workspace) / "ca.pem").read_bytes())
    subject = {a.oid: a.value for a in cert.subject}
    assert subject[NameOID.COMMON_NAME] == "Michael Bracey"
    assert subject[NameOID.EMAIL_ADDRESS] == email
    assert subject[NameOID.ORGANIZATION_NAME] == "Milton Keynes Council"
    assert subject[NameOID.ORGANIZATIONAL_UNIT_NAME] == "Director of Children’s Services"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == [email]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=729) < lifetime < timedelta(days=731)
    assert cert.issuer == ca_cert.subject and others == [ca_cert]
    cert.verify_directly_issued_by(ca_cert)
    assert key.public_key() == cert.public_key()


def test_issue_without_a_configured_name_needs_name(run_cli, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    out = tmp_path / "kent.p12"
    args = ("--authority", "kent", "--role", "chief-executive", "-o", str(out))
    result = ca_issue(run_cli, secrets, *args)
    assert result.exit_code == 1 and "give --name" in result.stderr
    assert not out.exists()
    result = ca_issue(run_cli, secrets, *args, "--name", "Jo Example")
    assert result.exit_code == 0, result.output
    _, cert, _ = load_p12(out)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Jo Example"
    assert cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS) == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--authority", "atlantis", "--role", "dcs"), "unknown authority 'atlantis'"),
        (("--authority", "kent", "--role", "dcs", "--region", "mars"), "unknown region 'mars'"),
    ],
)
def test_issue_unknown_authority_or_region_is_refused(run_cli, secrets, tmp_path, args, problem):
    assert ca_init(run_cli, secrets).exit_code == 0
    out = tmp_path / "x.p12"
    result = ca_issue(run_cli, secrets, *args, "-o", str(out))
    assert result.exit_code == 1 and problem in result.stderr
    assert not out.exists()


def test_issue_with_the_wrong_ca_passphrase_is_refused(run_cli, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    secrets.ca.write_text("not-it")
    out = tmp_path / "dcs.p12"
    result = ca_issue(
        run_cli, secrets, "--authority", "milton-keynes", "--role", "dcs", "-o", str(out)
    )
    assert result.exit_code == 1
    assert "wrong passphrase" in result.stderr and "ca.key" in result.stderr
    assert "not-it" not in result.output
    assert not out.exists()


def test_issue_before_init_is_refused(run_cli, secrets, tmp_path):
    out = tmp_path / "dcs.p12"
    result = ca_issue(
        run_cli, secrets, "--authority", "milton-keynes", "--role", "dcs", "-o", str(out)
    )
    assert result.exit_code == 1 and "mougen ca init --region south-east" in result.stderr
    assert not out.exists()


def test_issue_never_overwrites_a_key_file(run_cli, secrets, tmp_path):
    assert ca_init(run_cli, secrets).exit_code == 0
    out = tmp_path / "dcs.p12"
    out.write_bytes(b"someone's existing key")
    result = ca_issue(
        run_cli, secrets, "--authority", "milton-keynes", "--role", "dcs", "-o", str(out)
    )
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert out.read_bytes() == b"someone's existing key"


def test_region_trust_roots_are_the_ca_then_the_configured_roots(
    workspace: Workspace, run_cli, secrets
):
    region_yaml = workspace.regions_dir / "south-east.yaml"
    text = region_yaml.read_text()
    region_yaml.write_text(
        text.replace("region:\n", "region:\n  trust_roots: [roots/extra.pem]\n", 1)
    )
    ws = Workspace(workspace.root)
    assert region_trust_roots(ws, REGION) == [ws.root / "roots" / "extra.pem"]
    assert ca_init(run_cli, secrets).exit_code == 0
    assert region_trust_roots(ws, REGION) == [
        ca_dir(ws) / "ca.pem",
        ws.root / "roots" / "extra.pem",
    ]


@pytest.mark.slow
def test_issued_certificates_sign_and_validate_against_the_region_ca(
    run_cli, workspace: Workspace, secrets, tmp_path, monkeypatch
):
    """ca init, ca issue for all three signatories, each signs in turn, the chain validates."""
    assert ca_init(run_cli, secrets).exit_code == 0
    for role in ROLE_IDS:
        out = tmp_path / f"{role}.p12"
        args = ("--authority", "milton-keynes", "--role", role, "--email", f"{role}@mk.gov.uk")
        assert ca_issue(run_cli, secrets, *args, "-o", str(out)).exit_code == 0
    monkeypatch.setenv("MOUGEN_P12_PASSPHRASE", P12_PASSPHRASE)
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    for role in ROLE_IDS:
        out = tmp_path / f"signed-{role}.pdf"
        p12 = tmp_path / f"{role}.p12"
        result = run_cli("sign", str(pdf), "--role", role, "--p12", str(p12), "-o", str(out))
        assert result.exit_code == 0, result.output
        pdf = out

    roots = region_trust_roots(workspace, REGION)
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(p)) for p in roots])
    with pdf.open("rb") as handle:
        signatures = PdfFileReader(handle, strict=False).embedded_signatures
        names = [s.signer_cert.subject.native["common_name"] for s in signatures]
        for sig in signatures:
            status = validate_pdf_signature(sig, context)
            assert status.intact and status.valid and status.trusted, status.summary()
    assert names == ["Michael Bracey", "Cllr Zoe Nolan", "Carole Mills"]
    report = pdfsig(pdf, roots, tmp_path)
    assert report.count("Certificate Validation: Certificate is Trusted.") == 3, report


def test_no_passphrase_and_no_terminal_is_one_line(workspace: Workspace):
    # Run as cron or a script would: stdin is not a terminal and holds nothing.
    env = {k: v for k, v in os.environ.items() if "PASSPHRASE" not in k}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mougen",
            "-w",
            str(workspace.root),
            "ca",
            "init",
            "--region",
            REGION,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("mougen: no passphrase given"), done.stderr
    assert "echo" not in done.stderr and "Warning" not in done.stderr  # no getpass fallback
    assert not (workspace.root / "ca").exists()

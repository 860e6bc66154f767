"""A region whose programme CA issued certificates to Milton Keynes' three signatories, with
local trust services (TSA, OCSP, CRL repository) and the CLI to sign and verify there."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from mougen.roles import ROLE_IDS
from mougen.tracker import Tracker
from mougen.workspace import BUNDLED, Workspace
from tests.trust_services import TrustServices
from tests.verify_docs import issued_pdf

REGION, MOU, AUTHORITY = "south-east", "se-2018", "milton-keynes"
CA_PASS, P12_PASS = "ca-Larch-3391", "p12-Osprey-2207"


@dataclass
class Programme:
    """A scratch workspace with a programme CA, three PKCS#12 files and trust services."""

    ws: Workspace
    dir: Path
    services: TrustServices
    p12: dict[str, Path]
    ca_pass: Path
    p12_pass: Path

    @property
    def crl_name(self) -> str:
        """Where its CRL is published: each programme (each CA) at its own address."""
        return f"{self.dir.name}-{REGION}.crl"

    @property
    def ca_root(self) -> Path:
        return self.ws.root / "ca" / REGION / "ca.pem"

    def run(self, *args: str) -> Result:
        from mougen.cli import cli

        root = ["--workspace", str(self.ws.root)]
        return CliRunner().invoke(cli, [*root, *args], catch_exceptions=False)

    def sign(self, pdf: Path, role: str, out: Path, *extra: str, p12: Path | None = None):
        return self.run(
            "sign", str(pdf), "--role", role, "--p12", str(p12 or self.p12[role]),
            "--passphrase-file", str(self.p12_pass), "-o", str(out), *extra,
        )  # fmt: skip

    def sign_all(self, out_dir: Path, *extra: str) -> Path:
        """Sign the issued MoU in each role in turn; the fully signed file."""
        pdf = out_dir / "issued.pdf"
        pdf.write_bytes(issued_pdf())
        for role in ROLE_IDS:
            out = out_dir / f"signed-{role}.pdf"
            result = self.sign(pdf, role, out, *extra)
            assert result.exit_code == 0, result.output
            pdf = out
        return pdf

    def verify(self, pdf: Path, *extra: str) -> tuple[int, dict]:
        result = self.run("verify", str(pdf), "--json", *extra)
        return result.exit_code, json.loads(result.stdout)[0]

    def ca(self, *args: str) -> Result:
        return self.run("ca", *args, "--passphrase-file", str(self.ca_pass))

    def publish_crl(self) -> Path:
        """``mougen ca crl``, published at the region's crl_url."""
        path = self.dir / self.crl_name
        result = self.ca("crl", "--region", REGION, "-o", str(path))
        assert result.exit_code == 0, result.output
        self.services.publish_crl(self.crl_name, path)
        return path


def make_programme(base: Path, services: TrustServices) -> Programme:
    root = base / "ws"
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, root / sub)
    (root / "signed").mkdir()
    region_yaml = root / "regions" / "south-east.yaml"
    config = f"region:\n  crl_url: {services.crl_url(f'{base.name}-{REGION}.crl')}\n"
    config += f"  tsa_url: {services.tsa_url}\n  trust_roots: [tsa-root.pem]\n"
    services.write_root(root / "tsa-root.pem")
    region_yaml.write_text(region_yaml.read_text().replace("region:\n", config, 1))
    ca_pass, p12_pass = base / "ca-pass", base / "p12-pass"
    ca_pass.write_text(CA_PASS)
    p12_pass.write_text(P12_PASS)
    programme = Programme(Workspace(root), base, services, {}, ca_pass, p12_pass)
    assert programme.ca("init", "--region", REGION).exit_code == 0
    for role in ROLE_IDS:
        out = base / f"{role}.p12"
        result = programme.ca(
            "issue", "--authority", AUTHORITY, "--role", role,
            "-o", str(out), "--out-passphrase-file", str(p12_pass),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        programme.p12[role] = out
    programme.publish_crl()
    with Tracker.open(programme.ws.db_url) as tracker:  # as pack records what it issues
        tracker.record_issue(
            mou=MOU,
            authority=AUTHORITY,
            pdf_sha256=hashlib.sha256(issued_pdf()).hexdigest(),
            issued_at=datetime.now(UTC),
            issued_by="tests",
            manifest=f"issued/{MOU}/{AUTHORITY}/manifest.json",
        )
    return programme

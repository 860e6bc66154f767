"""mougen sign with programme certificates: refused, writing nothing, for another role,
authority or region than the field's; the stamp names the council the MoU was issued to."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from mougen.cli import cli
from mougen.pack import build_pack
from mougen.pack.issued import record_issued
from mougen.workspace import BUNDLED, Workspace
from tests.pdftext import pdftotext

MOU = "se-2018"
WHEN = datetime(2026, 11, 22, tzinfo=UTC)
CA_PASS = "binding-ca-Larch-2231"
P12_PASS = "binding-p12-Wren-9046"


@dataclass
class Round:
    """A workspace with an issued MoU per authority, programme certificates by (authority,
    role), and a way to run ``mougen`` in it."""

    dir: Path
    run: Callable
    pdf: dict[str, Path]
    p12: dict[tuple[str, str], Path]
    p12_pass: Path


@pytest.fixture(scope="module")
def round_(tmp_path_factory) -> Round:
    """Built once for the module: two CAs and four certificates take a while to make."""
    tmp = tmp_path_factory.mktemp("binding")
    ws = Workspace(tmp / "ws")
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, ws.root / sub)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, ["--workspace", str(ws.root), *args], catch_exceptions=False)

    packs = [build_pack(ws, MOU, slug, tmp / "packs", WHEN) for slug in ("milton-keynes", "kent")]
    record_issued(ws, packs, WHEN)
    ca_pass, p12_pass = tmp / "ca-pass", tmp / "p12-pass"
    ca_pass.write_text(CA_PASS + "\n")
    p12_pass.write_text(P12_PASS + "\n")
    for region in ("south-east", "north-west"):
        assert (
            run("ca", "init", "--region", region, "--passphrase-file", str(ca_pass)).exit_code == 0
        )
    p12 = {}
    for slug, role in [
        ("milton-keynes", "dcs"),
        ("milton-keynes", "lead-member"),
        ("kent", "dcs"),
        ("blackpool", "dcs"),
    ]:
        p12[slug, role] = tmp / f"{slug}-{role}.p12"
        issued = run(
            "ca", "issue", "--authority", slug, "--role", role,
            "--name", f"{role} of {slug}", "--email", f"{role}@{slug}.example",
            "-o", str(p12[slug, role]),
            "--passphrase-file", str(ca_pass), "--out-passphrase-file", str(p12_pass),
        )  # fmt: skip
        assert issued.exit_code == 0, issued.output
    pdfs = {p.authority: p.folder / f"{MOU}--{p.authority}.pdf" for p in packs}
    return Round(tmp, run, pdfs, p12, p12_pass)


def _sign(rnd: Round, pdf: Path, role: str, cert: tuple[str, str], out: Path, *before: str):
    """``mougen [BEFORE] sign PDF`` for ``role`` with the programme certificate ``cert``."""
    return rnd.run(
        *before, "sign", str(pdf), "--role", role, "--p12", str(rnd.p12[cert]),
        "--passphrase-file", str(rnd.p12_pass), "-o", str(out),
    )  # fmt: skip


def test_the_right_programme_certificate_signs_and_the_stamp_names_the_council(round_, tmp_path):
    out = tmp_path / "signed.pdf"
    result = _sign(round_, round_.pdf["milton-keynes"], "dcs", ("milton-keynes", "dcs"), out)
    assert result.exit_code == 0, result.output
    assert "Note:" not in result.output
    assert "Milton Keynes Council" in pdftotext(out, raw=False)


@pytest.mark.parametrize(
    ("cert", "line"),
    [
        (
            ("milton-keynes", "lead-member"),
            "mougen: this certificate was issued for the lead-member of milton-keynes "
            "(south-east): it cannot sign the dcs field",
        ),
        (
            ("kent", "dcs"),
            "mougen: this certificate was issued for the dcs of kent (south-east), but this MoU "
            "(se-2018) was issued to milton-keynes (south-east)",
        ),
        (
            ("blackpool", "dcs"),
            "mougen: this certificate was issued for the dcs of blackpool (north-west), but this "
            "MoU (se-2018) was issued to milton-keynes (south-east)",
        ),
    ],
    ids=["other-role", "other-authority", "other-region"],
)
def test_a_programme_certificate_for_another_field_is_refused(round_, tmp_path, cert, line):
    out = tmp_path / "signed.pdf"
    result = _sign(round_, round_.pdf["milton-keynes"], "dcs", cert, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [line]
    assert not list(tmp_path.iterdir()), "nothing written"


def test_a_partly_signed_copy_is_still_known_by_its_issue(round_, tmp_path):
    first = tmp_path / "first.pdf"
    mk = round_.pdf["milton-keynes"]
    lead = ("milton-keynes", "lead-member")
    assert _sign(round_, mk, "lead-member", lead, first).exit_code == 0
    result = _sign(round_, first, "dcs", ("kent", "dcs"), tmp_path / "second.pdf")
    assert result.exit_code == 1 and "issued to milton-keynes" in result.stderr


def test_without_a_record_of_the_issue_only_the_role_is_checked_and_said(round_, tmp_path):
    elsewhere = ("--workspace", str(tmp_path))
    pdf, kent_dcs = round_.pdf["milton-keynes"], ("kent", "dcs")
    result = _sign(round_, pdf, "dcs", kent_dcs, tmp_path / "signed.pdf", *elsewhere)
    assert result.exit_code == 0, result.output
    assert "Note: the certificate is for the dcs of kent (south-east); only its role" in (
        result.output
    )
    wrong_role = _sign(round_, pdf, "lead-member", kent_dcs, tmp_path / "other.pdf", *elsewhere)
    assert wrong_role.exit_code == 1 and "cannot sign the lead-member field" in wrong_role.stderr
    assert not (tmp_path / "mougen.db").exists(), "sign does not create a tracker"

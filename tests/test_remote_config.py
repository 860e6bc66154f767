"""Whether a signatory signs remotely or with their own certificate: region files and
``mougen regions``."""

from __future__ import annotations

import json

from mougen.workspace import Workspace


def _set(workspace: Workspace, old: str, new: str) -> None:
    path = workspace.regions_dir / "south-east.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _se_2018(run_cli) -> dict:
    result = run_cli("regions", "--json")
    assert result.exit_code == 0, result.output
    return next(r for r in json.loads(result.stdout) if r["mou"] == "se-2018")


def test_signatories_sign_with_their_own_certificates_unless_configured(run_cli):
    row = _se_2018(run_cli)
    assert row["signs"] == "own" and row["remote_signatories"] == []
    assert "0 of 57" in run_cli("regions").stdout


def test_one_signatory_can_sign_remotely_in_a_region_that_does_not(run_cli, workspace):
    _set(workspace, "dcs: {name: Michael Bracey}", "dcs: {name: Michael Bracey, signs: remote}")
    assert _se_2018(run_cli)["remote_signatories"] == ["milton-keynes:dcs"]
    assert "1 of 57" in run_cli("regions").stdout


def test_a_region_can_sign_remotely_with_one_signatory_using_their_own(run_cli, workspace):
    _set(workspace, "region:\n", "region:\n  signs: remote\n")
    _set(workspace, "chief-executive: {name: Carole Mills}", "chief-executive: {signs: own}")
    row = _se_2018(run_cli)
    assert row["signs"] == "remote"
    assert len(row["remote_signatories"]) == 56
    assert "milton-keynes:chief-executive" not in row["remote_signatories"]
    assert "milton-keynes:dcs" in row["remote_signatories"]


def test_an_unknown_signing_method_is_one_line_naming_the_key(run_cli, workspace):
    _set(workspace, "dcs: {name: Michael Bracey}", "dcs: {name: Michael Bracey, signs: fax}")
    result = run_cli("regions")
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert "south-east.yaml" in line and "signs" in line and "Traceback" not in line

"""A first week with the CLI: what a new coordinator reads, command by command."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", ["init", "issue", "revoke", "crl"])
def test_ca_help_names_the_ca_passphrase_variable(run_cli, command):
    result = run_cli("ca", command, "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "$MOUGEN_CA_PASSPHRASE" in text
    assert "$MOUGEN_P12_PASSPHRASE" not in text

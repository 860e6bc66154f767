"""Shared fixtures: the bundled workspace, a scratch copy of it, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mougen.workspace import BUNDLED, Workspace

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


@pytest.fixture(scope="session")
def bundled() -> Workspace:
    """The repository's own workspace (read-only use)."""
    return Workspace(BUNDLED)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A private copy of the bundled regions and templates that a test may change."""
    root = tmp_path / "ws"
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, root / sub)
    (root / "signed").mkdir()
    return Workspace(root)


@pytest.fixture(scope="module")
def pki():
    """A test PKI (root CA, signers, CRLs, OCSP) made at run time, shared by a module's tests."""
    from tests.pki import TestPki

    return TestPki()


@pytest.fixture
def run_cli(workspace: Workspace):
    """Invoke ``mougen`` in the scratch workspace; returns click's Result."""
    from mougen.cli import cli

    runner = CliRunner()

    def invoke(*args: str, ws: Workspace | None = None, **kwargs):
        root = str((ws or workspace).root)
        return runner.invoke(cli, ["--workspace", root, *args], catch_exceptions=False, **kwargs)

    return invoke

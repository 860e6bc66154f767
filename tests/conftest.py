"""Shared fixtures: the bundled workspace, a scratch copy of it, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mougen.workspace import BUNDLED, Workspace
from tests.pgserver import PostgresUnavailable, start_server

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


@pytest.fixture(scope="session")
def bundled() -> Workspace:
    """The repository's own workspace (read-only use)."""
    return Workspace(BUNDLED)


def scratch_workspace(root: Path) -> Workspace:
    """A copy of the bundled regions and templates at ``root``, with an empty archive."""
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, root / sub)
    (root / "signed").mkdir()
    return Workspace(root)


def take_up(workspace: Workspace, prepared: Workspace) -> Workspace:
    """``workspace`` made a copy of ``prepared``, a scratch workspace set up once for many
    tests (say, once per module): everything in it is copied over."""
    shutil.copytree(prepared.root, workspace.root, dirs_exist_ok=True)
    return workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A private copy of the bundled regions and templates that a test may change."""
    return scratch_workspace(tmp_path / "ws")


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


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the session, or the reason there is none."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        yield exc
        return
    yield server
    server.stop()


def backend_url(request, sqlite_url: str) -> str:
    """For a test parametrized by ``sqlite``/``postgresql``: ``sqlite_url``, or a fresh
    PostgreSQL database (the test is skipped where PostgreSQL cannot run)."""
    if request.param == "sqlite":
        return sqlite_url
    server = request.getfixturevalue("postgres")
    if isinstance(server, PostgresUnavailable):
        pytest.skip(f"PostgreSQL cannot be started here: {server}")
    return server.database()


@pytest.fixture(scope="module")
def signer(pki):
    """A signer from :func:`pki`, with a name and an email."""
    return pki.signer("Dana Director", "dana@example.org")


@pytest.fixture(scope="session")
def web_programme(tmp_path_factory):
    """The South East programme CA and a PKCS#12 per signatory of two authorities, made once;
    ``web_programme.install(ws)`` gives a workspace with signatory emails that CA."""
    from tests.webround import make_programme

    return make_programme(tmp_path_factory.mktemp("programme"))

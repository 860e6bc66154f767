"""mougen archive extend: a fresh document timestamp before the old TSA certificate expires,
filed as a new version beside the untouched old one."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mougen.tracker import Tracker
from mougen.workspace import Workspace
from tests.programme import AUTHORITY, MOU, Programme, make_programme
from tests.trust_services import TrustServices


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A programme whose MoU was signed B-LTA and collected, made once for the module; the
    TSA's certificate is about to expire: ten days left."""
    with TrustServices(tsa_validity=timedelta(days=10)) as services:
        programme = make_programme(tmp_path_factory.mktemp("programme"), services)
        tsa = services.tsa_url
        signed = programme.sign_all(
            programme.dir, "--level", "B-LTA", "--tsa", tsa, "--allow-fetch"
        )
        inbox = programme.dir / "inbox"
        inbox.mkdir()
        shutil.copy(signed, inbox / "mou.pdf")
        result = programme.run("collect", str(inbox))
        assert result.exit_code == 0, result.output
        yield programme


@pytest.fixture
def programme(collected: Programme, tmp_path: Path) -> Programme:
    """The collected programme, in a copy of its workspace of the test's own."""
    shutil.copytree(collected.ws.root, tmp_path / "ws")
    return replace(collected, ws=Workspace(tmp_path / "ws"))


def _archived(programme: Programme) -> Path:
    """The file ``mougen collect`` archived."""
    (archived,) = (programme.ws.signed_dir / MOU / AUTHORITY).glob("*.pdf")
    return archived


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_extend_files_a_new_version_and_leaves_the_old_one_untouched(programme: Programme):
    old = _archived(programme)
    old_sha = _sha256(old)
    assert programme.run("archive", "extend", "--before", "5").stdout.startswith("Nothing")

    programme.services.rotate_tsa(timedelta(days=3650))  # the TSA renews its certificate
    result = programme.run("archive", "extend", "--before", "30")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Extended") == 1
    versions = sorted((programme.ws.signed_dir / MOU / AUTHORITY).glob("*.pdf"))
    (new,) = [p for p in versions if p != old]
    assert _sha256(old) == old_sha == old.stem  # byte-identical, still under its own hash
    assert new.stem == _sha256(new) and new.read_bytes().startswith(old.read_bytes())

    for version in (old, new):
        code, report = programme.verify(version)
        assert code == 0, report
    code, report = programme.verify(new)
    assert len(report["document_timestamps"]) == 4

    # A year on, the old TSA certificate has expired: only the extended version still proves.
    year_on = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%d")
    code, report = programme.verify(new, "--at", year_on)
    assert code == 0, json.dumps(report)
    assert programme.verify(old, "--at", year_on)[0] == 1

    status = json.loads(programme.run("status", MOU, "--json").stdout)
    row = next(r for r in status if r["authority"] == AUTHORITY)
    assert row["complete"] and row["archived"] == new.relative_to(programme.ws.root).as_posix()
    with Tracker.open(programme.ws.db_url) as tracker:
        extended = [e for e in tracker.events() if e.kind == "extended"]
        assert tracker.verify_log() == []
    assert [(e.detail["from_sha256"], e.detail["file_sha256"]) for e in extended] == [
        (old_sha, new.stem)
    ]
    assert len(extended[0].detail["signatures"]) == 3

    again = programme.run("archive", "extend", "--before", "30")
    assert again.exit_code == 0 and again.stdout.startswith("Nothing to extend")

    # The tracker is an index of the archive: rebuilt from scratch, it still shows the newest.
    programme.ws.root.joinpath("mougen.db").unlink()
    assert programme.run("tracker", "rebuild").exit_code == 0
    status = json.loads(programme.run("status", MOU, "--json").stdout)
    row = next(r for r in status if r["authority"] == AUTHORITY)
    assert row["archived"] == new.relative_to(programme.ws.root).as_posix()


def test_an_unreachable_tsa_is_one_line_and_files_nothing(programme: Programme):
    old = _archived(programme)
    result = programme.run("archive", "extend", "--before", "30", "--tsa", "http://127.0.0.1:9/")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(old) in lines[0] and "timestamp server" in lines[0]
    assert list(old.parent.glob("*.pdf")) == [old]

"""The tracker, run against SQLite and a real PostgreSQL: idempotent recording, versions,
migrations, the tamper-evident event log, and several processes writing at once."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import shutil
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from mougen.errors import MougenError
from mougen.round.schema import every_table
from mougen.tracker import SignatureFacts, Tracker
from mougen.tracker.chain import GENESIS, event_hash
from mougen.tracker.database import make_engine
from mougen.tracker.migrate import current_revision, head_revision, upgrade
from mougen.tracker.revision import HEAD, HEAD_TABLES
from mougen.tracker.versions import catalog_versions
from mougen.workflow.rebuild import rebuild
from mougen.workspace import BUNDLED, Workspace
from tests.conftest import backend_url
from tests.pki import TestPki
from tests.signedarchive import ISSUED_AT, MOU, Archive, build_archive, trust

WHEN = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty tracker database URL on each backend."""
    return backend_url(request, f"sqlite:///{tmp_path / 'tracker.db'}")


@pytest.fixture
def new_db_url(request, tmp_path, db_url):
    """Make another fresh database on the same backend as ``db_url``."""
    made = iter(range(1, 100))

    def make() -> str:
        if db_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / f'another-{next(made)}.db'}"
        return request.getfixturevalue("postgres").database()

    return make


@pytest.fixture
def tracker(db_url):
    with Tracker.open(db_url) as t:
        yield t


def _sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def issue(n: int = 0) -> dict:
    return {
        "mou": "se-2018",
        "authority": f"authority-{n}",
        "pdf_sha256": _sha(f"pdf {n}"),
        "issued_at": WHEN + timedelta(minutes=n),
        "issued_by": "coordinator",
        "manifest": f"issued/se-2018/authority-{n}.json",
    }


def signature(n: int = 0, *, archive_path: str | None = None) -> SignatureFacts:
    return SignatureFacts(
        mou="se-2018",
        authority=f"authority-{n}",
        role="dcs",
        signer_name="Dana Example",
        signer_email="dana@example.org",
        cert_sha256=_sha("cert"),
        signed_at=WHEN + timedelta(hours=1),
        timestamp_at=None,
        verdict="TOTAL_PASSED",
        signature_sha256=_sha(f"cms {n}"),
        archive_path=archive_path or f"signed/se-2018/authority-{n}/{_sha(f'file {n}')}.pdf",
        file_sha256=_sha(f"file {n}"),
    )


# -- recording ------------------------------------------------------------------------------


def test_record_issue_is_idempotent(tracker):
    assert tracker.record_issue(**issue()) is True
    assert tracker.record_issue(**{**issue(), "issued_by": "someone else"}) is False
    found = tracker.find_issue(issue()["pdf_sha256"])
    assert found is not None
    assert (found.authority, found.issued_by, found.issued_at) == (
        "authority-0",
        "coordinator",
        WHEN,
    )
    assert tracker.find_issue(_sha("never issued")) is None
    assert len(tracker.issues()) == 1 and tracker.issues("london-2019") == []
    [event] = tracker.events()
    assert (event.kind, event.subject) == ("issued", "se-2018/authority-0")
    assert event.detail["pdf_sha256"] == issue()["pdf_sha256"]


def test_a_round_of_issues_is_recorded_in_one_transaction(tracker, workspace: Workspace):
    from mougen.tracker.records import IssueRecord

    def issues(fail_after: int | None = None):
        for n in range(3):
            if n == fail_after:
                raise OSError("the round stopped")
            yield IssueRecord(**issue(n))

    with pytest.raises(OSError):
        tracker.record_issues(
            catalog_versions(workspace.catalog, workspace.templates_dir), issues(fail_after=2)
        )
    assert tracker.issues() == [] and tracker.versions() == []  # all or nothing
    assert tracker.record_issue(**issue(1)) is True
    assert (
        tracker.record_issues(
            catalog_versions(workspace.catalog, workspace.templates_dir), issues()
        )
        == 2
    )
    assert len(tracker.issues()) == 3 and tracker.verify_log() == []
    assert [e.kind for e in tracker.events()].count("issued") == 3


def test_same_signature_in_two_files_is_recorded_once(tracker):
    assert tracker.record_signature(signature()) is True
    assert tracker.record_signature(signature(archive_path="signed/elsewhere.pdf")) is False
    [sig] = tracker.signatures("se-2018")
    assert sig.archive_path == signature().archive_path
    assert sig.signed_at == WHEN + timedelta(hours=1) and sig.timestamp_at is None
    assert sig.recorded_at.tzinfo is not None
    assert [e.kind for e in tracker.events()] == ["signed"]


def test_events_limit_gives_the_newest_last(tracker):
    for n in range(4):
        tracker.record_issue(**issue(n))
    assert [e.id for e in tracker.events()] == [1, 2, 3, 4]
    assert [e.subject for e in tracker.events(limit=2)] == [
        "se-2018/authority-2",
        "se-2018/authority-3",
    ]


def test_sync_versions_records_changes_once(tracker, workspace: Workspace):
    tracker.sync_versions(catalog_versions(workspace.catalog, workspace.templates_dir))
    versions = {v.id: v for v in tracker.versions()}
    assert set(versions) == {"em-2015", "london-2019", "nw-2017-19", "se-2018", "se-2019-20"}
    se = versions["se-2018"]
    assert (se.region, se.commences, se.review_after, se.successor) == (
        "south-east",
        "2018",
        "2019-03",
        "se-2019-20",
    )
    template = workspace.templates_dir / "se-2018.docx"
    assert se.template_sha256 == hashlib.sha256(template.read_bytes()).hexdigest()
    assert len(tracker.events()) == 5

    tracker.sync_versions(catalog_versions(workspace.catalog, workspace.templates_dir))
    assert len(tracker.events()) == 5  # nothing changed, nothing logged

    region = workspace.regions_dir / "south-east.yaml"
    region.write_text(region.read_text().replace("review_after: 2019-03", "review_after: 2019-09"))
    edited = Workspace(workspace.root)
    tracker.sync_versions(catalog_versions(edited.catalog, edited.templates_dir))
    [version] = [v for v in tracker.versions() if v.id == "se-2018"]
    assert version.review_after == "2019-09"
    last = tracker.events()[-1]
    assert (last.kind, last.subject, last.detail["changed"]) == (
        "version",
        "se-2018",
        ["review_after"],
    )
    assert tracker.verify_log() == []


def test_sqlite_tracker_is_in_wal_mode(tmp_path):
    path = tmp_path / "wal.db"
    Tracker.open(f"sqlite:///{path}").close()
    with closing(sqlite3.connect(path)) as plain:  # the stdlib driver, not SQLAlchemy
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in plain.execute("SELECT name FROM sqlite_master")}
    assert {"mou_versions", "issued_pdfs", "signatures", "events", "chain_head"} <= tables


# -- migrations -----------------------------------------------------------------------------


def test_open_upgrades_a_database_made_at_the_first_revision(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    first = event_hash(1, WHEN, "issued", "se-2018/authority-0", {"n": 1}, GENESIS)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO events (id, at, kind, subject, detail, prev_hash, hash)"
                " VALUES (1, :at, 'issued', 'se-2018/authority-0', :detail, :prev, :hash)"
            ),
            {"at": WHEN, "detail": '{"n": 1}', "prev": GENESIS, "hash": first},
        )
    engine.dispose()

    with Tracker.open(db_url) as t:
        assert current_revision(make_engine(db_url)) == head_revision() != "0001"
        assert t.verify_log() == []
        assert t.record_issue(**issue(1))
        old, new = t.events()
        assert (old.hash, new.prev_hash, new.id) == (first, first, 2)
        assert t.verify_log() == []


def _schema_and_rows(url: str) -> tuple[dict, dict]:
    """Every table's columns, keys, indexes and constraints as the database reports them,
    and the rows of the tables a new tracker starts with rows in."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            look = inspect(conn)
            schema = {
                table: {
                    "columns": sorted(  # by name: a migration adds a column at the end
                        (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                        for c in look.get_columns(table)
                    ),
                    "primary key": look.get_pk_constraint(table),
                    "foreign keys": look.get_foreign_keys(table),
                    "indexes": sorted(look.get_indexes(table), key=lambda i: str(i["name"])),
                    "unique": sorted(look.get_unique_constraints(table), key=str),
                }
                for table in look.get_table_names()
            }
            rows = {
                table: conn.execute(text(f"SELECT * FROM {table}")).all()
                for table in ("alembic_version", "chain_head")
            }
        return schema, rows
    finally:
        engine.dispose()


def test_a_new_database_is_made_as_the_migrations_make_it(db_url, new_db_url):
    # Opening an empty database creates it from the models, without Alembic; replaying
    # the migrations must give the very same tables, keys, indexes and first rows.
    Tracker.open(db_url, tables=every_table).close()
    migrated = new_db_url()
    upgrade(make_engine(migrated))
    made, replayed = _schema_and_rows(db_url), _schema_and_rows(migrated)
    assert made[0] == replayed[0]
    assert (
        made[1]
        == replayed[1]
        == {
            "alembic_version": [(HEAD,)],
            "chain_head": [(1, 0, GENESIS)],
        }
    )
    assert set(made[0]) == HEAD_TABLES
    # and Alembic reads it as at the head: upgrading it is a no-op, and it records as usual
    upgrade(make_engine(db_url))
    with Tracker.open(db_url) as t:
        assert t.record_issue(**issue(1))
        assert t.verify_log() == []


def test_opening_a_database_that_holds_other_tables_leaves_it_to_alembic(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(MougenError):  # Alembic's CREATE TABLE events fails, and nothing is made
        Tracker.open(db_url, tables=every_table)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["events"]
    engine.dispose()


def test_the_known_head_is_the_migration_scripts_head():
    # Opening a tracker compares its revision with HEAD without loading Alembic: a new
    # migration that did not move HEAD would never be applied.
    assert head_revision() == HEAD


def test_upgrade_command_reports_the_revisions(run_cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(make_engine(url), "0001")
    result = run_cli("--db", url, "tracker", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"from revision 0001 to {head_revision()}" in result.output
    again = run_cli("--db", url, "tracker", "upgrade")
    assert f"already at revision {head_revision()}" in again.output


def test_unreachable_database_is_one_line(run_cli):
    result = run_cli("--db", "postgresql+psycopg://u:secret@127.0.0.1:1/x", "audit", "log")
    assert result.exit_code == 1
    assert result.output.startswith("mougen: tracker database postgresql+psycopg://u:***@")
    assert "secret" not in result.output and "Traceback" not in result.output


def test_database_from_a_newer_mougen_is_one_line(run_cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    Tracker.open(url).close()
    with make_engine(url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = run_cli("--db", url, "audit", "log")
    assert result.exit_code == 1
    assert result.output.startswith(f"mougen: tracker database {url}: ")
    assert "9999" in result.output and "Traceback" not in result.output


# -- the event log --------------------------------------------------------------------------


def _three_events(url: str) -> None:
    with Tracker.open(url) as t:
        for n in range(3):
            t.record_issue(**issue(n))
        assert t.verify_log() == []


def _tamper(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _verify(url: str) -> list[str]:
    with Tracker.open(url) as t:
        return t.verify_log()


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE events SET subject = 'se-2018/forged' WHERE id = 2", "event 2: content"),
        ("UPDATE events SET at = at WHERE id = 2", None),
        ("DELETE FROM events WHERE id = 2", "event 2 missing"),
        ("DELETE FROM events WHERE id = 3", "event 3 missing"),
        ("DELETE FROM events WHERE id >= 2", "event 2-3 missing"),
        ("DELETE FROM chain_head", "chain head missing"),
    ],
    ids=["edited", "untouched", "deleted", "deleted-newest", "deleted-tail", "deleted-head"],
)
def test_tampering_is_named(db_url, run_cli, statement, named):
    _three_events(db_url)
    _tamper(db_url, statement)
    problems = _verify(db_url)
    result = run_cli("--db", db_url, "audit", "log", "--verify")
    if named is None:
        assert problems == [] and result.exit_code == 0
        assert "intact: 3 events" in result.output
        return
    assert problems and problems[0].startswith(named), problems
    assert result.exit_code == 1
    assert named in result.output


def test_rewritten_hash_is_caught_by_the_next_event(db_url):
    _three_events(db_url)
    with Tracker.open(db_url) as t:
        old = t.events()[0]
    forged = event_hash(1, old.at, old.kind, "se-2018/forged", old.detail, old.prev_hash)
    _tamper(db_url, f"UPDATE events SET subject = 'se-2018/forged', hash = '{forged}' WHERE id = 1")
    assert _verify(db_url) == [
        "event 2: prev_hash does not match event 1 (event 1 rewritten or event 2 inserted)"
    ]


def test_appended_event_that_bypassed_the_chain_head_is_named(db_url):
    _three_events(db_url)
    with Tracker.open(db_url) as t:
        newest = t.events()[-1]
    forged = event_hash(4, WHEN, "signed", "se-2018/forged/dcs", {}, newest.hash)
    _tamper(
        db_url,
        "INSERT INTO events (id, at, kind, subject, detail, prev_hash, hash) VALUES"
        f" (4, '{WHEN.isoformat(sep=' ')}', 'signed', 'se-2018/forged/dcs', '{{}}',"
        f" '{newest.hash}', '{forged}')",
    )
    assert _verify(db_url) == ["event 4: not in the chain head (inserted)"]


def test_audit_log_lists_events(db_url, run_cli):
    assert "No events recorded yet." in run_cli("--db", db_url, "audit", "log").output
    _three_events(db_url)
    table = run_cli("--db", db_url, "audit", "log").output.splitlines()
    assert [line.split()[0] for line in table] == ["1", "2", "3"]
    assert "issued" in table[0] and "se-2018/authority-0" in table[0]
    result = run_cli("--db", db_url, "audit", "log", "--json", "--limit", "2")
    assert result.exit_code == 0
    events = json.loads(result.output)
    assert [e["id"] for e in events] == [2, 3]
    assert events[1]["prev_hash"] == events[0]["hash"]
    checked = json.loads(run_cli("--db", db_url, "audit", "log", "--verify", "--json").output)
    assert checked == {"intact": True, "events": 3, "problems": []}


# -- several processes at once ---------------------------------------------------------------

WORKERS = 3
ITEMS = 8


def _record_everything(url: str, barrier, results, seed: int, from_models: bool) -> None:
    """One process: open the (maybe new) tracker and record every item, in its own order;
    ``from_models``: a new database is made from the models (else by the migrations)."""
    barrier.wait()
    order = list(range(ITEMS))
    random.Random(seed).shuffle(order)
    new = 0
    with Tracker.open(url, tables=every_table if from_models else None) as t:
        for n in order:
            new += t.record_issue(**issue(n))
            new += t.record_signature(signature(n))
    results.put(new)


@pytest.mark.slow
@pytest.mark.parametrize("made_by", ["migrations", "models", "either"])
def test_concurrent_processes_record_each_item_once(db_url, made_by):
    # fork: the workers need nothing re-imported, which keeps this quick. Each process may
    # be the one that makes the new database, from the models or by the migrations.
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    from_models = {"migrations": [False] * 3, "models": [True] * 3, "either": [True, False, True]}
    workers = [
        ctx.Process(
            target=_record_everything,
            args=(db_url, barrier, results, seed, from_models[made_by][seed]),
        )
        for seed in range(WORKERS)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WORKERS
    assert sum(results.get(timeout=5) for _ in workers) == 2 * ITEMS
    with Tracker.open(db_url) as t:
        assert len(t.issues()) == ITEMS and len(t.signatures()) == ITEMS
        assert [e.id for e in t.events()] == list(range(1, 2 * ITEMS + 1))
        assert t.verify_log() == []


# -- rebuilding from the archive -------------------------------------------------------------

SIGNING = {"milton-keynes": 3, "reading": 1}  # roles signed so far, per authority


@pytest.fixture(scope="module")
def built_archive(tmp_path_factory) -> tuple[Path, Archive]:
    """An archive made once (signing is slow): issued/, signed/ and the trusted root."""
    root = tmp_path_factory.mktemp("archive")
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, root / sub)
    pki = TestPki()
    pki.root.write_pem(root / "root.pem")
    return root, build_archive(Workspace(root), pki, SIGNING, tmp_path_factory.mktemp("packs"))


@pytest.fixture
def archived(workspace: Workspace, built_archive) -> Archive:
    """The scratch workspace holding the built archive and trusting its root."""
    source, archive = built_archive
    for sub in ("issued", "signed"):
        shutil.copytree(source / sub, workspace.root / sub, dirs_exist_ok=True)
    trust(workspace, source / "root.pem")
    return replace(
        archive,
        filed={
            slug: [workspace.root / p.relative_to(source) for p in paths]
            for slug, paths in archive.filed.items()
        },
    )


def _records(t: Tracker) -> tuple[list, list]:
    return t.issues(), [replace(s, recorded_at=None) for s in t.signatures()]


def test_rebuild_records_the_archive_once(workspace, archived, db_url, new_db_url):
    with Tracker.open(db_url) as t:
        counts = rebuild(workspace, t)
        assert (counts.manifests, counts.issues_added) == (2, 2)
        assert (counts.files, counts.signatures, counts.signatures_added) == (4, 7, 4)
        assert counts.problems == []
        issued = t.find_issue(archived.issued["milton-keynes"])
        digest = archived.issued["milton-keynes"]
        assert issued.manifest == f"issued/{MOU}/milton-keynes/{digest}.json"
        assert issued.issued_at == ISSUED_AT
        by_role = {s.role: s for s in t.signatures(MOU) if s.authority == "milton-keynes"}
        assert set(by_role) == {"dcs", "lead-member", "chief-executive"}
        dcs = by_role["dcs"]
        assert (dcs.signer_name, dcs.signer_email) == (
            "dcs of milton-keynes",
            "dcs@milton-keynes.example",
        )
        assert dcs.verdict == "TOTAL_PASSED" and dcs.signed_at is not None
        # Seen in all three copies, recorded against the copy it first came back in.
        first = archived.filed["milton-keynes"][0]
        assert dcs.archive_path == first.relative_to(workspace.root).as_posix()
        assert dcs.file_sha256 == first.stem
        events = t.events()

        again = rebuild(workspace, t)
        assert (again.issues_added, again.signatures_added, again.signatures) == (0, 0, 7)
        assert t.events() == events and t.verify_log() == []
        before = _records(t)

    with Tracker.open(new_db_url()) as lost:  # the database was lost: rebuild from scratch
        rebuild(workspace, lost)
        assert _records(lost) == before


def test_rebuild_command_after_deleting_the_database(workspace, archived, run_cli):
    assert run_cli("tracker", "rebuild").exit_code == 0
    with Tracker.open(workspace.db_url) as t:
        before = _records(t)
    for db in workspace.root.glob("mougen.db*"):
        db.unlink()
    result = run_cli("tracker", "rebuild")
    assert result.exit_code == 0, result.output
    assert "2 manifests (2 new), 4 signed files, 7 signatures (4 new)" in result.output
    with Tracker.open(workspace.db_url) as t:
        assert _records(t) == before
        assert t.verify_log() == []
    again = run_cli("tracker", "rebuild")
    assert "(0 new), 4 signed files, 7 signatures (0 new)" in again.output


def test_rebuild_names_damaged_archive_files_and_keeps_the_rest(workspace, archived, run_cli):
    bad_manifest = workspace.issued_dir / MOU / "reading" / f"{archived.issued['reading']}.json"
    bad_manifest.write_text("{not json")
    altered = archived.filed["milton-keynes"][2]
    altered.write_bytes(altered.read_bytes() + b"\n% appended\n")
    result = run_cli("tracker", "rebuild")
    assert result.exit_code == 1
    assert f"{bad_manifest}: manifest is not JSON" in result.output
    assert f"{altered}: content does not match its name" in result.output
    assert "Traceback" not in result.output
    with Tracker.open(workspace.db_url) as t:
        assert [i.authority for i in t.issues()] == ["milton-keynes"]
        roles = sorted((s.authority, s.role) for s in t.signatures())
        assert roles == [
            ("milton-keynes", "dcs"),
            ("milton-keynes", "lead-member"),
            ("reading", "dcs"),
        ]


def test_rebuild_verifies_against_the_given_trust_roots(workspace, archived, run_cli, tmp_path):
    region = workspace.regions_dir / "south-east.yaml"
    region.write_text(region.read_text().replace("  trust_roots: [root.pem]\n", ""))
    untrusted, trusted = (f"sqlite:///{tmp_path / name}" for name in ("u.db", "t.db"))
    assert run_cli("--db", untrusted, "tracker", "rebuild").exit_code == 0
    root = str(workspace.root / "root.pem")
    assert run_cli("--db", trusted, "tracker", "rebuild", "--trust", root).exit_code == 0
    with Tracker.open(untrusted) as t:
        assert {s.verdict for s in t.signatures()} == {"INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"}
    with Tracker.open(trusted) as t:
        assert {s.verdict for s in t.signatures()} == {"TOTAL_PASSED"}
    missing = run_cli("tracker", "rebuild", "--trust", str(tmp_path / "nope.pem"))
    assert missing.exit_code == 2 and "nope.pem" in missing.output
    assert len(missing.output.strip().splitlines()) == 1


def test_signature_facts_read_back_from_json_and_from_the_tracker(tracker):
    facts = signature()
    assert SignatureFacts.from_json(json.loads(json.dumps(facts.to_json()))) == facts
    tracker.record_signature(facts)
    [record] = tracker.signatures()
    assert SignatureFacts.from_json(record.to_json()) == facts


def test_the_tracker_logs_events_at_the_time_its_clock_gives(db_url):
    with Tracker.open(db_url, clock=lambda: WHEN) as t:
        t.record_issue(**issue())
        t.record_signature(signature())
        assert [e.at for e in t.events()] == [WHEN, WHEN]
        assert t.signatures()[0].recorded_at == WHEN


def test_a_new_workspace_s_first_pack_makes_its_tracker_without_alembic(workspace, tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mougen", "--workspace", str(workspace.root),
         "pack", "se-2018", "--authority", "kent", "-o", str(tmp_path / "packs")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "1 newly recorded" in done.stdout
    assert " alembic" not in done.stderr  # -X importtime lists every module loaded
    with Tracker.open(workspace.db_url) as tracker:
        assert [i.authority for i in tracker.issues()] == ["kent"]
    assert current_revision(make_engine(workspace.db_url)) == HEAD

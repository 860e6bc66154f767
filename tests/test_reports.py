"""The reports: status and chase from the tracker, the review calendar, and `mougen check`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from mougen.reports.chase import CHASE_COLUMNS, chase
from mougen.reports.reviews import check_review_dates, due_within, reviews
from mougen.reports.status import shown_signature, status
from mougen.roles import ROLE_IDS
from mougen.tracker import Tracker
from tests.signing_round import (
    MOU,
    PARTIES,
    SIGNED,
    SIGNED_AT,
    SIGNER,
    record_round,
    signed,
)

#: The review-after months of the design's table, and where each is read from.
REVIEW_MONTHS = {
    "nw-2017-19": ("2019-03", "text"),
    "london-2019": ("2020-04", "text"),
    "em-2015": ("2017-03", "text"),
    "se-2018": ("2019-03", "config"),
    "se-2019-20": ("2020-03", "config"),
}


@pytest.fixture
def db_url(tmp_path) -> str:
    """A tracker holding the part-signed se-2018 round."""
    url = "sqlite:///" + str(tmp_path / "t.db")
    with Tracker.open(url) as tracker:
        record_round(tracker)
    return url


# --- status --------------------------------------------------------------------------------------


def test_status_rows_follow_the_tracker(bundled, db_url):
    with Tracker.open(db_url) as tracker:
        rows = {r.authority: r for r in status(bundled.catalog, tracker, MOU)}
    assert len(rows) == PARTIES
    assert [slug for slug, row in rows.items() if row.complete] == ["milton-keynes"]
    for slug, row in rows.items():
        assert [role for role in ROLE_IDS if row.roles[role].signed] == list(SIGNED.get(slug, ()))
    kent = rows["kent"].roles["lead-member"]
    assert kent.signer == f"{SIGNER} (lead-member)"
    assert kent.signed_at == SIGNED_AT.isoformat()
    assert kent.email == "lead-member@kent.example"
    assert rows["kent"].missing == ["chief-executive"]


def test_status_json_shape(run_cli, db_url):
    result = run_cli("--db", db_url, "status", MOU, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data) == PARTIES
    windsor = next(o for o in data if o["authority"] == "windsor-and-maidenhead")
    assert windsor["mou"] == MOU and windsor["complete"] is False
    assert set(windsor["roles"]) == set(ROLE_IDS)
    assert windsor["roles"]["dcs"] == {
        "signed": True,
        "signer": f"{SIGNER} (dcs)",
        "signed_at": "2026-03-02T10:30:00+00:00",
        "email": "dcs@windsor-and-maidenhead.example",
        "verdict": "TOTAL_PASSED",
        "via": None,  # not returned by email
    }
    assert windsor["roles"]["chief-executive"]["signed"] is False
    assert windsor["roles"]["chief-executive"]["signer"] is None
    assert sum(o["complete"] for o in data) == 1


def test_status_table_ticks_and_counts(run_cli, db_url):
    result = run_cli("--db", db_url, "status", "--region", "south-east")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{MOU}: 1/{PARTIES} complete" in lines
    assert "se-2019-20: not issued" in lines  # never issued: nothing outstanding
    kent = next(line for line in lines if line.startswith("Kent "))
    assert kent.split()[1:] == ["✓", "✓", "✗", "no"]


def test_status_csv_and_region_filter(run_cli, db_url):
    result = run_cli("--db", db_url, "status", "--region", "south-east", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 2 * PARTIES
    mk = next(r for r in rows if r["mou"] == MOU and r["authority"] == "milton-keynes")
    assert mk["complete"] == "true" and mk["chief-executive_signed_at"] == SIGNED_AT.isoformat()


def test_status_unknown_region_or_mou_is_one_line(run_cli, db_url):
    for args in (("--region", "atlantis"), ("no-such-mou",)):
        result = run_cli("--db", db_url, "status", *args)
        assert result.exit_code == 1
        assert len(result.output.splitlines()) == 1 and result.output.startswith("mougen: unknown")


def _open(url: str, *facts) -> Tracker:
    tracker = Tracker.open(url)
    for f in facts:
        tracker.record_signature(f)
    return tracker


def _kent(bundled, tracker, root: Path | None = None):
    [row] = [
        r for r in status(bundled.catalog, tracker, MOU, archive_root=root) if r.authority == "kent"
    ]
    return row


def test_three_counterparts_are_complete_in_counterparts_not_complete(bundled, tmp_path, run_cli):
    # Each role signed its own copy: every role has signed, but no one PDF verifies.
    url = f"sqlite:///{tmp_path / 't.db'}"
    counterparts = [
        signed("kent", role, file_sha256=f"{i}" * 64) for i, role in enumerate(ROLE_IDS)
    ]
    with _open(url, *counterparts) as tracker:
        row = _kent(bundled, tracker)
        assert (row.complete, row.counterparts_complete, row.issued) == (False, True, True)
        assert row.state == "complete in counterparts" and row.missing == []
        assert "kent" not in {r.authority for r in chase(bundled.catalog, tracker, MOU)}
    data = json.loads(run_cli("--db", url, "status", MOU, "--json").stdout)
    kent = next(o for o in data if o["authority"] == "kent")
    assert (kent["complete"], kent["counterparts_complete"]) == (False, True)
    lines = run_cli("--db", url, "status", MOU).output.splitlines()
    assert next(line for line in lines if line.startswith("Kent ")).endswith(
        "complete in counterparts"
    )
    assert f"{MOU}: 0/{PARTIES} complete" in lines
    assert "  and 1 complete in counterparts only" in lines


def test_one_document_signed_in_turn_is_complete_across_its_revisions(bundled, tmp_path):
    # Collect met the document after each signature: each revision begins with the last.
    root = tmp_path / "ws"
    revisions, data = [], b"%PDF-1.7 issued\n"
    for role in ROLE_IDS:
        data += f"% signed by {role}\n".encode()
        path = root / "signed" / MOU / "kent" / f"{role}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        revisions.append(
            signed("kent", role, file_sha256=digest, archive_path=f"signed/{MOU}/kent/{role}.pdf")
        )
    with _open(f"sqlite:///{tmp_path / 't.db'}", *revisions) as tracker:
        assert _kent(bundled, tracker, root).complete is True
        # Without the archive to read, only signatures filed together can count together.
        assert _kent(bundled, tracker, None).complete is False
        # An altered earlier revision no longer counts as part of the final document.
        (root / "signed" / MOU / "kent" / "dcs.pdf").write_bytes(b"%PDF-1.7 forged\n")
        assert _kent(bundled, tracker, root).complete is False


def test_an_invalid_signature_does_not_complete_a_document(bundled, tmp_path):
    facts = [signed("kent", role) for role in ROLE_IDS]
    facts[2] = signed("kent", ROLE_IDS[2], verdict="INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND")
    with _open(f"sqlite:///{tmp_path / 't.db'}", *facts) as tracker:
        row = _kent(bundled, tracker)
    assert (row.complete, row.counterparts_complete) == (False, False)
    assert row.roles[ROLE_IDS[2]].signed and row.roles[ROLE_IDS[2]].verdict.startswith("INDET")


def test_the_shown_signature_is_the_earliest_valid_whatever_the_recording_order(bundled, tmp_path):
    early = signed("kent", "dcs", signer_name="First", signature_sha256="f" * 64)
    later = signed(
        "kent",
        "dcs",
        signer_name="Second",
        signature_sha256="0" * 64,
        signed_at=SIGNED_AT + timedelta(days=1),
    )
    earliest_but_invalid = signed(
        "kent",
        "dcs",
        signer_name="Broken",
        signature_sha256="1" * 64,
        signed_at=SIGNED_AT - timedelta(days=1),
        verdict="TOTAL_FAILED/HASH_FAILURE",
    )
    shown = set()
    for n, order in enumerate(
        [(early, later, earliest_but_invalid), (earliest_but_invalid, later, early)]
    ):
        with _open(f"sqlite:///{tmp_path / f'{n}.db'}", *order) as tracker:
            shown.add(_kent(bundled, tracker).roles["dcs"].signer)
            assert shown_signature(tracker.signatures(MOU)).signer_name == "First"
    assert shown == {"First"}


def test_a_version_never_issued_is_not_outstanding_or_chased(bundled, run_cli, db_url):
    with Tracker.open(db_url) as tracker:
        rows = status(bundled.catalog, tracker, "se-2019-20")
        assert {r.issued for r in rows} == {False} and {r.state for r in rows} == {"not issued"}
        assert chase(bundled.catalog, tracker, "se-2019-20") == []
    result = run_cli("--db", db_url, "chase", "se-2019-20")
    assert (
        result.exit_code == 0 and result.stdout_bytes == ",".join(CHASE_COLUMNS).encode() + b"\r\n"
    )
    assert result.stderr == "mougen: warning: se-2019-20 has not been issued: nothing to chase\n"
    data = json.loads(run_cli("--db", db_url, "status", "se-2019-20", "--json").stdout)
    assert {o["issued"] for o in data} == {False}


def test_chase_summarises_the_rows_without_a_name_or_email(bundled, run_cli, db_url):
    result = run_cli("--db", db_url, "chase", MOU, "--json")
    rows = json.loads(result.stdout)
    unaddressed = [r for r in rows if not (r["name"] and r["email"])]
    warnings = result.stderr.splitlines()
    assert 0 < len(warnings) <= 3 < len(unaddressed)
    counted = 0
    for line in warnings:
        match = re.fullmatch(
            rf"mougen: warning: {MOU}: no (name|email|name or email) in the region file for "
            r"(\d+) signator(?:y|ies): (.+?)(?: and (\d+) more)?",
            line,
        )
        assert match, line
        counted += int(match[2])
    assert counted == len(unaddressed)
    first = unaddressed[0]
    assert f"{first['authority']} {first['role']}" in result.stderr
    assert set(rows[0]) == set(CHASE_COLUMNS)


# --- chase ---------------------------------------------------------------------------------------


def test_chase_lists_exactly_the_missing_roles(bundled, db_url):
    with Tracker.open(db_url) as tracker:
        rows = chase(bundled.catalog, tracker, MOU)
    owed = {(r.authority, r.role) for r in rows}
    expected = {
        (slug, role)
        for slug in bundled.catalog.mou(MOU).mou.parties
        for role in ROLE_IDS
        if role not in SIGNED.get(slug, ())
    }
    assert owed == expected and len(rows) == len(expected) == 3 * PARTIES - 6


def test_chase_csv_reads_back_with_names_and_emails_from_config(workspace, run_cli, db_url):
    se = workspace.regions_dir / "south-east.yaml"
    _edit(
        se,
        "council: Royal Borough of Windsor and Maidenhead}",
        "council: Royal Borough of Windsor and Maidenhead, signatories: {chief-executive: "
        '{name: "Sharkey, Duncan", email: ceo@rbwm.example}}}',
    )
    result = run_cli("--db", db_url, "chase", MOU)
    assert result.exit_code == 0, result.output
    # The warnings about rows without a name or email are on stderr, not in the CSV.
    assert result.stdout_bytes.startswith(",".join(CHASE_COLUMNS).encode() + b"\r\n")
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    windsor = [r for r in rows if r["authority"] == "windsor-and-maidenhead"]
    assert [r["role"] for r in windsor] == ["lead-member", "chief-executive"]
    ceo = windsor[1]
    assert (ceo["name"], ceo["email"]) == ("Sharkey, Duncan", "ceo@rbwm.example")
    assert (
        ceo["authority_name"] == "Windsor & Maidenhead" and ceo["role_title"] == "Chief Executive"
    )
    assert windsor[0]["name"] == windsor[0]["email"] == ""
    assert '"Sharkey, Duncan"' in result.output  # RFC 4180 quoting of the comma
    assert "milton-keynes" not in {r["authority"] for r in rows}
    assert len(rows) == 3 * PARTIES - 6


def test_chase_unknown_mou(run_cli, db_url):
    result = run_cli("--db", db_url, "chase", "se-2099")
    assert result.exit_code == 1
    assert result.output.startswith("mougen: unknown MoU 'se-2099'")


# --- reviews -----------------------------------------------------------------------------------


def test_review_months_are_read_from_text_where_it_states_them(bundled):
    found = {r.mou: (r.review_after, r.review_after_source) for r in reviews(bundled, date.today())}
    assert found == REVIEW_MONTHS


def test_due_and_superseded_in_2026(bundled):
    by_id = {r.mou: r for r in reviews(bundled, date(2026, 6, 1))}
    assert {m: r.due for m, r in by_id.items()} == {
        "nw-2017-19": True,
        "london-2019": True,
        "em-2015": True,
        "se-2018": False,  # superseded, so never due however late
        "se-2019-20": True,
    }
    assert {m: r.superseded_by for m, r in by_id.items()} == {
        "nw-2017-19": None,
        "london-2019": None,
        "em-2015": None,
        "se-2018": "se-2019-20",
        "se-2019-20": None,
    }
    assert by_id["nw-2017-19"].overdue_days == (date(2026, 6, 1) - date(2019, 4, 1)).days


def test_a_review_falls_due_only_once_its_month_has_ended(bundled):
    def nw_due(today: date) -> bool:
        return next(r for r in reviews(bundled, today) if r.mou == "nw-2017-19").due

    assert not nw_due(date(2019, 3, 31))
    assert nw_due(date(2019, 4, 1))


def test_due_within_keeps_versions_in_force_due_soon_or_already(bundled):
    today = date(2020, 2, 15)
    rows = reviews(bundled, today)
    # se-2019-20 falls due 2020-04-01 (46 days), london-2019 on 2020-05-01 (76 days).
    assert [r.mou for r in due_within(rows, today, 50)] == ["em-2015", "nw-2017-19", "se-2019-20"]
    assert [r.mou for r in due_within(rows, today, 90)][-1] == "london-2019"
    assert "se-2018" not in [r.mou for r in due_within(rows, today, 10_000)]


def test_reviews_json_shape(run_cli):
    result = run_cli("reviews", "--json", "--today", "2026-06-01")
    assert result.exit_code == 0, result.output
    data = {row["mou"]: row for row in json.loads(result.output)}
    assert set(data) == set(REVIEW_MONTHS)
    se = data["se-2018"]
    assert se["review_after"] == "2019-03" and se["due"] is False
    assert se["superseded_by"] == "se-2019-20"
    assert data["em-2015"]["due_on"] == "2017-04-01"


def test_reviews_within_option(run_cli):
    result = run_cli("reviews", "--json", "--within", "50d", "--today", "2020-02-15")
    assert [r["mou"] for r in json.loads(result.output)] == ["em-2015", "nw-2017-19", "se-2019-20"]
    bad = run_cli("reviews", "--within", "soon")
    assert bad.exit_code == 2 and "90d" in bad.output


def test_reviews_table_marks_due_and_superseded(run_cli):
    result = run_cli("reviews", "--today", "2026-06-01")
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert "superseded by se-2019-20" in lines["se-2018"]
    assert "DUE" in lines["london-2019"]


def test_reviews_with_a_broken_template_is_one_line(workspace, run_cli):
    (workspace.templates_dir / "london-2019.docx").write_bytes(b"PK not really")
    result = run_cli("reviews")
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("mougen: ") and "london-2019.docx" in line


# --- check ---------------------------------------------------------------------------------------


def test_check_passes_on_the_bundled_workspace(bundled, run_cli):
    assert check_review_dates(bundled) == []
    result = run_cli("check", ws=bundled)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 4 region files, 5 MoU versions")


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_reports_config_dates_that_disagree_with_the_text(workspace, run_cli):
    nw = workspace.regions_dir / "north-west.yaml"
    _edit(nw, "review_after: 2019-03", "review_after: 2019-06")
    _edit(nw, "commences: 2017-09", "commences: 2017-10")
    result = run_cli("check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert all(str(nw) in line and "nw-2017-19" in line for line in lines)
    assert "review_after is June 2019" in lines[1] and '"reviewed after March 2019"' in lines[1]
    assert "commences is October 2017" in lines[0] and '"commences in September 2017"' in lines[0]


def test_check_reports_one_line_per_broken_file(workspace, run_cli):
    (workspace.templates_dir / "se-2018.docx").write_bytes(b"not a docx")
    (workspace.templates_dir / "em-2015.docx").unlink()
    result = run_cli("check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert any("em-2015.docx" in line and "missing" in line for line in lines)
    assert any("se-2018.docx" in line and "not a readable Word document" in line for line in lines)
    assert "Traceback" not in result.output


def test_check_reports_a_region_file_that_does_not_load(workspace, run_cli):
    london = workspace.regions_dir / "london.yaml"
    _edit(london, "review_after: 2020-04", "review_after: April 2020")
    result = run_cli("check")
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"{london}: mous.0.review_after: expected YYYY-MM")

"""The HTML dashboard: self-contained, escaped, and rendered by a real headless Chromium."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from mougen.roles import ROLE_IDS
from mougen.tracker import Tracker
from tests.signing_round import (
    MOU,
    PARTIES,
    SIGNED,
    SIGNER,
    record_round,
    signature_count,
    signed,
)

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian chromium is not installed (apt-get install chromium): no browser test",
)
TODAY = "2026-06-01"


@pytest.fixture
def db_url(tmp_path, workspace) -> str:
    """The part-signed round, after every party was issued its PDF (25 events in all)."""
    url = "sqlite:///" + str(tmp_path / "t.db")
    with Tracker.open(url) as tracker:
        for slug in workspace.catalog.mou(MOU).mou.parties:
            if slug not in SIGNED:
                tracker.record_issue(
                    mou=MOU,
                    authority=slug,
                    pdf_sha256=slug.encode().hex().ljust(64, "0")[:64],
                    issued_at=datetime(2026, 3, 1, tzinfo=UTC),
                    issued_by="coordinator",
                    manifest=f"issued/{MOU}/{slug}.json",
                )
        record_round(tracker)
        assert len(tracker.events()) == 25
    return url


@pytest.fixture
def dashboard(tmp_path, run_cli, db_url) -> Path:
    out = tmp_path / "out" / "dashboard.html"
    result = run_cli("--db", db_url, "report", MOU, "--html", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    return out


def _chromium(profile: Path, page: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *options,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def _console_messages(stderr: str) -> list[str]:
    # The page has no script, so any console line at all is a fault.
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def test_dashboard_is_self_contained_and_escaped(dashboard):
    html = dashboard.read_text(encoding="utf-8")
    for remote in ("http://", "https://", "<link", "<script", "@import", "url("):
        assert remote not in html
    assert "Windsor &amp; Maidenhead" in html
    assert SIGNER not in html and "Ann &lt;Lee&gt; &amp; Co" in html
    assert not list(dashboard.parent.glob(".*.tmp"))


@needs_chromium
def test_dashboard_renders_in_chromium_with_the_right_counts(tmp_path, dashboard):
    browser = _chromium(tmp_path / "profile", dashboard, "--dump-dom")
    assert _console_messages(browser.stderr) == []
    dom = lxml.html.fromstring(browser.stdout)

    [bar] = dom.xpath("//section[@id='progress']//div[@class='progress']")
    assert (bar.get("data-complete"), bar.get("data-parties")) == ("1", str(PARTIES))
    assert bar.xpath("string(.//span[@class='count'])") == f"1/{PARTIES} complete"
    assert bar.xpath(".//div[@role='progressbar']/span/@style") == ["width: 5%"]

    grid = dom.xpath(f"//table[@data-mou='{MOU}']")[0]
    assert len(grid.xpath(".//tbody/tr")) == PARTIES
    assert len(grid.xpath(".//tbody/tr[@class='complete']")) == 1
    assert (
        len(grid.xpath(".//td[contains(@class, 'signed') and not(contains(@class, 'unsigned'))]"))
        == signature_count()
    )
    assert len(grid.xpath(".//td[contains(@class, 'unsigned')]")) == 3 * PARTIES - signature_count()
    [kent_lead] = grid.xpath(".//tr[@data-authority='kent']/td[@data-role='lead-member']")
    assert (
        kent_lead.get("title") == f"Signed by {SIGNER} (lead-member) on 2026-03-02T10:30:00+00:00"
    )
    [windsor] = grid.xpath(".//tr[@data-authority='windsor-and-maidenhead']/th")
    assert windsor.text_content() == "Windsor & Maidenhead"

    reviews = {r.get("data-mou"): r.get("data-due") for r in dom.xpath("//tr[@class='review']")}
    assert reviews == {
        "em-2015": "true",
        "nw-2017-19": "true",
        "se-2018": "false",
        "se-2019-20": "true",
        "london-2019": "true",
    }

    events = dom.xpath("//tr[@class='event']")
    assert len(events) == 20
    assert [int(e.get("data-id")) for e in events] == list(range(25, 5, -1))  # newest first


@needs_chromium
def test_console_errors_are_caught(tmp_path):
    # The check above is only worth something if a faulty page is seen to fail it.
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>missing();</script>", encoding="utf-8")
    browser = _chromium(tmp_path / "profile", page, "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in _console_messages(browser.stderr))


@needs_chromium
def test_dashboard_screenshot(tmp_path, dashboard):
    shot = tmp_path / "dashboard.png"
    _chromium(tmp_path / "profile", dashboard, f"--screenshot={shot}", "--window-size=1280,2000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)


def test_report_refuses_an_unknown_mou_and_leaves_no_file(tmp_path, run_cli, db_url):
    out = tmp_path / "nothing.html"
    result = run_cli("--db", db_url, "report", "xx-1999", "--html", str(out))
    assert result.exit_code == 1 and result.output.startswith("mougen: unknown MoU")
    assert not out.exists()


def test_report_into_an_unwritable_place_is_one_line(tmp_path, run_cli, db_url):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_cli("--db", db_url, "report", "--html", str(blocker / "dash.html"))
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and str(blocker) in result.output


def test_report_without_an_id_shows_each_region_s_version_in_force(tmp_path, run_cli):
    out = tmp_path / "all.html"
    empty = "sqlite:///" + str(tmp_path / "empty.db")
    result = run_cli("--db", empty, "report", "--html", str(out), "--today", TODAY)
    assert result.exit_code == 0, result.output
    dom = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    bars = dom.xpath("//div[@class='progress']")
    assert sorted(b.get("data-mou") for b in bars) == [
        "em-2015",
        "london-2019",
        "nw-2017-19",
        "se-2019-20",
    ]
    assert {b.get("data-complete") for b in bars} == {"0"}
    assert "No events recorded yet." in dom.text_content()


IN_FORCE = "se-2019-20"


def test_dashboard_shows_counterparts_and_versions_not_issued(tmp_path, run_cli, workspace):
    url = "sqlite:///" + str(tmp_path / "c.db")
    with Tracker.open(url) as tracker:
        for n, role in enumerate(ROLE_IDS):  # each role signed its own copy
            copy = signed("kent", role, mou=IN_FORCE, file_sha256=f"{n}" * 64)
            tracker.record_signature(copy)
    out = tmp_path / "c.html"
    result = run_cli("--db", url, "report", "--html", str(out), "--date", TODAY)
    assert result.exit_code == 0, result.output
    dom = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    [se] = dom.xpath(f"//div[@class='progress'][@data-mou='{IN_FORCE}']")
    assert se.get("data-complete") == "0"
    assert se.xpath("string(.//p[contains(@class, 'counterparts')]/@data-counterparts)") == "1"
    [kent] = dom.xpath(f"//table[@data-mou='{IN_FORCE}']//tr[@data-authority='kent']")
    assert kent.get("class") == "counterparts" and "complete in counterparts" in kent.text_content()
    [em] = dom.xpath("//div[@class='progress'][@data-mou='em-2015']")
    assert em.xpath("string(.//span[contains(@class, 'count')])") == "not issued"

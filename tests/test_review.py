"""The review commands and the redline command, end to end in a scratch workspace."""

from __future__ import annotations

import json

import docx
import pytest

from mougen.config import load_catalog
from mougen.config.years import shift_years, years_named
from mougen.tracker import Tracker
from tests.tracked import W, accepted_words, document_xml, rejected_words

NEW_ENTRY = """\
  - id: se-2021
    title: "South East Sector Led Improvement Programme: Memorandum of understanding 2021-22"
    template: se-2021.docx
    commences: 2021-04
    review_after: 2022-03
    supersedes: se-2019-20
    parties: *se-parties
"""


def start(run_cli, mou="se-2019-20", new="se-2021", commences="2021-04", review="2022-03"):
    args = ["review", "start", mou, "--id", new, "--commences", commences]
    return run_cli(*args, "--review-after", review)


def test_review_start_adds_the_version_and_changes_nothing_else(run_cli, workspace):
    region = workspace.regions_dir / "south-east.yaml"
    before = region.read_text(encoding="utf-8")
    result = start(run_cli)
    assert result.exit_code == 0, result.output
    after = region.read_text(encoding="utf-8")
    # Only the new entry's lines are added, right after the last version; comments stay.
    assert after == before.replace(
        "    parties: *se-parties\n", "    parties: *se-parties\n" + NEW_ENTRY
    )
    assert (workspace.templates_dir / "se-2021.docx").read_bytes() == (
        workspace.templates_dir / "se-2019-20.docx"
    ).read_bytes()
    entry = load_catalog(workspace.regions_dir).mou("se-2021")
    assert entry.mou.supersedes == "se-2019-20"
    assert entry.mou.parties == load_catalog(workspace.regions_dir).mou("se-2019-20").mou.parties
    with Tracker.open(workspace.db_url) as tracker:
        assert "se-2021" in {v.id for v in tracker.versions()}


def test_review_start_copies_an_unanchored_party_list(run_cli, workspace):
    assert start(run_cli, "london-2019", "london-2021", "2021-04", "2022-04").exit_code == 0
    catalog = load_catalog(workspace.regions_dir)
    new = catalog.mou("london-2021").mou
    assert new.parties == catalog.mou("london-2019").mou.parties
    assert new.title == "Greater London Sector Led Improvement: Memorandum of Understanding 2021"


def test_review_start_takes_a_title_and_refuses_a_second_successor(run_cli, workspace):
    args = ["review", "start", "se-2019-20", "--id", "se-2021", "--commences", "2021-04"]
    result = run_cli(*args, "--review-after", "2022-03", "--title", "SE MoU 2021 & beyond")
    assert result.exit_code == 0, result.output
    assert load_catalog(workspace.regions_dir).mou("se-2021").mou.title == "SE MoU 2021 & beyond"
    before = (workspace.regions_dir / "south-east.yaml").read_bytes()
    again = start(run_cli, "se-2019-20", "se-2022", "2022-04", "2023-03")
    assert again.exit_code == 1
    assert "se-2019-20 already has a successor, se-2021" in again.output
    assert (workspace.regions_dir / "south-east.yaml").read_bytes() == before
    assert not (workspace.templates_dir / "se-2022.docx").exists()


def test_check_flags_a_version_that_names_another_versions_years(run_cli, workspace):
    """se-2021 copies se-2019-20's template, whose title says 2019-20: check says so."""
    assert start(run_cli).exit_code == 0
    result = run_cli("check")
    assert result.exit_code == 1
    assert "se-2021: names 2019, a year of se-2019-20" in result.output
    assert "se-2019-20: names" not in result.output and "se-2018: names" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "x-2021", "2021-04", "2022-03"), "unknown MoU 'nope'"),
        (("se-2018", "se-2019-20", "2021-04", "2022-03"), "MoU 'se-2019-20' already exists"),
        (("se-2018", "x-2021", "2021-4", "2022-03"), "--commences: expected YYYY-MM"),
        (("se-2018", "x-2021", "2021-04", "2022-13"), "--review-after: '2022-13' is not a month"),
        (("se-2018", "x-2021", "2021-04", "2020-03"), "must be later than --commences"),
        (("se-2018", "X_2021", "2021-04", "2022-03"), "use lower-case words joined by hyphens"),
    ],
)
def test_review_start_refusals_are_one_line(run_cli, workspace, args, message):
    before = {p.name: p.read_bytes() for p in workspace.regions_dir.iterdir()}
    templates = sorted(p.name for p in workspace.templates_dir.iterdir())
    result = start(run_cli, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in workspace.regions_dir.iterdir()} == before
    assert sorted(p.name for p in workspace.templates_dir.iterdir()) == templates


def test_review_start_refuses_to_overwrite_a_template(run_cli, workspace):
    existing = workspace.templates_dir / "se-2021.docx"
    existing.write_bytes(b"coordinator's draft")
    result = start(run_cli)
    assert result.exit_code == 1
    assert "se-2021.docx: already exists" in result.output
    assert existing.read_bytes() == b"coordinator's draft"


def test_review_start_restores_the_region_file_when_the_result_is_invalid(run_cli, workspace):
    """A region file the new entry would break (an old template missing) is put back."""
    region = workspace.regions_dir / "south-east.yaml"
    before = region.read_bytes()
    (workspace.templates_dir / "se-2019-20.docx").unlink()
    result = start(run_cli)
    assert result.exit_code == 1
    assert "template for se-2019-20 is missing" in result.output
    assert region.read_bytes() == before
    assert not (workspace.templates_dir / "se-2021.docx").exists()


def test_review_diff_writes_the_redline_against_the_predecessor(run_cli, workspace):
    assert start(run_cli).exit_code == 0
    template = workspace.templates_dir / "se-2021.docx"
    doc = docx.Document(str(template))
    target = next(p for p in doc.paragraphs if p.text.startswith("1.2."))
    target.runs[-1].text += " It is reviewed every year."
    doc.save(str(template))
    result = run_cli("review", "diff", "se-2021")
    assert result.exit_code == 0, result.output
    out = workspace.root / "redlines" / "se-2019-20--se-2021.docx"
    assert "Insertions: 1" in result.output and "1.2. (changed)" in result.output
    inserted = ["".join(i.itertext()) for i in document_xml(out.read_bytes()).iter(f"{W}ins")]
    assert inserted == [" It is reviewed every year."]
    pdf = workspace.root / "redlines" / "se-2019-20--se-2021.pdf"
    assert run_cli("review", "diff", "se-2021", "--pdf").exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    wrong = workspace.root / "wrong.docx"
    refused = run_cli("review", "diff", "se-2021", "--pdf", "-o", str(wrong))
    assert refused.exit_code == 2 and "not a .pdf" in refused.output and not wrong.exists()


def test_review_diff_of_a_first_version_is_refused(run_cli):
    result = run_cli("review", "diff", "se-2018")
    assert result.exit_code == 1
    assert "se-2018 does not supersede another version" in result.output


def test_redline_command_writes_docx_and_json_summary(run_cli, workspace, tmp_path):
    out = tmp_path / "red.docx"
    args = ("redline", "se-2018", "se-2019-20", "-o", str(out), "--author", "Coordinator")
    result = run_cli(*args, "--date", "2026-03-01T09:00:00Z", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["old"], summary["new"], summary["moves"]) == ("se-2018", "se-2019-20", 0)
    assert summary["insertions"] > 30 and summary["renumbered"] > 20
    protocols = {"clause": "3.", "change": "inserted", "through": "4.3.6.", "paragraphs": 33}
    assert protocols in summary["clauses"]
    root = document_xml(out.read_bytes())
    assert {el.get(f"{W}author") for el in root.iter(f"{W}ins")} == {"Coordinator"}
    assert {el.get(f"{W}date") for el in root.iter(f"{W}ins")} == {"2026-03-01T09:00:00Z"}
    # Rendered with placeholders: the authority's name is "[Authority]" on both sides.
    assert "[Authority]" in accepted_words(out.read_bytes())
    assert "[Authority]" in " ".join(rejected_words(out.read_bytes()))


def test_redline_command_renders_for_an_authority(run_cli, tmp_path):
    out = tmp_path / "kent.docx"
    result = run_cli("redline", "se-2018", "se-2019-20", "--authority", "kent", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Kent" in " ".join(accepted_words(out.read_bytes()))


@pytest.mark.parametrize(
    ("old", "new", "out", "message"),
    [
        ("se-2018", "nope", "x.docx", "unknown MoU 'nope'"),
        ("se-2018", "missing.docx", "x.docx", "missing.docx: cannot read"),
        ("se-2018", "notes.docx", "x.docx", "notes.docx: not a readable Word document"),
        ("se-2018", "se-2019-20", "x.txt", "x.txt: a redline is written as .docx or .pdf"),
    ],
)
def test_redline_refusals_are_one_line_and_leave_no_file(run_cli, tmp_path, old, new, out, message):
    (tmp_path / "notes.docx").write_text("not a zip")
    args = [a if a.startswith("se-") or a == "nope" else str(tmp_path / a) for a in (old, new)]
    result = run_cli("redline", *args, "-o", str(tmp_path / out))
    assert result.exit_code == 1
    assert message in result.output and result.output.count("\n") == 1
    assert not (tmp_path / out).exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_redline_of_a_docx_with_tracked_changes_is_refused(run_cli, tmp_path):
    first = tmp_path / "first.docx"
    assert run_cli("redline", "se-2018", "se-2019-20", "-o", str(first)).exit_code == 0
    result = run_cli("redline", str(first), "se-2019-20", "-o", str(tmp_path / "again.docx"))
    assert result.exit_code == 1
    assert "holds tracked changes" in result.output


def test_the_new_version_supersedes_the_old_in_reviews(run_cli):
    """Once the next version is open, the old one is no longer due for review."""
    assert start(run_cli).exit_code == 0
    result = run_cli("reviews", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["mou"]: row for row in json.loads(result.output)}
    assert rows["se-2019-20"]["superseded_by"] == "se-2021"
    assert rows["se-2019-20"]["due"] is False
    assert rows["se-2021"]["review_after"] == "2022-03"


def test_the_opened_version_can_be_packed_as_a_new_round(run_cli, tmp_path):
    assert start(run_cli).exit_code == 0
    packed = run_cli("pack", "se-2021", "--authority", "kent", "-o", str(tmp_path / "packs"))
    assert packed.exit_code == 0, packed.output
    result = run_cli("status", "se-2021", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {row["mou"] for row in rows} == {"se-2021"}
    assert len(rows) == 19 and not any(row["complete"] for row in rows)


@pytest.mark.parametrize(
    ("title", "years", "moved"),
    [
        ("MoU 2019-20", 2, "MoU 2021-22"),
        ("MoU 2018", 3, "MoU 2021"),
        ("MoU 2017-19 (from 2017/2019)", 4, "MoU 2021-23 (from 2021/2023)"),
        ("MoU 1999-00", 1, "MoU 2000-01"),
        ("clause 12345 and em-2015", 1, "clause 12345 and em-2015"),
    ],
)
def test_titles_move_on_year_by_year(title, years, moved):
    assert shift_years(title, years) == moved


def test_years_named_counts_spans_year_by_year():
    assert years_named("the 2019-20 MoU, reviewed 2022, and 2017/2019") == {
        2017,
        2018,
        2019,
        2020,
        2022,
    }

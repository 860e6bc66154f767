"""Region config: the bundled data, and the errors a broken file gets."""

from __future__ import annotations

import pytest

from mougen.config import YearMonth
from mougen.errors import ConfigError, UnknownItem

EXPECTED_PARTIES = {
    "nw-2017-19": 23,
    "london-2019": 33,
    "em-2015": 9,
    "se-2018": 19,
    "se-2019-20": 19,
}


def test_bundled_versions_have_the_real_number_of_parties(bundled):
    counts = {mou_id: len(e.mou.parties) for mou_id, e in bundled.catalog.entries.items()}
    assert counts == EXPECTED_PARTIES


def test_membership_belongs_to_the_version(bundled):
    nw = bundled.catalog.mou("nw-2017-19")
    assert "cumbria" in nw.mou.parties
    assert "cumberland" not in nw.mou.parties
    with pytest.raises(UnknownItem, match="cumberland"):
        nw.party("cumberland")
    em = bundled.catalog.mou("em-2015")
    assert "northamptonshire" in em.mou.parties
    assert "west-northamptonshire" not in em.mou.parties


def test_milton_keynes_signatories_come_from_the_se_2018_seed(bundled):
    mk = bundled.catalog.mou("se-2018").party("milton-keynes")
    assert mk.signatories.dcs.name == "Michael Bracey"
    assert mk.signatories.chief_executive.name == "Carole Mills"
    assert mk.signatories.for_role("lead-member").name == "Cllr Zoe Nolan"


def test_successor_is_derived_from_supersedes(bundled):
    assert bundled.catalog.successor("se-2018") == "se-2019-20"
    assert bundled.catalog.successor("se-2019-20") is None


def test_unknown_mou_lists_the_known_ids(bundled):
    with pytest.raises(UnknownItem, match="known: em-2015"):
        bundled.catalog.mou("nope")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region: [unclosed", "line 1"),
        ("- just a list", "expected a mapping"),
        (
            "region: {id: x, name: X}\nmous: []\n"
            "authorities:\n  - {slug: Bad Slug, name: a, council: b}",
            "authorities.0.slug",
        ),
        (
            "region: {id: x, name: X}\nauthorities: []\nmous:\n"
            "  - {id: m, title: t, template: m.docx, commences: 2019-13, parties: []}",
            "mous.0.commences",
        ),
        (
            "region: {id: x, name: X}\nauthorities: []\nmous:\n"
            "  - {id: m, title: t, template: m.docx, commences: 2019, parties: [ghost]}",
            "mous.0.parties.0: 'ghost' is not in authorities",
        ),
        ("region: {id: x, name: X, colour: red}\nmous: []\nauthorities: []", "region.colour"),
    ],
)
def test_broken_region_file_names_file_and_key(workspace, text, message):
    path = workspace.regions_dir / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        _ = workspace.catalog
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_year_month_reads_and_writes():
    assert str(YearMonth.parse("2019-03")) == "2019-03"
    assert YearMonth.parse("2019-03").words == "March 2019"
    assert YearMonth.parse(2018).words == "2018"
    with pytest.raises(ValueError):
        YearMonth.parse("March 2019")


def test_regions_command_lists_every_version(run_cli):
    result = run_cli("regions")
    assert result.exit_code == 0
    for mou_id, parties in EXPECTED_PARTIES.items():
        line = next(ln for ln in result.output.splitlines() if f" {mou_id} " in ln)
        assert line.split()[-1] == str(parties)


def test_broken_yaml_is_one_line_and_exit_1(run_cli, workspace):
    (workspace.regions_dir / "london.yaml").write_text("region: [", encoding="utf-8")
    result = run_cli("regions")
    assert result.exit_code == 1
    assert "london.yaml" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_init_copies_bundled_workspace(tmp_path, run_cli):
    target = tmp_path / "new"
    result = run_cli("init", str(target))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (target / "regions").iterdir()) == [
        "east-midlands.yaml",
        "london.yaml",
        "north-west.yaml",
        "south-east.yaml",
    ]
    again = run_cli("init", str(target))
    assert again.exit_code == 1
    assert "not empty" in again.output

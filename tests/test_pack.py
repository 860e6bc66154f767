"""Packs: one per party, each complete, hashed, zipped, and safe to build again."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from mougen.pack import build_packs
from mougen.pack.manifest import Manifest
from mougen.tracker import Tracker
from tests.pdftext import pdftotext, qpdf_check, signature_fields

WHEN = datetime(2026, 11, 22, tzinfo=UTC)
PACK_COUNTS = {"nw-2017-19": 23, "london-2019": 33, "em-2015": 9, "se-2018": 19, "se-2019-20": 19}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_pack(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["name"]: f for f in manifest["files"]}
    assert sorted(listed) == sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
    for name, entry in listed.items():
        assert entry["sha256"] == _sha(folder / name), name
        assert entry["bytes"] == (folder / name).stat().st_size
    assert manifest["issued_pdf_sha256"] == _sha(folder / manifest["issued_pdf"])
    with zipfile.ZipFile(folder.with_suffix(".zip")) as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in folder.iterdir())
        for name in archive.namelist():
            assert archive.read(name) == (folder / name).read_bytes()
    return manifest


@pytest.mark.parametrize("mou_id", PACK_COUNTS)
def test_one_complete_pack_per_party(workspace, tmp_path, mou_id):
    entry = workspace.catalog.mou(mou_id)
    results = build_packs(workspace, mou_id, entry.mou.parties, tmp_path / "packs", WHEN, jobs=2)
    assert len(results) == PACK_COUNTS[mou_id]
    folders = sorted(p for p in (tmp_path / "packs").iterdir() if p.is_dir())
    assert [f.name for f in folders] == sorted(f"{mou_id}--{s}" for s in entry.mou.parties)
    for folder in folders:
        manifest = _check_pack(folder)
        assert manifest["mou"] == mou_id
        assert manifest["template_sha256"] == _sha(workspace.templates_dir / f"{mou_id}.docx")
        record = workspace.issued_dir / mou_id / manifest["authority"]
        assert (record / f"{manifest['issued_pdf_sha256']}.json").is_file()


def test_cover_sheet_says_who_signs_how_and_the_hash(workspace, tmp_path):
    [result] = build_packs(workspace, "se-2018", ["milton-keynes"], tmp_path, WHEN)
    cover = pdftotext(result.folder / "cover-sheet.pdf", raw=False)
    for text in (
        "Milton Keynes Council",
        "Michael Bracey",
        "Carole Mills",
        "Cllr Zoe Nolan",
        "mougen sign",
        "Adobe",
        "SESLIP programme office",
        result.pdf_sha256,
    ):
        assert text in cover, text
    order = [cover.index(t) for t in ("Director of", "Lead Member", "Chief Executive")]
    assert order == sorted(order)
    assert qpdf_check(result.folder / "cover-sheet.pdf").returncode == 0
    assert sorted(signature_fields(result.folder / "se-2018--milton-keynes.pdf")) == [
        "chief-executive",
        "dcs",
        "lead-member",
    ]


def test_cover_sheet_shows_the_return_by_date(run_cli, workspace, tmp_path):
    result = run_cli(
        "pack",
        "se-2018",
        "-a",
        "kent",
        "-o",
        str(tmp_path),
        "--return-by",
        "2026-12-04",
        "--date",
        "2026-11-02",
    )
    assert result.exit_code == 0, result.output
    cover = " ".join(pdftotext(tmp_path / "se-2018--kent" / "cover-sheet.pdf", raw=False).split())
    # one date style everywhere, as the emails write it: no leading zero
    assert "by 4 December 2026" in cover and "2 November 2026" in cover
    assert "04 December" not in cover and "02 November" not in cover
    [plain] = build_packs(workspace, "se-2018", ["kent"], tmp_path / "plain", WHEN)
    assert "December 2026" not in pdftotext(plain.folder / "cover-sheet.pdf", raw=False)


def test_packs_are_readable_by_colleagues(workspace, tmp_path):
    [result] = build_packs(workspace, "em-2015", ["rutland"], tmp_path / "packs", WHEN)
    assert result.folder.stat().st_mode & 0o777 == 0o755
    assert {p.stat().st_mode & 0o777 for p in result.folder.iterdir()} == {0o644}
    assert result.zip.stat().st_mode & 0o777 == 0o644


def test_rebuilding_replaces_packs_whole_and_identically(workspace, tmp_path):
    out = tmp_path / "packs"
    [first] = build_packs(workspace, "em-2015", ["rutland"], out, WHEN)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    (first.folder / "stray.txt").write_text("left over")
    [again] = build_packs(workspace, "em-2015", ["rutland"], out, WHEN)
    assert {p.name: p.read_bytes() for p in again.folder.iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["em-2015--rutland", "em-2015--rutland.zip"]


def test_parallel_and_serial_builds_agree(workspace, tmp_path):
    parties = ["derby", "rutland", "lincolnshire"]
    serial = build_packs(workspace, "em-2015", parties, tmp_path / "a", WHEN, jobs=1)
    parallel = build_packs(workspace, "em-2015", parties, tmp_path / "b", WHEN, jobs=3)
    assert [r.pdf_sha256 for r in serial] == [r.pdf_sha256 for r in parallel]


def test_workers_are_forked_only_before_typst_has_started(workspace, tmp_path):
    # A fresh interpreter: this test process has long since started Typst.
    script = f"""
from datetime import UTC, datetime
from pathlib import Path
from mougen.pack.pool import _pool_context, build_packs
from mougen.workspace import Workspace
print(_pool_context(explicit=False).get_start_method())
build_packs(Workspace(Path({str(workspace.root)!r})), "em-2015", ["rutland"],
            Path({str(tmp_path)!r}), datetime(2026, 11, 22, tzinfo=UTC))
print(_pool_context(explicit=False), _pool_context(explicit=True).get_start_method())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["fork", "None", "forkserver"]


def test_pack_loads_the_tracker_beside_the_round_not_in_the_command_s_process(workspace, tmp_path):
    """Issue 21: ``pack`` forks one process for its tracker work before it loads anything
    else. That process loads SQLAlchemy, and never the config, while the command's own
    process loads the config and the render stack, and never SQLAlchemy. Every pack is
    recorded all the same."""
    beside = tmp_path / "beside.txt"
    script = f"""
import os, sys
from pathlib import Path
from mougen.cli import main, pack_round
loaded = pack_round.load_tracker
def load_tracker():
    loaded()
    Path({str(beside)!r}).write_text(f"{{os.getpid()}} {{'pydantic' in sys.modules}}")
pack_round.load_tracker = load_tracker
import mougen.cli.render_cmds
mougen.cli.render_cmds.load_tracker = load_tracker
sys.argv = ["mougen", "--workspace", {str(workspace.root)!r}, "pack", "em-2015",
            "-o", {str(tmp_path / "packs")!r}, "-a", "rutland", "-a", "derby"]
try:
    main()
except SystemExit:
    pass
print("LOADED", os.getpid(), "sqlalchemy" in sys.modules, "mougen.render.pipeline" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "2 packs for em-2015" in out.stdout and "(2 newly recorded as issued)" in out.stdout
    command_pid, sqlalchemy, render = out.stdout.split("LOADED")[1].split()
    assert (sqlalchemy, render) == ("False", "True")
    beside_pid, config = beside.read_text().split()
    assert beside_pid != command_pid and config == "False"
    with Tracker.open(workspace.db_url) as tracker:
        assert sorted(i.authority for i in tracker.issues()) == ["derby", "rutland"]


def test_pack_command_builds_in_parallel_the_same_bytes(workspace, tmp_path):
    def pack(out: Path, *jobs: str) -> dict[str, bytes]:
        subprocess.run(
            [sys.executable, "-m", "mougen", "--workspace", str(workspace.root), "pack",
             "em-2015", "-o", str(out), "--date", "2026-11-22", *jobs,
             *(a for s in ("derby", "rutland", "lincolnshire") for a in ("--authority", s))],
            check=True, capture_output=True,
        )  # fmt: skip
        return {str(f.relative_to(out)): f.read_bytes() for f in out.rglob("*") if f.is_file()}

    parallel, serial = pack(tmp_path / "a"), pack(tmp_path / "b", "--jobs", "1")
    assert len(parallel) == 3 * 5 and parallel == serial


def test_one_pack_command_builds_several_versions_in_one_pool(workspace, tmp_path):
    picked = ("kent", "milton-keynes")
    subprocess.run(
        [sys.executable, "-m", "mougen", "--workspace", str(workspace.root), "pack",
         "se-2018", "se-2019-20", "-o", str(tmp_path / "one"), "--date", "2026-11-22",
         "--jobs", "2", *(a for s in picked for a in ("--authority", s))],
        check=True, capture_output=True,
    )  # fmt: skip
    for mou_id in ("se-2018", "se-2019-20"):
        build_packs(workspace, mou_id, picked, tmp_path / "each", WHEN)
    one, each = (
        {p.name: p.read_bytes() for p in (tmp_path / d).glob("*.zip")} for d in ("one", "each")
    )
    assert len(one) == 4 and one == each
    with Tracker.open(workspace.db_url) as tracker:
        assert {(i.mou, i.authority) for i in tracker.issues()} == {
            (m, s) for m in ("se-2018", "se-2019-20") for s in picked
        }


def test_pack_command_for_one_authority(run_cli, workspace, tmp_path):
    out = tmp_path / "packs"
    result = run_cli(
        "pack", "se-2019-20", "--authority", "milton-keynes", "-o", str(out), "--date", "2026-11-22"
    )
    assert result.exit_code == 0, result.output
    assert "1 pack for se-2019-20" in result.output
    manifest = _check_pack(out / "se-2019-20--milton-keynes")
    with Tracker.open(workspace.db_url) as tracker:
        issue = tracker.find_issue(manifest["issued_pdf_sha256"])
    assert (issue.mou, issue.authority) == ("se-2019-20", "milton-keynes")
    assert issue.issued_by == manifest["issued_by"] != ""
    again = run_cli(
        "pack", "se-2019-20", "--authority", "milton-keynes", "-o", str(out), "--date", "2026-11-22"
    )
    assert "0 newly recorded" in again.output
    assert again.stderr == ""  # the same PDF again: nothing new was issued


def test_packing_again_into_the_same_folder_says_a_second_pdf_is_issued(
    run_cli, workspace, tmp_path
):
    out = tmp_path / "packs"
    pack = ("pack", "em-2015", "-a", "rutland", "-o", str(out), "--date")
    first = run_cli(*pack, "2026-11-22")
    assert first.exit_code == 0 and first.stderr == ""
    again = run_cli(*pack, "2026-11-23")
    assert again.exit_code == 0 and "1 newly recorded" in again.stdout
    [warning] = again.stderr.splitlines()
    assert warning.startswith(f"mougen: warning: {out / 'em-2015--rutland'} held a pack")
    assert "both PDFs are now recorded as issued" in warning
    with Tracker.open(workspace.db_url) as tracker:
        assert len(tracker.issues("em-2015")) == 2


def test_the_manifest_reads_back_as_written(workspace, tmp_path):
    [result] = build_packs(workspace, "em-2015", ["rutland"], tmp_path, WHEN)
    on_disk = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert Manifest.from_json(on_disk) == result.manifest
    assert result.manifest.to_json() == on_disk and result.manifest.generated_at == WHEN
    del on_disk["issued_by"]  # written before mougen recorded who issued
    assert Manifest.from_json(on_disk).issued_by.startswith("mougen ")


def test_pack_command_rejects_unknown_authority_and_writes_nothing(run_cli, tmp_path):
    out = tmp_path / "packs"
    result = run_cli("pack", "se-2018", "--authority", "atlantis", "-o", str(out))
    assert result.exit_code == 1
    assert "atlantis" in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.fixture(scope="module")
def windsor_docx(tmp_path_factory) -> Path:
    """The DOCX in se-2019-20's pack for Windsor and Maidenhead (three signature columns)."""
    from tests.conftest import scratch_workspace

    root = tmp_path_factory.mktemp("docx")
    ws = scratch_workspace(root / "ws")
    [result] = build_packs(ws, "se-2019-20", ["windsor-and-maidenhead"], root / "packs", WHEN)
    return next(result.folder.glob("*.docx"))


def test_the_packs_docx_numbers_its_pages_and_leads_its_dotted_lines(windsor_docx):
    document = docx.Document(str(windsor_docx))
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    cells = [c for row in document.tables[-1].rows for c in row.cells]
    leaders = [p for c in cells for p in c.paragraphs if 'w:leader="dot"' in p._p.xml]
    assert len(leaders) == 3 and all(p.text == "\t" for p in leaders)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by setup")
def test_libreoffice_shows_page_numbers_and_one_line_per_dotted_line(windsor_docx, tmp_path):
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    args = ["soffice", "--headless", "--norestore", profile, "--convert-to", "pdf"]
    subprocess.run([*args, "--outdir", str(tmp_path), str(windsor_docx)], check=True, timeout=180)
    text = pdftotext(tmp_path / windsor_docx.with_suffix(".pdf").name, raw=False)
    pages = [page for page in text.split("\f") if page.strip()]
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # a typed row of dots that wrapped left a line of nothing but its last few dots
    wrapped = [line for line in lines if set(line) <= set("…. ") and "…" in line]
    assert not wrapped, "a dotted line wrapped"
    assert sum(set(line) <= set(". ") for line in lines) == 3, "three leaders, one line each"


class _Refused(Exception):
    pass


@pytest.mark.parametrize("jobs", [1, 2])
def test_nothing_is_written_when_the_dates_cannot_be_had(workspace, tmp_path, jobs):
    """The return-by dates come while the packs are drafted (``mougen pack`` opens the
    tracker then); if that fails, no folder, pack or issued record is left."""
    from mougen.pack.builder import PackOrder
    from mougen.pack.pool import build_round

    def refuse():
        raise _Refused

    orders = [PackOrder("em-2015", slug) for slug in ("rutland", "derby", "lincolnshire")]
    out = tmp_path / "packs"
    with pytest.raises(_Refused):
        build_round(workspace, orders, out, WHEN, jobs=jobs, dates=refuse)
    assert not out.exists()
    assert not workspace.issued_dir.exists() or not any(workspace.issued_dir.rglob("*.json"))
    built = build_round(workspace, orders, out, WHEN, jobs=jobs, dates=lambda: {})
    assert [r.authority for r in built] == ["rutland", "derby", "lincolnshire"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_template_that_cannot_be_rendered_leaves_no_pack_of_the_round(workspace, tmp_path, jobs):
    """Every pack of a round is drafted before any is written: one broken template (here
    em-2015's, packed after a good version) stops the round with nothing written."""
    from mougen.errors import TemplateError
    from mougen.pack.builder import PackOrder
    from mougen.pack.pool import build_round

    workspace.template_path("em-2015").write_bytes(b"not a Word document")
    orders = [PackOrder("se-2018", "kent"), PackOrder("em-2015", "rutland")]
    out = tmp_path / "packs"
    with pytest.raises(TemplateError, match="not a readable Word document"):
        build_round(workspace, orders, out, WHEN, jobs=jobs)
    assert not out.exists()
    assert not workspace.issued_dir.exists() or not any(workspace.issued_dir.rglob("*.json"))


@pytest.mark.parametrize(("count", "workers"), [(1, 1), (7, 1), (103, 2), (20, 4)])
def test_batches_take_every_order_once_in_order_ending_one_at_a_time(count, workers):
    from mougen.pack.pool import BATCH, batches

    runs = list(batches(list(range(count)), workers))
    assert [item for run in runs for item in run] == list(range(count))
    assert max(map(len, runs)) <= BATCH and len(runs[-1]) == 1
    if count >= 4 * workers:
        assert len(runs[0]) > 1  # long runs first, where most of the time goes


def test_packs_drafted_in_a_run_are_the_packs_drafted_alone(workspace, tmp_path):
    from mougen.pack import build_pack
    from mougen.pack.pool import batches

    slugs = list(workspace.catalog.mou("se-2018").mou.parties[:6])
    assert max(len(run) for run in batches(slugs, 1)) > 1
    build_packs(workspace, "se-2018", slugs, tmp_path / "run", WHEN)
    for slug in slugs:
        build_pack(workspace, "se-2018", slug, tmp_path / "alone", WHEN)
    run, alone = (
        {p.name: p.read_bytes() for p in (tmp_path / d).glob("*.zip")} for d in ("run", "alone")
    )
    assert len(run) == 6 and run == alone

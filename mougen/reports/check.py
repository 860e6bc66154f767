"""The workspace check: region files load, templates render, and stated dates agree."""

from __future__ import annotations

from mougen.config.catalog import load_catalog, load_region_file, region_files
from mougen.config.years import foreign_year_problems
from mougen.errors import MougenError
from mougen.render import WORDS_ONLY, render_authority
from mougen.reports.reviews import version_date_problems
from mougen.workspace import Workspace


def check_workspace(ws: Workspace) -> list[str]:
    """Every problem found in the workspace's configuration and templates, one line each."""
    problems = _region_file_problems(ws)
    if problems:
        return problems
    try:
        catalog = load_catalog(ws.regions_dir)
    except MougenError as exc:
        return [str(exc)]
    return [p for mou_id in catalog.entries for p in _version_problems(ws, mou_id)]


def _region_file_problems(ws: Workspace) -> list[str]:
    problems = []
    for path in region_files(ws.regions_dir):
        try:
            load_region_file(path)
        except MougenError as exc:
            problems.append(str(exc))
    return problems


def _version_problems(ws: Workspace, mou_id: str) -> list[str]:
    entry = ws.catalog.mou(mou_id)
    if not entry.parties:
        return [f"{entry.source}: mous: {mou_id}: parties: none listed"]
    try:
        # A real party, not placeholders: the config must supply every variable used,
        # and the PDF must lay out with its fields.
        rendered = render_authority(ws, mou_id, entry.parties[0].slug, when=WORDS_ONLY)
        _ = rendered.pdf
        texts = [entry.mou.title, *(p.text for p in rendered.document.paragraphs)]
        return version_date_problems(ws, mou_id) + foreign_year_problems(ws.catalog, entry, texts)
    except MougenError as exc:
        return [str(exc)]

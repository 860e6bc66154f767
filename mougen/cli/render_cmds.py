"""Commands that make documents: render and pack.

The render stack and the pack builder (and the config with them) are imported inside the
commands: ``pack`` first forks the process that does its tracker work, which must not
inherit them (see :mod:`mougen.cli.pack_round`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mougen import atomic
from mougen.cli.options import (
    authorities_option,
    counted,
    date_option,
    jobs_option,
    output_dir_option,
    pass_workspace,
    resolve_when,
    warn,
)
from mougen.cli.pack_round import RoundJob, load_tracker, record_round, warn_if_superseded
from mougen.cli.progress import clear_of_bar, progress_bar
from mougen.workers import Beside
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from mougen.pack.builder import PackResult
    from mougen.pack.pool import Dates, Stage

_STAMP = (
    "Generation date written into the documents (default: SOURCE_DATE_EPOCH, or now). "
    "The same inputs and date give byte-identical files."
)


def _parties(ws: Workspace, mou_id: str, slugs: tuple[str, ...]) -> list[str]:
    entry = ws.catalog.mou(mou_id)
    return [entry.party(s).slug for s in slugs] if slugs else list(entry.mou.parties)


@click.command()
@click.argument("mou_id")
@authorities_option
@output_dir_option("Folder to write into.")
@date_option(_STAMP)
@pass_workspace
def render(
    ws: Workspace, mou_id: str, slugs: tuple[str, ...], out_dir: Path, when: datetime | None
) -> None:
    """Preview MOU_ID for an authority: its DOCX and a PDF marked "not for signature".

    The PDF to sign is the one in the pack that `mougen pack` makes and records.
    """
    from mougen.pack.builder import pack_name
    from mougen.render import render_authority

    when = resolve_when(when)
    for slug in _parties(ws, mou_id, slugs):
        rendered = render_authority(ws, mou_id, slug, when=when)
        name = pack_name(mou_id, slug)
        atomic.write_bytes(out_dir / f"{name}.docx", rendered.handout)
        atomic.write_bytes(out_dir / f"{name}.pdf", rendered.preview_pdf)
        click.echo(f"{out_dir / name}.docx, .pdf")


def _round(
    ws: Workspace, mou_ids: tuple[str, ...], every: bool, slugs: tuple[str, ...]
) -> list[tuple[str, str]]:
    """The (MoU id, authority) of each pack asked for, version by version."""
    if every and mou_ids:
        raise click.UsageError("name the MoU versions to pack or give --all, not both")
    if not every and not mou_ids:
        raise click.UsageError("name the MoU versions to pack, or give --all")
    ids = sorted(ws.catalog.entries) if every else list(dict.fromkeys(mou_ids))
    return [(mou_id, slug) for mou_id in ids for slug in _parties(ws, mou_id, slugs)]


def _built(
    ws: Workspace,
    wanted: list[tuple[str, str]],
    out_dir: Path,
    when: datetime,
    jobs: int | None,
    dates: Callable[[], Dates],
) -> list[PackResult]:
    """The packs ``wanted``, built by one pool under a bar that counts them drafted, then
    written."""
    from mougen.pack.builder import PackOrder, load_renderer
    from mougen.pack.pool import build_round

    load_renderer()  # once, here: every worker forked after it starts with it
    versions = ", ".join(dict.fromkeys(mou_id for mou_id, _ in wanted))
    with progress_bar(len(wanted), f"Drafting {versions}", "pack") as bar:
        stages: list[Stage] = ["drafted"]

        def advance(stage: Stage, _order: PackOrder) -> None:
            if stage != stages[-1]:  # every pack is drafted before any is written
                stages.append(stage)
                bar.reset()
                bar.set_description(f"Writing {versions}")
            bar.update()

        orders = [PackOrder(mou_id, slug) for mou_id, slug in wanted]
        return build_round(ws, orders, out_dir, when, jobs=jobs, progress=advance, dates=dates)


def _round_job(ws: Workspace, mou_ids: list[str], given: date | None) -> RoundJob:
    """What the tracker work of a round of ``mou_ids`` is told, in plain records."""
    from mougen.cli.tracking import cli_actor
    from mougen.tracker.versions import catalog_versions

    versions = catalog_versions(ws.catalog, ws.templates_dir)
    return RoundJob(tuple(mou_ids), given, cli_actor(), tuple(versions))


def _warn_replaced(results: list[PackResult]) -> None:
    """A warning for each pack written over one that issued another PDF."""
    for r in results:
        if r.replaced:
            warn(
                f"{r.folder} held a pack issuing another PDF ({r.replaced[:12]}...);"
                " both PDFs are now recorded as issued, and either can be signed and collected"
            )


@click.command()
@click.argument("mou_ids", metavar="MOU_ID...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Pack every MoU version in the workspace.")
@authorities_option
@output_dir_option("Folder to write packs into.")
@jobs_option(default=None)
@date_option(_STAMP)
@click.option(
    "--return-by",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The date the signed PDF is due back, printed on each cover sheet; kept for "
    "later runs (default: the round's date, if one was given before).",
)
@pass_workspace
def pack(
    ws: Workspace,
    mou_ids: tuple[str, ...],
    every: bool,
    slugs: tuple[str, ...],
    out_dir: Path,
    jobs: int | None,
    when: datetime | None,
    return_by: datetime | None,
) -> None:
    """Build a sign-off pack per authority of each MoU version: DOCX, PDF, cover sheet,
    manifest, zip. Every pack of the command is built by one pool of workers.

    --authority picks authorities in each version named.
    """
    when = resolve_when(when)
    given = return_by.date() if return_by else None
    # forked before this process loads anything more: it loads the tracker's modules (and
    # SQLAlchemy) while this one loads the config, the templates and the render stack
    with Beside(load_tracker, functools.partial(record_round, ws)) as tracker_work:
        wanted = _round(ws, mou_ids, every, slugs)
        versions = list(dict.fromkeys(mou_id for mou_id, _ in wanted))
        tracker_work.start(_round_job(ws, versions, given))

        def recordable_dates() -> Dates:
            # asked for while the workers draft the packs; a refusal is the command's one
            # line, before any warning (printed clear of the bar)
            due = tracker_work.first()
            with clear_of_bar():
                for mou_id in versions:
                    warn_if_superseded(ws, mou_id)
            return due

        results = _built(ws, wanted, out_dir, when, jobs, recordable_dates)
        from mougen.pack.issued import issue_records

        new = tracker_work.last(issue_records(ws, results, when))
    _warn_replaced(results)
    packs = counted(len(results), "pack")
    click.echo(f"{packs} for {', '.join(versions)} in {out_dir} ({new} newly recorded as issued)")

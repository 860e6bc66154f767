"""Commands that make documents: render and pack."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click
from tqdm import tqdm

from mougen import atomic
from mougen.cli.options import (
    authorities_option,
    jobs_option,
    output_dir_option,
    pass_workspace,
)
from mougen.pack import build_packs
from mougen.pack.builder import pack_name
from mougen.pack.issued import record_issued
from mougen.render import render_authority
from mougen.workspace import Workspace

date_option = click.option(
    "--date",
    "when",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Generation date written into the documents (default: SOURCE_DATE_EPOCH, or now). "
    "The same inputs and date give byte-identical files.",
)


def generation_time(when: datetime | None) -> datetime:
    """The date documents carry: ``--date``, else SOURCE_DATE_EPOCH, else now (UTC)."""
    if when is not None:
        return when.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _parties(ws: Workspace, mou_id: str, slugs: tuple[str, ...]) -> list[str]:
    entry = ws.catalog.mou(mou_id)
    return [entry.party(s).slug for s in slugs] if slugs else list(entry.mou.parties)


@click.command()
@click.argument("mou_id")
@authorities_option
@output_dir_option("Folder to write into.")
@date_option
@pass_workspace
def render(
    ws: Workspace, mou_id: str, slugs: tuple[str, ...], out_dir: Path, when: datetime | None
) -> None:
    """Preview MOU_ID for an authority: its DOCX and a PDF marked "not for signature".

    The PDF to sign is the one in the pack that `mougen pack` makes and records.
    """
    when = generation_time(when)
    for slug in _parties(ws, mou_id, slugs):
        rendered = render_authority(ws, mou_id, slug, when=when)
        name = pack_name(mou_id, slug)
        atomic.write_bytes(out_dir / f"{name}.docx", rendered.docx)
        atomic.write_bytes(out_dir / f"{name}.pdf", rendered.preview_pdf)
        click.echo(f"{out_dir / name}.docx, .pdf")


@click.command()
@click.argument("mou_id")
@authorities_option
@output_dir_option("Folder to write packs into.")
@jobs_option(default=1)
@date_option
@pass_workspace
def pack(
    ws: Workspace,
    mou_id: str,
    slugs: tuple[str, ...],
    out_dir: Path,
    jobs: int,
    when: datetime | None,
) -> None:
    """Build a sign-off pack per authority: DOCX, PDF, cover sheet, manifest, zip."""
    when = generation_time(when)
    parties = _parties(ws, mou_id, slugs)
    with tqdm(
        total=len(parties),
        desc=f"Packing {mou_id}",
        unit="pack",
        disable=None,  # shown on a terminal, silent in scripts and logs
    ) as bar:
        results = build_packs(
            ws, mou_id, parties, out_dir, when, jobs=jobs, progress=lambda _: bar.update()
        )
    new = record_issued(ws, results, when)
    click.echo(f"{len(results)} packs for {mou_id} in {out_dir} ({new} newly recorded as issued)")

"""Commands about the workspace and its configuration: init, regions, check."""

from __future__ import annotations

from pathlib import Path

import click

from mougen.cli.options import pass_workspace
from mougen.workspace import Workspace, init_workspace


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY from the bundled regions and templates."""
    ws = init_workspace(directory)
    click.echo(f"Created workspace {ws.root} ({len(ws.catalog.entries)} MoU versions).")


@click.command()
@pass_workspace
def regions(ws: Workspace) -> None:
    """List regions and their MoU versions, dates and number of parties."""
    rows = [("REGION", "MOU", "COMMENCES", "REVIEW AFTER", "PARTIES")]
    for entry in sorted(ws.catalog.entries.values(), key=lambda e: (e.region.name, e.mou.id)):
        mou = entry.mou
        review = str(mou.review_after) if mou.review_after else "-"
        rows.append((entry.region.name, mou.id, str(mou.commences), review, str(len(mou.parties))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())

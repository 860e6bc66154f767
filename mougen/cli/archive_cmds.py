"""The archivist's command: archive extend."""

from __future__ import annotations

from datetime import timedelta

import click

from mougen.archival.extend import extend_archive
from mougen.cli.options import pass_workspace
from mougen.cli.tracking import open_tracker
from mougen.clock import wall_clock
from mougen.workspace import Workspace


@click.group()
def archive() -> None:
    """Keep the archive of signed MoUs (signed/) verifiable for the long term."""


@archive.command("extend")
@click.option(
    "--before",
    "days",
    type=click.IntRange(0),
    default=90,
    show_default=True,
    metavar="DAYS",
    help="Extend files whose newest timestamp or certificate chain expires within DAYS.",
)
@click.option("--tsa", metavar="URL", help="The timestamp authority (default: the region's).")
@pass_workspace
def extend(ws: Workspace, days: int, tsa: str | None) -> None:
    """Add a fresh document timestamp, with the validation data it needs, to every archived
    file whose newest proof expires soon.

    Append-only: each extended file is filed as a new version beside the old one, which is
    never changed; the tracker records the lineage and shows the newest. Revocation data is
    fetched online where the workspace does not hold it.
    """
    with open_tracker(ws, write=True) as tracker:
        outcome = extend_archive(
            ws, tracker, when=wall_clock(), before=timedelta(days=days), tsa_url=tsa
        )
    for done in outcome.extended:
        old, new = done.old.relative_to(ws.root), done.new.relative_to(ws.root)
        click.echo(f"Extended {old} -> {new} (its proof expires {done.expires:%Y-%m-%d})")
    for problem in outcome.problems:
        click.echo(f"mougen: {problem}", err=True)
    if not outcome.extended and not outcome.problems:
        click.echo(f"Nothing to extend: every archived file is provable beyond {days} days.")
    click.get_current_context().exit(1 if outcome.problems else 0)

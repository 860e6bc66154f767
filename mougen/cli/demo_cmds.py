"""The demonstration command: the whole round on the bundled data in a new workspace."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from mougen.cli.options import date_option, invoked_as, jobs_option, resolve_when
from mougen.clock import wall_clock
from mougen.demo import run_demo


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@jobs_option(default=2)
@date_option("Make the packs and reports as of this date (default: SOURCE_DATE_EPOCH, or now).")
def demo(directory: Path, jobs: int, when: datetime | None) -> None:
    """Run a whole signing round on the bundled regions in a new workspace DIRECTORY.

    Packs for every authority of every MoU version, a programme CA for the South East,
    Milton Keynes' three signatories signing se-2019-20 in turn, collect, verify, the
    dashboard, the se-2018 -> se-2019-20 redline, Oxfordshire's DCS invited through the web
    service (the email is in outbox/), so ``mougen serve`` shows a round in progress, and
    Reading's three signatories signing remotely with keys in a SoftHSM2 token kept in the
    workspace, released by the codes emailed to outbox/.
    """
    command = invoked_as()
    run_demo(
        directory,
        click.echo,
        when=resolve_when(when),
        now=wall_clock(),
        jobs=jobs,
        command=command,
    )
    click.echo(f"Done. Explore it with: {command} --workspace {directory} status se-2019-20")
    if command != "mougen":
        click.echo("(or put mougen on your PATH first: . .venv/bin/activate in the checkout)")

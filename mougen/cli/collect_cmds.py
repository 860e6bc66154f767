"""The coordinator's command for returned documents: collect."""

from __future__ import annotations

from pathlib import Path

import click

from mougen.cli.options import crl_option, pass_workspace, trust_option
from mougen.collect import collect_inbox
from mougen.tracker import Tracker
from mougen.workspace import Workspace


@click.command()
@click.argument("inbox", type=click.Path(file_okay=False, path_type=Path))
@trust_option
@crl_option
@pass_workspace
def collect(ws: Workspace, inbox: Path, trust: tuple[Path, ...], crls: tuple[Path, ...]) -> None:
    """Verify each PDF in INBOX, match it to the issued document, and file it under signed/.

    A file is identified by its content, not its name: its unsigned revision must be a
    PDF that `mougen pack` issued. Accepted files move to the archive; rejected ones
    stay in INBOX with the reason in NAME.rejected.txt. Exit 1 if any was rejected.
    """
    with Tracker.open(ws.db_url) as tracker:
        outcomes = collect_inbox(ws, inbox, tracker, trust=trust, crls=crls)
    for o in outcomes:
        if o.accepted:
            where = o.archived.relative_to(ws.root)
            click.echo(f"filed     {o.file.name} -> {where} ({', '.join(o.roles)})")
        else:
            click.echo(f"rejected  {o.file.name}: {o.reason}")
    accepted = sum(o.accepted for o in outcomes)
    click.echo(f"{accepted} filed, {len(outcomes) - accepted} rejected, from {inbox}")
    if accepted < len(outcomes):
        raise SystemExit(1)

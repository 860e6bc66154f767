"""The coordinator's command for returned documents: collect."""

from __future__ import annotations

from pathlib import Path

import click

from mougen.cli.options import crl_option, pass_workspace, trust_option
from mougen.collect import Outcome, collect_inbox
from mougen.printable import printable
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
    PDF that `mougen pack` issued. Accepted files move to the archive (a file that
    changed while it was read is filed as it was read and kept for the next run);
    rejected ones stay in INBOX with the reason in NAME.rejected.txt (shortened if the
    name is too long). Symbolic links are not followed. Exit 1 if any was rejected.
    """
    with Tracker.open(ws.db_url) as tracker:
        outcomes = collect_inbox(ws, inbox, tracker, trust=trust, crls=crls)
    for o in outcomes:
        click.echo(_line(ws, o))
    accepted = sum(o.accepted for o in outcomes)
    where = printable(str(inbox))
    click.echo(f"{accepted} filed, {len(outcomes) - accepted} rejected, from {where}")
    if accepted < len(outcomes):
        raise SystemExit(1)


def _line(ws: Workspace, o: Outcome) -> str:
    """One outcome as a line of output; names and reasons escaped so none can fake a line."""
    name = printable(o.name)
    if o.archived is None:  # not accepted
        return f"rejected  {name}: {printable(o.reason or '')}"
    where = printable(str(o.archived.relative_to(ws.root)))
    line = f"filed     {name} -> {where} ({', '.join(o.roles)}; {o.recorded} new)"
    return f"{line}; kept in the inbox: {o.kept}" if o.kept else line

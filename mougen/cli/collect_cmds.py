"""The coordinator's command for returned documents: collect."""

from __future__ import annotations

from pathlib import Path

import click

from mougen.cli.options import (
    crl_option,
    echo_json,
    fail,
    json_option,
    pass_workspace,
    trust_option,
)
from mougen.cli.tracking import open_tracker
from mougen.collect import Outcome, collect_inbox
from mougen.printable import printable
from mougen.workspace import Workspace


@click.command()
@click.argument("inbox", type=click.Path(file_okay=False, path_type=Path))
@trust_option
@crl_option
@json_option
@pass_workspace
def collect(
    ws: Workspace, inbox: Path, trust: tuple[Path, ...], crls: tuple[Path, ...], as_json: bool
) -> None:
    """Verify each PDF in INBOX, match it to the issued document, and file it under signed/.

    A file is identified by its content, not its name: its unsigned revision must be a
    PDF that `mougen pack` issued. Accepted files move to the archive (a file that
    changed while it was read is filed as it was read and kept for the next run);
    rejected ones stay in INBOX with the reason in NAME.rejected.txt (shortened if the
    name is too long). Symbolic links are not followed. Exit 1 if any was rejected.
    """
    with open_tracker(ws, write=True) as tracker:
        outcomes = collect_inbox(ws, inbox, tracker, trust=trust, crls=crls)
    accepted = sum(o.accepted for o in outcomes)
    if as_json:
        echo_json([_entry(ws, o) for o in outcomes])
    else:
        for o in outcomes:
            click.echo(_line(ws, o))
        where = printable(str(inbox))
        click.echo(f"{accepted} filed, {len(outcomes) - accepted} rejected, from {where}")
    if accepted < len(outcomes):
        fail(1)


def _entry(ws: Workspace, o: Outcome) -> dict:
    """One outcome as JSON (docs/json.md); JSON escapes what a terminal line would not."""
    return {
        "file": o.name,
        "accepted": o.accepted,
        "archived": o.archived.relative_to(ws.root).as_posix() if o.archived else None,
        "mou": o.mou,
        "authority": o.authority,
        "roles": list(o.roles),
        "recorded": o.recorded,
        "reason": o.reason,
        "kept": o.kept,
    }


def _line(ws: Workspace, o: Outcome) -> str:
    """One outcome as a line of output; names and reasons escaped so none can fake a line."""
    name = printable(o.name)
    if o.archived is None:  # not accepted
        return f"rejected  {name}: {printable(o.reason or '')}"
    where = printable(str(o.archived.relative_to(ws.root)))
    line = f"filed     {name} -> {where} ({', '.join(o.roles)}; {o.recorded} new)"
    return f"{line}; kept in the inbox: {o.kept}" if o.kept else line

"""Commands about the tracker database and its audit log: tracker rebuild/upgrade, audit log."""

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
from mougen.printable import printable
from mougen.tracker.migrate import upgrade_database
from mougen.workflow.rebuild import rebuild as rebuild_from_archive
from mougen.workspace import Workspace


@click.group()
def tracker() -> None:
    """Look after the tracker database (an index of the archive)."""


@tracker.command()
@trust_option
@crl_option
@pass_workspace
def rebuild(ws: Workspace, trust: tuple[Path, ...], crls: tuple[Path, ...]) -> None:
    """Rebuild the tracker from the archive: issued/ manifests and signed/ files."""
    with open_tracker(ws, write=True) as t:
        counts = rebuild_from_archive(ws, t, trust=trust, crls=crls)
    for problem in counts.problems:
        click.echo(f"mougen: skipped {problem}", err=True)
    click.echo(
        f"Rebuilt from the archive: {counts.manifests} manifests ({counts.issues_added} new),"
        f" {counts.files} signed files, {counts.signatures} signatures"
        f" ({counts.signatures_added} new)."
    )
    if counts.problems:
        fail(1)


@tracker.command()
@pass_workspace
def upgrade(ws: Workspace) -> None:
    """Migrate the tracker database to this mougen's schema."""
    ws.check_writable()
    before, after = upgrade_database(ws.db_url)
    if before == after:
        click.echo(f"Tracker schema already at revision {after}.")
    else:
        click.echo(f"Tracker schema upgraded from revision {before or '(empty)'} to {after}.")


@click.group()
def audit() -> None:
    """Inspect the tracker's append-only, hash-chained event log."""


@audit.command()
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 if it is broken.")
@json_option
@click.option("--limit", type=click.IntRange(min=1), help="Show only the newest N events.")
@pass_workspace
def log(ws: Workspace, verify: bool, as_json: bool, limit: int | None) -> None:
    """Show the event log, or with --verify check that no event was edited or deleted."""
    with open_tracker(ws) as t:
        if verify:
            problems = t.verify_log()
            count = len(t.events())
        else:
            events = t.events(limit)
    if verify:
        _report_check(problems, count, as_json)
        if problems:
            fail(1)
        return
    if as_json:
        echo_json([e.as_json() for e in events])
        return
    if not events:
        click.echo("No events recorded yet.")
    for e in events:
        stamp = e.at.strftime("%Y-%m-%d %H:%M:%S")
        # Events recorded before fields were escaped on input may still hold a line break.
        kind, subject = printable(e.kind), printable(e.subject)
        click.echo(f"{e.id:>6}  {stamp}  {kind:<8}  {subject}  {e.hash[:12]}")


def _report_check(problems: list[str], count: int, as_json: bool) -> None:
    if as_json:
        echo_json({"intact": not problems, "events": count, "problems": problems})
    elif problems:
        for problem in problems:
            click.echo(f"mougen: audit log: {problem}", err=True)
    else:
        click.echo(f"Event log intact: {count} events, hash chain verified.")

"""Commands about the tracker database and its audit log: tracker rebuild/upgrade, audit log."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mougen.cli.options import crl_option, pass_workspace, trust_option
from mougen.tracker import Tracker
from mougen.tracker.migrate import upgrade_database
from mougen.tracker.rebuild import rebuild as rebuild_from_archive
from mougen.workspace import Workspace


@click.group()
def tracker() -> None:
    """Look after the tracker database (an index of the archive)."""


@tracker.command()
@trust_option
@crl_option
@pass_workspace
@click.pass_context
def rebuild(
    ctx: click.Context, ws: Workspace, trust: tuple[Path, ...], crls: tuple[Path, ...]
) -> None:
    """Rebuild the tracker from the archive: issued/ manifests and signed/ files."""
    with Tracker.open(ws.db_url) as t:
        counts = rebuild_from_archive(ws, t, trust=trust, crls=crls)
    for problem in counts.problems:
        click.echo(f"mougen: skipped {problem}", err=True)
    click.echo(
        f"Rebuilt from the archive: {counts.manifests} manifests ({counts.issues_added} new),"
        f" {counts.files} signed files, {counts.signatures} signatures"
        f" ({counts.signatures_added} new)."
    )
    ctx.exit(1 if counts.problems else 0)


@tracker.command()
@pass_workspace
def upgrade(ws: Workspace) -> None:
    """Migrate the tracker database to this mougen's schema."""
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--limit", type=click.IntRange(min=1), help="Show only the newest N events.")
@pass_workspace
@click.pass_context
def log(ctx: click.Context, ws: Workspace, verify: bool, as_json: bool, limit: int | None) -> None:
    """Show the event log, or with --verify check that no event was edited or deleted."""
    with Tracker.open(ws.db_url) as t:
        if verify:
            problems = t.verify_log()
            _report_check(problems, len(t.events()), as_json)
            ctx.exit(1 if problems else 0)
        events = t.events(limit)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in events], indent=2))
        return
    if not events:
        click.echo("No events recorded yet.")
    for e in events:
        stamp = e.at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{e.id:>6}  {stamp}  {e.kind:<8}  {e.subject}  {e.hash[:12]}")


def _report_check(problems: list[str], count: int, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"intact": not problems, "events": count, "problems": problems}))
    elif problems:
        for problem in problems:
            click.echo(f"mougen: audit log: {problem}", err=True)
    else:
        click.echo(f"Event log intact: {count} events, hash chain verified.")

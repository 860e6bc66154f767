"""Commands that report on the signing rounds and the review calendar."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from mougen.atomic import write_bytes
from mougen.cli.options import pass_workspace
from mougen.reports.chase import chase, write_chase_csv
from mougen.reports.check import check_workspace
from mougen.reports.dashboard import dashboard_html
from mougen.reports.reviews import Review, due_within, reviews
from mougen.reports.status import StatusRow, completion, status, write_status_csv
from mougen.roles import ROLE_IDS
from mougen.tracker import Tracker
from mougen.workspace import Workspace


class _Days(click.ParamType):
    """A span of days written ``90d`` or ``90``."""

    name = "DAYS"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().removesuffix("d")
        if not text.isdigit():
            self.fail(f"expected a number of days such as 90d, got {value!r}", param, ctx)
        return int(text)


def _today_option(command):
    # Hidden: it exists so tests (and a coordinator's "what if") can fix the date.
    return click.option(
        "--today",
        type=click.DateTime(["%Y-%m-%d"]),
        hidden=True,
        help="Report as of this date (YYYY-MM-DD).",
    )(command)


def _as_date(today: datetime | None) -> date:
    return today.date() if today else date.today()


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _review_state(review: Review, today: date) -> str:
    if review.superseded_by:
        return f"superseded by {review.superseded_by}"
    if review.due_on is None:
        return "no review date"
    if review.due:
        return f"DUE ({review.overdue_days} days overdue)"
    return f"due in {review.days_until_due(today)} days"


def _status_table(rows: list[StatusRow]) -> None:
    counts = completion(rows)
    for mou, (done, total) in counts.items():
        table = [("AUTHORITY", *(r.upper() for r in ROLE_IDS), "COMPLETE")]
        for row in (r for r in rows if r.mou == mou):
            ticks = ("✓" if row.roles[role].signed else "✗" for role in ROLE_IDS)
            table.append((row.authority_name, *ticks, "yes" if row.complete else "no"))
        click.echo(f"{mou}: {done}/{total} complete")
        _echo_table(table)
        click.echo()


@click.command("status")
@click.argument("mou_id", required=False)
@click.option("--region", metavar="REGION", help="Only this region's versions (a region id).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per row.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one line per row.")
@pass_workspace
def status_cmd(
    ws: Workspace, mou_id: str | None, region: str | None, as_json: bool, as_csv: bool
) -> None:
    """Show who has signed, per authority, for MOU_ID (or every version)."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    with Tracker.open(ws.db_url) as tracker:
        rows = status(ws.catalog, tracker, mou_id, region)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
    elif as_csv:
        out = io.StringIO()
        write_status_csv(rows, out)
        click.echo(out.getvalue(), nl=False)
    else:
        _status_table(rows)


@click.command("chase")
@click.argument("mou_id")
@pass_workspace
def chase_cmd(ws: Workspace, mou_id: str) -> None:
    """Print, as CSV for a mail merge, each signature MOU_ID still lacks and whom to ask."""
    with Tracker.open(ws.db_url) as tracker:
        rows = chase(ws.catalog, tracker, mou_id)
    out = io.StringIO()
    write_chase_csv(rows, out)
    click.echo(out.getvalue(), nl=False)


@click.command("report")
@click.argument("mou_id", required=False)
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the dashboard to this HTML file.",
)
@_today_option
@pass_workspace
def report_cmd(ws: Workspace, mou_id: str | None, html_path: Path, today: datetime | None) -> None:
    """Write a self-contained HTML dashboard for MOU_ID (or every version in force)."""
    with Tracker.open(ws.db_url) as tracker:
        html = dashboard_html(ws, tracker, mou_id, _as_date(today), datetime.now(UTC))
    write_bytes(html_path, html.encode("utf-8"))
    click.echo(f"Wrote {html_path}")


@click.command("reviews")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per version.")
@click.option(
    "--within",
    type=_Days(),
    metavar="DAYS",
    help="Only versions whose review is due within DAYS (such as 90d), or already due.",
)
@_today_option
@pass_workspace
def reviews_cmd(ws: Workspace, as_json: bool, within: int | None, today: datetime | None) -> None:
    """Show when each MoU version is due for review, and what supersedes it."""
    day = _as_date(today)
    rows = reviews(ws, day)
    if within is not None:
        rows = due_within(rows, day, within)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    table = [("MOU", "REGION", "REVIEW AFTER", "FROM", "STATE")]
    for r in rows:
        after = r.review_after or "-"
        source = r.review_after_source or "-"
        table.append((r.mou, r.region_name, after, source, _review_state(r, day)))
    _echo_table(table)


@click.command("check")
@pass_workspace
def check_cmd(ws: Workspace) -> None:
    """Check the region files and templates: they load, render, and agree on dates."""
    problems = check_workspace(ws)
    for line in problems:
        click.echo(line)
    if problems:
        raise click.exceptions.Exit(1)
    count = len(ws.catalog.entries)
    click.echo(f"OK: {len(ws.catalog.files)} region files, {count} MoU versions and templates.")

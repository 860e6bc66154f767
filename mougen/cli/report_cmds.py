"""Commands that report on the signing rounds and the review calendar."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import click

from mougen.atomic import write_bytes
from mougen.cli.options import (
    counted,
    date_option,
    echo_json,
    echo_table,
    fail,
    json_option,
    pass_workspace,
    resolve_day,
    resolve_when,
    warn,
)
from mougen.cli.tracking import open_tracker
from mougen.pki.revocation import revoked_certificates
from mougen.reports.chase import ChaseRow, chase, write_chase_csv
from mougen.reports.check import check_workspace
from mougen.reports.dashboard import dashboard_html, version_panels
from mougen.reports.reviews import Review, due_within, reviews
from mougen.reports.status import StatusRow, completion, status, write_status_csv
from mougen.roles import ROLE_IDS
from mougen.workspace import Workspace

_AS_OF = "Report as of this date (YYYY-MM-DD; default: SOURCE_DATE_EPOCH, or today)."


class _Days(click.ParamType):
    """A span of days written ``90d`` or ``90``."""

    name = "DAYS"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().removesuffix("d")
        if not text.isdigit():
            self.fail(f"expected a number of days such as 90d, got {value!r}", param, ctx)
        return int(text)


def _review_state(review: Review, today: date) -> str:
    if review.superseded_by:
        return f"superseded by {review.superseded_by}"
    if review.due_on is None:
        return "no review date"
    if review.due:
        return f"DUE ({review.overdue_days} days overdue)"
    return f"due in {review.days_until_due(today)} days"


def _status_table(rows: list[StatusRow]) -> None:
    for mou, progress in completion(rows).items():
        table = [("AUTHORITY", *(r.upper() for r in ROLE_IDS), "COMPLETE")]
        for row in (r for r in rows if r.mou == mou):
            ticks = ("✓" if row.roles[role].signed else "✗" for role in ROLE_IDS)
            table.append((row.authority_name, *ticks, row.state))
        click.echo(f"{mou}: {progress.headline}")
        if progress.counterparts:
            click.echo(f"  and {progress.counterparts} complete in counterparts only")
        echo_table(table)
        click.echo()


@click.command("status")
@click.argument("mou_id", required=False)
@click.option("--region", metavar="REGION", help="Only this region's versions (a region id).")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one line per row.")
@pass_workspace
def status_cmd(
    ws: Workspace, mou_id: str | None, region: str | None, as_json: bool, as_csv: bool
) -> None:
    """Show who has signed, per authority, for MOU_ID (or every version).

    COMPLETE is "yes" when one signed document carries every role's valid signature,
    "complete in counterparts" when every role has signed but in separate copies, and
    "not issued" when no PDF of the version has been issued to the authority.
    """
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    with open_tracker(ws) as tracker:
        rows = status(
            ws.catalog,
            tracker,
            mou_id,
            region,
            archive_root=ws.root,
            revoked=revoked_certificates(ws),
        )
    if as_json:
        echo_json([r.to_json() for r in rows])
    elif as_csv:
        out = io.StringIO()
        write_status_csv(rows, out)
        click.echo(out.getvalue(), nl=False)
    else:
        _status_table(rows)


@click.command("chase")
@click.argument("mou_id")
@json_option
@pass_workspace
def chase_cmd(ws: Workspace, mou_id: str, as_json: bool) -> None:
    """Print, as CSV for a mail merge, each signature MOU_ID still lacks and whom to ask.

    A version never issued has nothing to chase. Each row without a name or an email
    (none in the region file) is named in a warning on stderr.
    """
    with open_tracker(ws) as tracker:
        rows = chase(
            ws.catalog, tracker, mou_id, archive_root=ws.root, revoked=revoked_certificates(ws)
        )
        if not tracker.issues(mou_id) and not rows:
            warn(f"{mou_id} has not been issued: nothing to chase")
    _warn_unaddressed(rows)
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    out = io.StringIO()
    write_chase_csv(rows, out)
    click.echo(out.getvalue(), nl=False)


def _warn_unaddressed(rows: list[ChaseRow]) -> None:
    """One warning per version and kind of gap (no name, no email, neither), naming the
    first few rows, rather than one line for each of dozens of rows."""
    gaps: dict[tuple[str, str], list[ChaseRow]] = {}
    for row in rows:
        lacking = [what for what, value in (("name", row.name), ("email", row.email)) if not value]
        if lacking:
            gaps.setdefault((row.mou, " or ".join(lacking)), []).append(row)
    for (mou, gap), missing in gaps.items():
        named = ", ".join(f"{r.authority} {r.role}" for r in missing[:_NAMED])
        more = f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
        who = counted(len(missing), "signatory", "signatories")
        warn(f"{mou}: no {gap} in the region file for {who}: {named}{more}")


#: How many rows a chase warning names before it just counts the rest.
_NAMED = 3


@click.command("report")
@click.argument("mou_id", required=False)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the dashboard to this HTML file.",
)
@json_option
@date_option(_AS_OF, "--today")
@pass_workspace
def report_cmd(
    ws: Workspace, mou_id: str | None, html_path: Path | None, as_json: bool, when: datetime | None
) -> None:
    """Write a self-contained HTML dashboard for MOU_ID (or every version in force) with
    --html, or print each version's progress as JSON with --json (or both)."""
    if html_path is None and not as_json:
        raise click.UsageError("give --html FILE, --json, or both")
    now = resolve_when(when)
    with open_tracker(ws) as tracker:
        if html_path is not None:
            html = dashboard_html(ws, tracker, mou_id, now.date(), now)
            write_bytes(html_path, html.encode("utf-8"))
        panels = version_panels(ws, tracker, mou_id) if as_json else []
    if as_json:
        echo_json(
            {
                "html": str(html_path) if html_path else None,
                "generated_at": now.isoformat(),
                "versions": [panel.to_json() for panel in panels],
            }
        )
    else:
        click.echo(f"Wrote {html_path}")


@click.command("reviews")
@json_option
@click.option(
    "--within",
    type=_Days(),
    metavar="DAYS",
    help="Only versions whose review is due within DAYS (such as 90d), or already due.",
)
@date_option(_AS_OF, "--today")
@pass_workspace
def reviews_cmd(ws: Workspace, as_json: bool, within: int | None, when: datetime | None) -> None:
    """Show when each MoU version is due for review, and what supersedes it."""
    day = resolve_day(when)
    rows = reviews(ws, day)
    if within is not None:
        rows = due_within(rows, day, within)
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    table = [("MOU", "REGION", "REVIEW AFTER", "FROM", "STATE")]
    for r in rows:
        after = r.review_after or "-"
        source = r.review_after_source or "-"
        table.append((r.mou, r.region_name, after, source, _review_state(r, day)))
    echo_table(table)


@click.command("check")
@json_option
@pass_workspace
def check_cmd(ws: Workspace, as_json: bool) -> None:
    """Check the region files and templates: they load, render, and agree on dates."""
    problems = check_workspace(ws)
    if as_json:
        echo_json({"ok": not problems, "problems": problems, **_counts(ws, problems)})
    else:
        for line in problems:
            click.echo(line)
        if not problems:
            files = counted(len(ws.catalog.files), "region file")
            versions = counted(len(ws.catalog.entries), "MoU version")
            click.echo(f"OK: {files}, {versions} and their templates.")
    if problems:
        fail(1)


def _counts(ws: Workspace, problems: list[str]) -> dict[str, int | None]:
    if problems:  # the catalog may not load at all
        return {"region_files": None, "versions": None}
    return {"region_files": len(ws.catalog.files), "versions": len(ws.catalog.entries)}

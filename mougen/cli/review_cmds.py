"""Commands for the annual review: redline, review start, review diff."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from mougen.cli.options import date_option, pass_workspace, resolve_when
from mougen.redline import Summary, load_version, write_redline
from mougen.workspace import Workspace


def _report(summary: Summary, out: Path, *, as_text: bool, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
        return
    if as_text:
        click.echo(summary.text())
    click.echo(f"Wrote {out}", err=as_text)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The redline to write: OUT.docx (tracked changes) or OUT.pdf.",
)
@click.option("--authority", "-a", metavar="SLUG", help="Render MoU ids for this authority.")
@click.option("--author", default="mougen", show_default=True, help="Author of the changes.")
@date_option("Date of the changes (ISO 8601; default: SOURCE_DATE_EPOCH, or now).")
@click.option("--summary", "as_text", is_flag=True, help="Print the summary of changes.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary of changes as JSON.")
@pass_workspace
def redline(
    ws: Workspace,
    old: str,
    new: str,
    out: Path,
    authority: str | None,
    author: str,
    when: datetime | None,
    as_text: bool,
    as_json: bool,
) -> None:
    """Write the redline of NEW against OLD (each an MoU id or a .docx file).

    MoU ids are rendered for --authority, or with placeholders for the authority.
    """
    when = resolve_when(when)
    before, after = (load_version(ws, spec, authority, when=when) for spec in (old, new))
    summary = write_redline(before, after, out, author=author, when=when)
    _report(summary, out, as_text=as_text, as_json=as_json)


@click.group()
def review() -> None:
    """Open the next version of an MoU and show what changed."""


@review.command("start")
@click.argument("mou_id")
@click.option("--id", "new_id", required=True, help="Id of the new version, e.g. se-2021.")
@click.option("--commences", required=True, metavar="YYYY-MM", help="When the new version starts.")
@click.option("--review-after", required=True, metavar="YYYY-MM", help="When it is next reviewed.")
@click.option(
    "--title",
    help="Title of the new version (default: the old title with its years moved on).",
)
@pass_workspace
def review_start(
    ws: Workspace, mou_id: str, new_id: str, commences: str, review_after: str, title: str | None
) -> None:
    """Open the version after MOU_ID: copy its template and add it to the region's config."""
    from mougen.workflow.review import start_review  # the tracker: not loaded by redline

    made = start_review(ws, mou_id, new_id, commences, review_after, title)
    click.echo(f"Opened {made.mou_id} (supersedes {mou_id}).")
    click.echo(f"Edit the template {made.template} and the parties in {made.region_file},")
    click.echo(f"then run `mougen review diff {made.mou_id}` to see what changed.")


@review.command("diff")
@click.argument("mou_id")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: redlines/OLD--NEW.docx in the workspace).",
)
@click.option("--pdf", is_flag=True, help="Write a PDF redline instead of tracked changes.")
@click.option("--author", default="mougen", show_default=True, help="Author of the changes.")
@date_option("Date of the changes (ISO 8601; default: SOURCE_DATE_EPOCH, or now).")
@pass_workspace
def review_diff(
    ws: Workspace, mou_id: str, out: Path | None, pdf: bool, author: str, when: datetime | None
) -> None:
    """Write the redline of MOU_ID against the version it supersedes.

    The output's suffix says what is written (.docx: tracked changes, .pdf: a marked-up PDF);
    --pdf without -o writes the PDF, and --pdf with a .docx output is refused.
    """
    from mougen.workflow.review import predecessor  # the tracker: not loaded by redline

    old_id = predecessor(ws, mou_id)
    if pdf and out is not None and out.suffix.lower() != ".pdf":
        raise click.UsageError(f"--pdf writes a PDF, but the output {out.name} is not a .pdf")
    out = out or ws.root / "redlines" / f"{old_id}--{mou_id}{'.pdf' if pdf else '.docx'}"
    when = resolve_when(when)
    old, new = (load_version(ws, spec, when=when) for spec in (old_id, mou_id))
    summary = write_redline(old, new, out, author=author, when=when)
    click.echo(summary.text())
    click.echo(f"Wrote {out}")

"""The auditor's command: verify signed MoUs, print a verdict, optionally file a PDF report."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from mougen.atomic import write_bytes
from mougen.cli.options import crl_option, pass_workspace, trust_option
from mougen.errors import MougenError
from mougen.tracker import Tracker
from mougen.verify.provenance import Provenance, provenance
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.status import FileReport
from mougen.verify.table import render_text
from mougen.verify.trust import load_crls, load_trust_roots
from mougen.verify.validate import read_pdf, verify_bytes
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.workspace import Workspace


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@trust_option
@crl_option
@click.option(
    "--allow-fetch",
    is_flag=True,
    help="Fetch missing revocation data and certificates online (default: offline).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per file.")
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    metavar="DATETIME",
    help="Validate as at this time (UTC unless a zone is given; default: now).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.pdf",
    help="Also write an audit report PDF.",
)
@pass_workspace
def verify(ws: Workspace, files, trust, crls, allow_fetch, as_json, at, report) -> None:
    """Check that each signed PDF in FILES is genuine, complete and unaltered.

    Where the workspace has a tracker, each file must also be the very document it
    issued, signed by the signatories configured for that authority.

    Exit status: 0 when every file is fully executed (all three roles signed, every
    signature valid and trusted, nothing disallowed changed after it); 1 when a file is
    invalid or incomplete; 2 when a file cannot be read as a PDF.

    A signature whose certificate has since expired or been revoked still passes when a
    trusted timestamp and embedded revocation data prove it was good when made.
    """
    at = at.replace(tzinfo=at.tzinfo or UTC) if at is not None else None
    try:
        roots = load_trust_roots([*workspace_trust_roots(ws), *trust])
        revocation_lists = load_crls(crls)
    except MougenError as exc:
        raise click.BadParameter(str(exc)) from None
    with contextlib.ExitStack() as stack:
        tracker = stack.enter_context(Tracker.open(ws.db_url)) if ws.has_tracker else None
        checked = [
            _check(ws, path, roots, revocation_lists, allow_fetch, tracker, at) for path in files
        ]
    texts = [c.text for c in checked if c.text]
    if as_json:
        click.echo(json.dumps([c.entry for c in checked], indent=2))
    elif texts:
        click.echo("\n".join(texts))
    if report is not None:
        readable = [c.report for c in checked if c.report is not None]
        write_bytes(report, audit_report_pdf(readable, roots, datetime.now(UTC)))
    click.get_current_context().exit(max(c.code for c in checked))


@dataclass(frozen=True)
class _Checked:
    """One file's outcome: its report (None if unreadable), JSON entry, text and exit code."""

    report: FileReport | None
    entry: dict
    text: str | None
    code: int


def _check(
    ws: Workspace, path: Path, roots, crls, allow_fetch: bool, tracker, at: datetime | None
) -> _Checked:
    try:
        report = verify_bytes(
            read_pdf(path), str(path), trust_roots=roots, crls=crls, allow_fetch=allow_fetch, at=at
        )
    except MougenError as exc:
        click.echo(f"mougen: {exc}", err=True)
        entry = {
            "file": str(path),
            "valid": False,
            "error": exc.detail,
            "missing_roles": [],
            "signatures": [],
        }
        return _Checked(None, entry, None, exc.exit_code)
    entry, text = report.to_json(), render_text(report)
    found = provenance(report, tracker, ws.catalog) if tracker is not None else None
    if found is not None:
        entry |= found.to_json()
        text += "\n" + _provenance_line(found)
    entry["valid"] = report.valid and (found is None or found.holds)
    return _Checked(report, entry, text, 0 if entry["valid"] else 1)


def _provenance_line(found: Provenance) -> str:
    issued = f"issued as {found.mou} for {found.authority}" if found.mou else "NOT issued here"
    return f"  provenance: {issued}" + "".join(f"; {p}" for p in found.problems)

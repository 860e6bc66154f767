"""The auditor's command: verify signed MoUs, print a verdict, optionally file a PDF report."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click
from asn1crypto import x509

from mougen.atomic import write_bytes
from mougen.cli.options import (
    DateTimeParam,
    crl_option,
    jobs_option,
    pass_workspace,
    trust_option,
    tsa_trust_option,
)
from mougen.cli.tracking import open_tracker
from mougen.clock import wall_clock
from mougen.errors import MougenError
from mougen.printable import printable
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.table import render_text
from mougen.verify.verdict import Verdict
from mougen.workflow.checking import Checker, workspace_spec
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
@tsa_trust_option
@click.option(
    "--at",
    "at",
    type=DateTimeParam(),
    metavar="DATETIME",
    help="Validate as at this time (ISO 8601, e.g. 2026-09-01T12:00Z; UTC if no zone).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per file.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.pdf",
    help="Also write an audit report PDF.",
)
@jobs_option(default=None, help_text="Files to check in parallel.")
@pass_workspace
def verify(
    ws: Workspace,
    files: tuple[Path, ...],
    trust: tuple[Path, ...],
    crls: tuple[Path, ...],
    allow_fetch: bool,
    tsa_trust: tuple[Path, ...],
    at: datetime | None,
    as_json: bool,
    report: Path | None,
    jobs: int | None,
) -> None:
    """Check that each signed PDF in FILES is genuine, complete and unaltered.

    Where the workspace has a tracker, each file must also be the very document it
    issued, each field signed by the signatory bound to its role (a programme
    certificate of the MoU's region naming that role, or the region config).

    Exit status: 0 when every file is fully executed (all three roles signed, every
    signature valid and trusted, nothing disallowed changed after it); 1 when a file is
    invalid or incomplete; 2 when a file cannot be read as a PDF.

    A signature whose certificate has since expired or been revoked still passes when a
    trusted timestamp and embedded revocation data prove it was good when made.
    """
    with contextlib.ExitStack() as stack:
        tracker = stack.enter_context(open_tracker(ws)) if ws.has_tracker else None
        try:
            spec = workspace_spec(
                ws,
                tracker,
                trust=trust,
                tsa_trust=tsa_trust,
                crls=crls,
                allow_fetch=allow_fetch,
                at=at,
            )
        except MougenError as exc:
            raise click.BadParameter(printable(str(exc))) from None
        verdicts = Checker(spec).check_files(files, jobs)
    for found in verdicts:
        if found.report is None:
            click.echo(f"mougen: {printable(found.file)}: {printable(found.error or '')}", err=True)
    if as_json:
        click.echo(json.dumps([v.to_json() for v in verdicts], indent=2))
    elif texts := [render_text(v) for v in verdicts if v.report is not None]:
        click.echo("\n".join(texts))
    if report is not None:
        _write_report(report, verdicts, spec.settings.trust_roots)
    click.get_current_context().exit(max(v.exit_code for v in verdicts))


def _write_report(
    path: Path, verdicts: Sequence[Verdict], roots: Sequence[x509.Certificate]
) -> None:
    """The audit report PDF for every file given, the unreadable ones too."""
    write_bytes(path, audit_report_pdf(verdicts, roots, wall_clock()))

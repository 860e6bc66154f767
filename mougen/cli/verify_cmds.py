"""The auditor's command: verify signed MoUs, print a verdict, optionally file a PDF report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from mougen.atomic import write_bytes
from mougen.cli.options import crl_option, pass_workspace, trust_option
from mougen.errors import MougenError
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.table import render_text
from mougen.verify.trust import load_crls, load_trust_roots
from mougen.verify.validate import read_pdf, verify_bytes
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.workspace import Workspace

_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


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
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.pdf",
    help="Also write an audit report PDF.",
)
@pass_workspace
def verify(ws: Workspace, files, trust, crls, allow_fetch, as_json, report) -> None:
    """Check that each signed PDF in FILES is genuine, complete and unaltered.

    Exit status: 0 when every file is fully executed (all three roles signed, every
    signature valid and trusted, nothing disallowed changed after it); 1 when a file is
    invalid or incomplete; 2 when a file cannot be read as a PDF.
    """
    try:
        roots = load_trust_roots([*workspace_trust_roots(ws), *trust])
        revocation_lists = load_crls(crls)
    except MougenError as exc:
        raise click.BadParameter(str(exc)) from None
    results, code = [], 0
    for path in files:
        try:
            report_ = verify_bytes(
                read_pdf(path),
                str(path),
                trust_roots=roots,
                crls=revocation_lists,
                allow_fetch=allow_fetch,
            )
        except MougenError as exc:
            click.echo(f"mougen: {exc}", err=True)
            results.append(
                {
                    "file": str(path),
                    "valid": False,
                    "error": exc.detail,
                    "missing_roles": [],
                    "signatures": [],
                }
            )
            code = max(code, exc.exit_code)
            continue
        results.append(report_)
        code = max(code, 0 if report_.valid else 1)
        if not as_json:
            click.echo(render_text(report_))
    if as_json:
        click.echo(json.dumps([_as_json(r) for r in results], indent=2))
    if report is not None:
        checked = [r for r in results if not isinstance(r, dict)]
        write_bytes(report, audit_report_pdf(checked, roots, datetime.now(UTC)))
    click.get_current_context().exit(code)


def _as_json(result) -> dict:
    return result if isinstance(result, dict) else result.to_json()

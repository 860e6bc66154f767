"""The coordinator's command for returned documents: collect."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from mougen.cli.collect_output import line, mailbox_settings, run_mailbox
from mougen.cli.options import (
    crl_option,
    echo_json,
    fail,
    json_option,
    pass_workspace,
    trust_option,
    tsa_trust_option,
)
from mougen.cli.tracking import open_tracker
from mougen.collect import collect_inbox
from mougen.collect.mailbox import PASSWORD_ENV
from mougen.printable import printable
from mougen.workflow.checking import Checker, workspace_spec
from mougen.workspace import Workspace


@click.command()
@click.argument("inbox", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--mailbox",
    "mailbox_url",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[imaps://USER@HOST/FOLDER]",
    help="Collect from this IMAP folder instead (no URL: the [imap] table of web.toml).",
)
@click.option("--watch", is_flag=True, help="With --mailbox: keep running (IDLE, else polling).")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"With --mailbox: read the IMAP password from this file (else ${PASSWORD_ENV}).",
)
@click.option("--no-replies", is_flag=True, help="With --mailbox: do not answer the senders.")
@trust_option
@tsa_trust_option
@crl_option
@json_option
@pass_workspace
def collect(
    ws: Workspace,
    inbox: Path | None,
    mailbox_url: str | None,
    watch: bool,
    password_file: Path | None,
    no_replies: bool,
    trust: tuple[Path, ...],
    tsa_trust: tuple[Path, ...],
    crls: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Verify each PDF in INBOX (or each message's in an IMAP mailbox), match it to the
    issued document, and file it under signed/.

    A file is identified by its content, not its name: its unsigned revision must be a
    PDF that `mougen pack` issued. Accepted files move to the archive (a file that
    changed while it was read is filed as it was read and kept for the next run);
    rejected ones stay in INBOX with the reason in NAME.rejected.txt (shortened if the
    name is too long). Symbolic links are not followed. Exit 1 if any was rejected.

    With --mailbox, a message is moved to mougen/processed (or mougen/rejected, if any of
    its files was refused) once every file in it is filed or refused, and its sender is
    answered (unless --no-replies or replies = false). A message without a PDF stays where
    it is. Messages are never deleted.
    """
    if mailbox_url is not None:
        if inbox is not None:
            raise click.UsageError("give INBOX or --mailbox, not both")
        settings = mailbox_settings(ws, mailbox_url, password_file)
        spec = partial(workspace_spec, ws, trust=trust, tsa_trust=tsa_trust, crls=crls)
        run_mailbox(
            ws,
            settings,
            lambda tracker: Checker(spec(tracker)),
            watching=watch,
            replies=not no_replies,
            as_json=as_json,
        )
        return
    if inbox is None:
        raise click.UsageError("give an INBOX folder, or --mailbox")
    if watch:
        raise click.UsageError("--watch goes with --mailbox")
    with open_tracker(ws, write=True) as tracker:
        outcomes = collect_inbox(ws, inbox, tracker, trust=trust, tsa_trust=tsa_trust, crls=crls)
    accepted = sum(o.accepted for o in outcomes)
    if as_json:
        echo_json([o.to_json(ws.root) for o in outcomes])
    else:
        for o in outcomes:
            click.echo(line(ws, o))
        where = printable(str(inbox))
        click.echo(f"{accepted} filed, {len(outcomes) - accepted} rejected, from {where}")
    if accepted < len(outcomes):
        fail(1)

"""What collect prints: each file's outcome, and for --mailbox each message's (the run
started with its settings resolved)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mougen.cli.options import echo_json, fail
from mougen.cli.tracking import open_tracker
from mougen.collect import Outcome
from mougen.collect.mailbox import (
    MailboxError,
    MailboxSettings,
    MessageOutcome,
    collect_mailbox,
    configured,
    from_url,
    replies_mailer,
    watch,
    with_password,
)
from mougen.errors import MougenError
from mougen.printable import printable
from mougen.tracker import Tracker
from mougen.workflow.checking import Checker
from mougen.workspace import Workspace


def run_mailbox(
    ws: Workspace,
    settings: MailboxSettings,
    checker_for: Callable[[Tracker], Checker],
    *,
    watching: bool,
    replies: bool,
    as_json: bool,
) -> None:
    """Collect from the mailbox once (or for ever, with ``watching``) and report."""
    with open_tracker(ws, write=True) as tracker:
        mailer = replies_mailer(ws.root, tracker.clock) if settings.replies and replies else None
        checks = checker_for(tracker)
        if watching:
            watch(ws, settings, tracker, checks, mailer, lambda o: _report(ws, o, as_json))
        outcomes = collect_mailbox(ws, settings, tracker, checks, mailer)
    if as_json:
        echo_json([_entry(ws, o) for o in outcomes])
    else:
        for o in outcomes:
            click.echo(_lines(ws, o))
        accepted = sum(o.accepted for o in outcomes)
        where = printable(settings.name)
        click.echo(f"{accepted} accepted, {len(outcomes) - accepted} not, from {where}")
    if not all(o.accepted for o in outcomes):
        fail(1)


def mailbox_settings(ws: Workspace, url: str, password_file: Path | None) -> MailboxSettings:
    """The mailbox named by ``url`` (empty: web.toml's ``[imap]``), with its password."""
    base = configured(ws.root)
    if url:
        return with_password(from_url(url, base), password_file)
    if base is None:
        raise MougenError("no [imap] table in web.toml: give --mailbox imaps://USER@HOST/FOLDER")
    return with_password(base, password_file)


def _report(ws: Workspace, outcome: MessageOutcome | MailboxError, as_json: bool) -> None:
    """One message (or a lost connection) as it happens, in --watch."""
    if isinstance(outcome, MailboxError):
        click.echo(f"mougen: {outcome}; reconnecting", err=True)
    elif as_json:
        echo_json(_entry(ws, outcome))
    else:
        click.echo(_lines(ws, outcome))


def _entry(ws: Workspace, o: MessageOutcome) -> dict:
    """One message as JSON (docs/json.md)."""
    return {
        "uid": o.uid,
        "from": o.sender,
        "date": o.sent,
        "message_id": o.message_id,
        "accepted": o.accepted,
        "folder": o.folder,
        "reason": o.reason,
        "problems": list(o.problems),
        "replied": o.replied,
        "files": [f.to_json(ws.root) for f in o.files],
    }


def _lines(ws: Workspace, o: MessageOutcome) -> str:
    """A message's header line, then one indented line per file and per problem."""
    where = f"-> {o.folder}" if o.folder else "left in the mailbox"
    head = f"message {o.uid} from {printable(o.sender)} {printable(where)}"
    if o.reason:
        head += f": {printable(o.reason)}"
    rest = [f"  {line(ws, f)}" for f in o.files]
    rest += [f"  note      {printable(p)}" for p in o.problems]
    if o.replied:
        rest.append(f"  answered  {printable(o.replied)}")
    return "\n".join([head, *rest])


def line(ws: Workspace, o: Outcome) -> str:
    """One outcome as a line of output; names and reasons escaped so none can fake a line."""
    name = printable(o.name)
    if o.archived is None:  # not accepted
        return f"rejected  {name}: {printable(o.reason or '')}"
    where = printable(str(o.archived.relative_to(ws.root)))
    line = f"filed     {name} -> {where} ({', '.join(o.roles)}; {o.recorded} new)"
    return f"{line}; kept in the inbox: {o.kept}" if o.kept else line

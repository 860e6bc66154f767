"""The web service and its command-line twins: serve, users, invite, remind."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mougen.cli.options import authorities_option, counted, pass_workspace
from mougen.cli.tracking import cli_actor
from mougen.errors import MougenError
from mougen.round.signing_round import SigningRound
from mougen.tracker import Tracker
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from mougen.round.store import Keep


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@pass_workspace
def serve(ws: Workspace, host: str, port: int) -> None:
    """Run the web service on the workspace's tracker (one process; for production run
    ``gunicorn -w 2 'mougen.web:wsgi_app()'`` with MOUGEN_WORKSPACE and MOUGEN_DB set).
    Warns at start-up about settings a service reachable from elsewhere must have."""
    from werkzeug.serving import make_server

    from mougen.round.store import RoundStore
    from mougen.web.app import SECRET_FILE, create_app
    from mougen.web.context import EXTENSION
    from mougen.web.redact import RedactingRequestHandler
    from mougen.web.startup import startup_warnings

    app = create_app(ws)  # checks the token: a missing PIN file or a wrong PIN is one line
    service = app.extensions[EXTENSION]
    accounts = RoundStore(service.tracker).users()
    for warning in startup_warnings(service.settings, host, port, ws.root / SECRET_FILE, accounts):
        click.echo(f"mougen: warning: {warning}", err=True)
    with _listening(host, port) as sock:
        server = make_server(
            host,
            port,
            app,
            threaded=True,
            fd=sock.fileno(),
            request_handler=RedactingRequestHandler,
        )
        click.echo(f"mougen: serving {ws.root} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
        server.serve_forever()


def _listening(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``, or one line saying why there is none.

    Bound here, not by werkzeug, which prints its own two lines and exits on a port in use.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        why = os.strerror(exc.errno) if exc.errno else str(exc)  # without the address again
        raise MougenError(f"cannot listen on {host}:{port}: {why}") from None


@click.group()
def users() -> None:
    """Coordinator accounts for the web service."""


def _scope_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--region R...`` and ``--admin``: the scope ``users add`` and ``users scope`` give."""
    command = click.option(
        "--admin", is_flag=True, help="Every region, and the workspace-wide report."
    )(command)
    return click.option(
        "--region",
        "regions",
        multiple=True,
        metavar="REGION",
        help="A region whose rounds the account may see and act on (repeat for more).",
    )(command)


@users.command("add")
@click.argument("name")
@_scope_options
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the password from this file (default: ask for it).",
)
@pass_workspace
def users_add(
    ws: Workspace, name: str, regions: tuple[str, ...], admin: bool, password_file: Path | None
) -> None:
    """Make coordinator account NAME for --region R... (or --admin), or set its password and,
    if given, its regions. Setting the password signs the account out everywhere."""
    if not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", name):
        raise MougenError(f"user name {name!r}: use letters, digits and . _ @ - (up to 64)")
    scope = _scope(ws, regions, admin)
    from mougen.round.store import Keep, RoundStore

    if isinstance(scope, Keep) and name not in _names(ws):
        raise MougenError(f"user {name}: give --region R (or --admin for every region)")
    if password_file is not None:
        password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise MougenError("the password must have at least 12 characters")
    with Tracker.open(ws.db_url) as tracker:
        new = RoundStore(tracker).add_user(name, password, cli_actor(), scope)
    click.echo(f"{'added' if new else 'updated'} {name}")


def _scope(ws: Workspace, regions: tuple[str, ...], admin: bool) -> tuple[str, ...] | Keep | None:
    """The regions to give an account: None for --admin, KEEP when neither is given."""
    from mougen.round.store import KEEP

    if admin and regions:
        raise MougenError("give --region or --admin, not both")
    if admin:
        return None
    if not regions:
        return KEEP
    known = {entry.region.id for entry in ws.catalog.entries.values()}
    for region in regions:
        if region not in known:
            raise MougenError(f"no region {region!r} (known: {', '.join(sorted(known))})")
    return tuple(dict.fromkeys(regions))


def _names(ws: Workspace) -> set[str]:
    from mougen.cli.tracking import open_tracker
    from mougen.round.store import RoundStore

    with open_tracker(ws) as tracker:
        return {account.name for account in RoundStore(tracker).users()}


@users.command("scope")
@click.argument("name")
@_scope_options
@pass_workspace
def users_scope(ws: Workspace, name: str, regions: tuple[str, ...], admin: bool) -> None:
    """Set the regions of existing account NAME (--region R..., or --admin); its password
    stays, and every session of it ends."""
    scope = _scope(ws, regions, admin)
    from mougen.round.store import Keep, RoundStore

    if isinstance(scope, Keep):
        raise MougenError(f"user {name}: give --region R (or --admin for every region)")
    with Tracker.open(ws.db_url) as tracker:
        RoundStore(tracker).scope_user(name, scope, cli_actor())
    click.echo(f"{name}: {_scope_text(scope)}")


def _scope_text(regions: tuple[str, ...] | None) -> str:
    if regions is None:
        return "all regions (admin)"
    return ",".join(regions) or "no regions (give some with `mougen users scope`)"


@users.command("remove")
@click.argument("name")
@pass_workspace
def users_remove(ws: Workspace, name: str) -> None:
    """Remove coordinator account NAME; every session of it ends."""
    from mougen.round.store import RoundStore

    with Tracker.open(ws.db_url) as tracker:
        RoundStore(tracker).remove_user(name, cli_actor())
    click.echo(f"removed {name}")


@users.command("list")
@pass_workspace
def users_list(ws: Workspace) -> None:
    """The coordinator accounts and their regions."""
    from mougen.cli.tracking import open_tracker
    from mougen.round.store import RoundStore

    with open_tracker(ws) as tracker:
        accounts = RoundStore(tracker).users()
    for account in accounts:
        click.echo(f"{account.name}\t{_scope_text(account.regions)}")


@click.command()
@click.argument("mou_id")
@authorities_option
@pass_workspace
def invite(ws: Workspace, mou_id: str, slugs: tuple[str, ...]) -> None:
    """Email each authority's signatory whose turn it is a personal link (issuing the pack
    first if need be). Authorities with a link still open are skipped."""
    with Tracker.open(ws.db_url) as tracker:
        done = SigningRound(ws, tracker).invite(mou_id, list(slugs), cli_actor())
    for s in done.sent:
        click.echo(f"invited {s.authority} {s.role} <{s.email}>")
    for skipped in done.skipped:
        click.echo(f"mougen: not invited: {skipped}", err=True)
    click.echo(f"{counted(len(done.sent), 'invitation')} sent")


def _duration(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    m = re.fullmatch(r"(\d+)([dh])", value.strip())
    if not m:
        raise click.BadParameter(f"{value!r}: give days or hours, such as 7d or 36h")
    n = int(m.group(1))
    return timedelta(days=n) if m.group(2) == "d" else timedelta(hours=n)


@click.command()
@click.argument("mou_id", required=False)
@click.option(
    "--after",
    default="7d",
    show_default=True,
    callback=_duration,
    help="Remind those whose link has waited this long (7d, 36h).",
)
@pass_workspace
def remind(ws: Workspace, mou_id: str | None, after: timedelta) -> None:
    """Email a reminder, with a fresh link, to each signatory whose turn it is and who has
    not signed for a while. Meant for cron or a systemd timer (see the README)."""
    with Tracker.open(ws.db_url) as tracker:
        sent = SigningRound(ws, tracker).remind(mou_id, after, cli_actor())
    for s in sent:
        click.echo(f"reminded {s.mou} {s.authority} {s.role} <{s.email}>")
    click.echo(f"{counted(len(sent), 'reminder')} sent")

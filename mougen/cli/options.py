"""Options, parameter types and helpers that several commands share, defined once."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, NoReturn, ParamSpec, TypeVar

import click

from mougen.clock import wall_clock
from mougen.textcolumns import aligned

if TYPE_CHECKING:  # loaded when a command opens it: ``mougen --help`` never does
    from mougen.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")

#: Where the workspace and database chosen on the command line are kept (ctx.meta is
#: shared by the group and its subcommands, so either may set them).
_WORKSPACE, _DB = "mougen.workspace", "mougen.db"

#: The environment variable for a region CA key's passphrase, for ``read_passphrase``.
#: It is not the signer's ``MOUGEN_P12_PASSPHRASE``: one secret in the environment must
#: not unlock both a signatory's key and the CA that vouches for signatories.
CA_PASSPHRASE_ENV = "MOUGEN_CA_PASSPHRASE"

_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            ctx.meta[key] = value

    return callback


def workspace_options(envvar: bool) -> Callable[[F], F]:
    """``--workspace/-w DIR`` and ``--db URL``: on the group (with their environment
    variables) and again on every command, so they may come before or after its name."""

    def decorate(f: F) -> F:
        f = click.option(
            "--db",
            envvar="MOUGEN_DB" if envvar else None,
            metavar="URL",
            expose_value=False,
            callback=_remember(_DB),
            help="Tracker database as an SQLAlchemy URL (default: SQLite in the workspace).",
        )(f)
        return click.option(
            "--workspace",
            "-w",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="MOUGEN_WORKSPACE" if envvar else None,
            expose_value=False,
            callback=_remember(_WORKSPACE),
            help="Workspace folder (default: the current folder).",
        )(f)

    return decorate


def current_workspace(ctx: click.Context) -> Workspace:
    """The workspace the command line chose, wherever on it ``--workspace``/``--db`` came."""
    from mougen.workspace import Workspace

    return Workspace.locate(ctx.meta.get(_WORKSPACE), ctx.meta.get(_DB))


def pass_workspace(f: Callable[Concatenate[Workspace, P], R]) -> Callable[P, R]:
    """Pass the chosen :class:`Workspace` as the command's first argument."""

    @functools.wraps(f)
    def with_workspace(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = click.get_current_context()
        return ctx.invoke(f, current_workspace(ctx), *args, **kwargs)

    return workspace_options(envvar=False)(with_workspace)


def fail(code: int) -> NoReturn:
    """End the command with exit status ``code``: the one way commands exit non-zero."""
    raise click.exceptions.Exit(code)


def invoked_as() -> str:
    """How to run mougen again, for hints: ``mougen`` when that is on PATH and is this one;
    else this script's path (``.venv/bin/mougen`` in a checkout whose venv is not active)."""
    script = Path(sys.argv[0])
    if script.name == "__main__.py":
        return f"{_from_here(Path(sys.executable))} -m mougen"
    found = shutil.which("mougen")
    if script.name != "mougen" or (found and Path(found).resolve() == script.resolve()):
        return "mougen"
    return _from_here(script)


def _from_here(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, else absolute."""
    with contextlib.suppress(ValueError):
        return str(path.absolute().relative_to(Path.cwd()))
    return str(path.absolute())


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, plural unless there is exactly one: "1 pack", "2 packs"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def warn(message: str) -> None:
    """One ``mougen: warning: ...`` line on stderr."""
    click.echo(f"mougen: warning: {message}", err=True)


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (the shape of every ``--json`` output)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_table(rows: Sequence[Sequence[str]]) -> None:
    """Print rows (the first is the header) as aligned columns (see ``textcolumns``)."""
    for line in aligned(rows):
        click.echo(line)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (shapes in docs/json.md)."
)


class DateTimeParam(click.ParamType):
    """A date or date and time in ISO 8601 (``2026-03-01``, ``2026-03-01T09:30:00``),
    taken as UTC unless it names its zone."""

    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"expected a date such as 2026-03-01 (or 2026-03-01T09:30:00), got {value!r}")
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date_option(help_text: str, *aliases: str) -> Callable[[F], F]:
    """``--date DATE``: the moment a command stamps or reports as of (see resolve_when)."""
    return click.option("--date", *aliases, "when", type=DateTimeParam(), help=help_text)


def resolve_when(when: datetime | None) -> datetime:
    """The command's clock, read once: ``--date``, else SOURCE_DATE_EPOCH, else now (UTC).

    It dates what a command stamps. What a command does now (issuing, revoking, signing,
    extending) reads :func:`mougen.clock.wall_clock` once instead: ``--date`` and
    SOURCE_DATE_EPOCH never move that."""
    if when is not None:
        return when
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return wall_clock().replace(microsecond=0)


def resolve_day(when: datetime | None) -> date:
    """The day a report is as of (see :func:`resolve_when`)."""
    return resolve_when(when).date()


trust_option = click.option(
    "--trust",
    "trust",
    multiple=True,
    type=_EXISTING_FILE,
    metavar="PEM",
    help="Trust root certificate (PEM or DER); repeatable. Added to the region CAs.",
)

tsa_trust_option = click.option(
    "--tsa-trust",
    "tsa_trust",
    multiple=True,
    type=_EXISTING_FILE,
    metavar="PEM",
    help="Trust this root for timestamps only (repeatable); the --trust roots count too.",
)

crl_option = click.option(
    "--crl",
    "crls",
    multiple=True,
    type=_EXISTING_FILE,
    metavar="FILE",
    help="CRL to check revocation against (PEM or DER); repeatable.",
)

authorities_option = click.option(
    "--authority",
    "-a",
    "slugs",
    multiple=True,
    metavar="SLUG",
    help="An authority (repeatable; default: every party to the MoU).",
)


def jobs_option(
    default: int | None, help_text: str = "Packs to build in parallel."
) -> Callable[[F], F]:
    """``--jobs N``: how many items (packs, files) to work on at once (``None``: one per CPU
    core)."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        default=default,
        show_default="one per CPU core" if default is None else True,
        help=help_text,
    )


def output_dir_option(help_text: str) -> Callable[[F], F]:
    """``--output/-o DIR``: the folder a command writes into (created if need be)."""
    return click.option(
        "--output",
        "-o",
        "out_dir",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )

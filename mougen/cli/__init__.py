"""The ``mougen`` command line: a thin click layer over the library modules."""

from __future__ import annotations

from pathlib import Path

import click

from mougen import __version__
from mougen.cli import (
    collect_cmds,
    config_cmds,
    demo_cmds,
    render_cmds,
    report_cmds,
    review_cmds,
    sign_cmds,
    tracker_cmds,
    verify_cmds,
)
from mougen.errors import MougenError
from mougen.workspace import Workspace


class _Group(click.Group):
    """A command group that turns a :class:`MougenError` into one line and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MougenError as exc:
            click.echo(f"mougen: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            # One line, like every other error, instead of click's usage block.
            where = exc.ctx.command_path if exc.ctx else "mougen"
            click.echo(f"{where}: {exc.format_message()} (see {where} --help)", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MOUGEN_WORKSPACE",
    help="Workspace folder (default: the current folder).",
)
@click.option(
    "--db",
    envvar="MOUGEN_DB",
    metavar="URL",
    help="Tracker database as an SQLAlchemy URL (default: SQLite in the workspace).",
)
@click.version_option(__version__, prog_name="mougen")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, db: str | None) -> None:
    """Assemble, sign, verify, track and revise regional sector-led improvement MoUs."""
    ctx.obj = Workspace.locate(workspace, db)


for _module in (
    collect_cmds,
    config_cmds,
    demo_cmds,
    render_cmds,
    report_cmds,
    review_cmds,
    sign_cmds,
    tracker_cmds,
    verify_cmds,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """The console-script entry point."""
    cli(prog_name="mougen")

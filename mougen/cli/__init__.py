"""The ``mougen`` command line: a thin click layer over the library modules."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import click

from mougen import __version__
from mougen.errors import MougenError
from mougen.workspace import Workspace

#: Each command and where it is defined. A command's module is imported only when that
#: command runs, so ``mougen regions`` does not wait for pyHanko, reportlab and SQLAlchemy.
COMMANDS = {
    "archive": "mougen.cli.archive_cmds:archive",
    "audit": "mougen.cli.tracker_cmds:audit",
    "ca": "mougen.cli.ca_cmds:ca",
    "chase": "mougen.cli.report_cmds:chase_cmd",
    "check": "mougen.cli.report_cmds:check_cmd",
    "collect": "mougen.cli.collect_cmds:collect",
    "demo": "mougen.cli.demo_cmds:demo",
    "init": "mougen.cli.config_cmds:init",
    "pack": "mougen.cli.render_cmds:pack",
    "redline": "mougen.cli.review_cmds:redline",
    "regions": "mougen.cli.config_cmds:regions",
    "render": "mougen.cli.render_cmds:render",
    "report": "mougen.cli.report_cmds:report_cmd",
    "review": "mougen.cli.review_cmds:review",
    "reviews": "mougen.cli.report_cmds:reviews_cmd",
    "sign": "mougen.cli.sign_cmds:sign",
    "status": "mougen.cli.report_cmds:status_cmd",
    "tracker": "mougen.cli.tracker_cmds:tracker",
    "verify": "mougen.cli.verify_cmds:verify",
}


class _Group(click.Group):
    """The command group: commands loaded on demand, and every error as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)

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


def main() -> None:
    """The console-script entry point."""
    # pyHanko logs each rejected signature with a traceback, and each offline B-LT
    # signature with a warning; mougen's own one-line messages and reports say it instead.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    cli(prog_name="mougen")

"""The ``mougen`` command line: a thin click layer over the library modules."""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from typing import Any

import click

from mougen import __version__
from mougen.cli.options import current_workspace, workspace_options
from mougen.errors import MougenError

#: Each command and where it is defined. A command's module is imported only when that
#: command runs, so ``mougen regions`` does not wait for pyHanko, Typst and SQLAlchemy.
COMMANDS = {
    "archive": "mougen.cli.archive_cmds:archive",
    "audit": "mougen.cli.tracker_cmds:audit",
    "ca": "mougen.cli.ca_cmds:ca",
    "chase": "mougen.cli.report_cmds:chase_cmd",
    "check": "mougen.cli.report_cmds:check_cmd",
    "collect": "mougen.cli.collect_cmds:collect",
    "demo": "mougen.cli.demo_cmds:demo",
    "init": "mougen.cli.config_cmds:init",
    "invite": "mougen.cli.web_cmds:invite",
    "pack": "mougen.cli.render_cmds:pack",
    "redline": "mougen.cli.review_cmds:redline",
    "regions": "mougen.cli.config_cmds:regions",
    "render": "mougen.cli.render_cmds:render",
    "report": "mougen.cli.report_cmds:report_cmd",
    "remind": "mougen.cli.web_cmds:remind",
    "review": "mougen.cli.review_cmds:review",
    "reviews": "mougen.cli.report_cmds:reviews_cmd",
    "serve": "mougen.cli.web_cmds:serve",
    "sign": "mougen.cli.sign_cmds:sign",
    "status": "mougen.cli.report_cmds:status_cmd",
    "tracker": "mougen.cli.tracker_cmds:tracker",
    "users": "mougen.cli.web_cmds:users",
    "verify": "mougen.cli.verify_cmds:verify",
}

#: Each command's one-line summary for ``mougen --help``, which so lists the commands without
#: loading any (tests/test_cli.py checks each against the command's own help).
SUMMARIES: dict[str, str] = {
    "archive": "Keep the archive of signed MoUs (signed/) verifiable for the long term.",
    "audit": "Inspect the tracker's append-only, hash-chained event log.",
    "ca": "Run a region's programme CA, for councils without signing certificates.",
    "chase": "Print, as CSV for a mail merge, each signature MOU_ID still lacks and whom to ask.",
    "check": "Check the region files and templates: they load, render, and agree on dates.",
    "collect": (
        "Verify each PDF in INBOX (or each message's in an IMAP mailbox), match it to the "
        "issued document, and file it under signed/."
    ),
    "demo": "Run a whole signing round on the bundled regions in a new workspace DIRECTORY.",
    "init": "Create a new workspace in DIRECTORY from the bundled regions and templates.",
    "invite": (
        "Email each authority's signatory whose turn it is a personal link (issuing the pack "
        "first if need be)."
    ),
    "pack": (
        "Build a sign-off pack per authority of each MoU version: DOCX, PDF, cover sheet, "
        "manifest, zip."
    ),
    "redline": "Write the redline of NEW against OLD (each an MoU id or a .docx file).",
    "regions": "List regions (with the ids other commands take) and their MoU versions.",
    "remind": (
        "Email a reminder, with a fresh link, to each signatory whose turn it is and who has "
        "not signed for a while."
    ),
    "render": 'Preview MOU_ID for an authority: its DOCX and a PDF marked "not for signature".',
    "report": (
        "Write a self-contained HTML dashboard for MOU_ID (or every version in force) with "
        "--html, or print each version's progress as JSON with --json (or both)."
    ),
    "review": "Open the next version of an MoU and show what changed.",
    "reviews": "Show when each MoU version is due for review, and what supersedes it.",
    "serve": (
        "Run the web service on the workspace's tracker (one process; for production run "
        "``gunicorn -w 2 'mougen.web:wsgi_app()'`` with MOUGEN_WORKSPACE and MOUGEN_DB set)."
    ),
    "sign": "Sign the ROLE field of PDF with your own certificate and write the result to OUTPUT.",
    "status": "Show who has signed, per authority, for MOU_ID (or every version).",
    "tracker": "Look after the tracker database (an index of the archive).",
    "users": "Coordinator accounts for the web service.",
    "verify": "Check that each signed PDF in FILES is genuine, complete and unaltered.",
}

#: The exit status of a fault in mougen itself (BSD's EX_SOFTWARE), not of bad input.
INTERNAL_ERROR = 70

_DEBUG = "mougen.debug"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while a command's modules load.

    Loading pyHanko, SQLAlchemy and Typst creates some 100,000 objects, none of them
    garbage; the collector would scan them again and again as they arrive, which costs a
    tenth of a command's start-up. In a process that runs one command and ends (see
    :func:`main`) they are then frozen out of every later collection, which would only
    scan them again; elsewhere (a test's runner, a library caller) they are left alone.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _ONE_COMMAND_PROCESS:
            gc.freeze()
        if was_enabled:
            gc.enable()


#: Allocations between the collector's youngest-generation passes in a one-command process.
_FIRST_GENERATION = 100_000

#: Set by :func:`main`: this process exists to run one command, then it ends.
_ONE_COMMAND_PROCESS = False


class _Group(click.Group):
    """The command group: commands loaded on demand, and every error as one line.

    This is the one place errors become output and exit codes: a ``MougenError`` is its
    own line; anything else is a fault in mougen, shown as one line unless ``--debug``.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands, from :data:`SUMMARIES`: ``mougen --help`` loads none of them."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        # a bare command with the summary as its help: click shortens it as it would the real one
        rows = [
            (name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        with _collector_paused():
            command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MougenError as exc:
            click.echo(f"mougen: {exc}", err=True)
            _explain(ctx, exc)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            # One line, like every other error, instead of click's usage block.
            where = exc.ctx.command_path if exc.ctx else "mougen"
            click.echo(f"mougen: {exc.format_message()} (see {where} --help)", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (``mougen status | head``): nothing more to say to it.
            _stdout_to_devnull()
            ctx.exit(1)
        except Exception as exc:  # a bug: say so in one line, unless asked for all of it
            if ctx.meta.get(_DEBUG):
                raise
            click.echo(
                f"mougen: internal error: {type(exc).__name__}: {exc}"
                " (run with --debug or MOUGEN_DEBUG=1 for the full cause)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail on the closed
    pipe and print its own complaint (as Python's signal documentation advises)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _explain(ctx: click.Context, exc: BaseException) -> None:
    """With ``--debug``, the whole chain of causes behind an error, on stderr.

    Errors raised ``from None`` keep their one line short; the cause they hid is
    still their ``__context__``, and is shown here, innermost last.
    """
    if not ctx.meta.get(_DEBUG):
        return
    link: BaseException | None = exc
    while link is not None:
        click.echo("".join(traceback.format_exception(link, chain=False)).rstrip(), err=True)
        link = link.__cause__ or link.__context__
        if link is not None:
            click.echo("caused by:", err=True)


def _remember_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta[_DEBUG] = value


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@workspace_options(envvar=True)
@click.option(
    "--debug",
    is_flag=True,
    envvar="MOUGEN_DEBUG",
    expose_value=False,
    is_eager=True,
    callback=_remember_debug,
    help="On an error, print its full cause (a traceback) too.",
)
@click.version_option(__version__, prog_name="mougen")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Assemble, sign, verify, track and revise regional sector-led improvement MoUs."""
    ctx.obj = current_workspace(ctx)


def main() -> None:
    """The console-script entry point: one command, then the process ends."""
    global _ONE_COMMAND_PROCESS
    _ONE_COMMAND_PROCESS = True
    # A command loads its libraries as it goes (SQLAlchemy only when it records), and the
    # collector would scan those objects, none of them garbage, every 700 allocations; a
    # rarer first-generation pass keeps the same bound on cycles at a fraction of the
    # cost (about 30 ms of a single pack; 20 MB more at the peak of the national round).
    gc.set_threshold(_FIRST_GENERATION, *gc.get_threshold()[1:])
    # pyHanko logs each rejected signature with a traceback, and each offline B-LT
    # signature with a warning; mougen's own one-line messages and reports say it instead.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    try:
        cli(prog_name="mougen")
    finally:
        # The process ends here. Freezing the collector's view of the heap spares the
        # interpreter's last collections over the 100,000 objects that pyHanko,
        # SQLAlchemy and Typst leave loaded, a tenth of a second of every command. Only
        # cycles are left unfinalised; each command has closed what it opened, and
        # teardown still releases everything else.
        gc.freeze()

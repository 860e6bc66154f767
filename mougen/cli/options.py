"""Options and decorators that several commands share, defined once."""

from __future__ import annotations

from pathlib import Path

import click

from mougen.workspace import Workspace

pass_workspace = click.make_pass_decorator(Workspace)

_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

trust_option = click.option(
    "--trust",
    "trust",
    multiple=True,
    type=_EXISTING_FILE,
    metavar="PEM",
    help="Trust root certificate (PEM or DER); repeatable. Added to the region CAs.",
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


def jobs_option(default: int) -> click.decorators.FC:
    """``--jobs N``: how many packs to build at once."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        default=default,
        show_default=True,
        help="Packs to build in parallel.",
    )


def output_dir_option(help_text: str) -> click.decorators.FC:
    """``--output/-o DIR``: the folder a command writes into (created if need be)."""
    return click.option(
        "--output",
        "-o",
        "out_dir",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )

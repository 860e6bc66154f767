"""Commands about the workspace and its configuration: init, regions, check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mougen.cli.options import counted, echo_json, echo_table, json_option, pass_workspace
from mougen.config.catalog import MouEntry
from mougen.config.models import signing_method
from mougen.roles import ROLE_IDS
from mougen.workspace import Workspace, init_workspace


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY from the bundled regions and templates."""
    ws = init_workspace(directory)
    versions = counted(len(ws.catalog.entries), "MoU version")
    click.echo(f"Created workspace {ws.root} ({versions}).")


@click.command()
@json_option
@pass_workspace
def regions(ws: Workspace, as_json: bool) -> None:
    """List regions (with the ids other commands take) and their MoU versions."""
    entries = sorted(ws.catalog.entries.values(), key=lambda e: (e.region.name, e.mou.id))
    if as_json:
        echo_json([_region_json(entry) for entry in entries])
        return
    rows = [("REGION", "ID", "MOU", "COMMENCES", "REVIEW AFTER", "SIGN REMOTELY", "PARTIES")]
    for entry in entries:
        mou = entry.mou
        review = str(mou.review_after) if mou.review_after else "-"
        rows.append(
            (
                entry.region.name,
                entry.region.id,
                mou.id,
                str(mou.commences),
                review,
                f"{len(_remote(entry))} of {len(mou.parties) * len(ROLE_IDS)}",
                str(len(mou.parties)),
            )
        )
    echo_table(rows)


def _region_json(entry: MouEntry) -> dict[str, Any]:
    mou = entry.mou
    return {
        "region": entry.region.id,
        "region_name": entry.region.name,
        "mou": mou.id,
        "title": mou.title,
        "commences": str(mou.commences),
        "review_after": str(mou.review_after) if mou.review_after else None,
        "parties": list(mou.parties),
        "source": str(entry.source),
        "signs": entry.region.signs,
        "remote_signatories": _remote(entry),
    }


def _remote(entry: MouEntry) -> list[str]:
    """The signatories of ``entry``'s parties who sign remotely, as ``authority:role``."""
    return [
        f"{party.slug}:{role}"
        for party in entry.parties
        for role in ROLE_IDS
        if signing_method(entry.region, party, role) == "remote"
    ]

"""Opening the workspace's tracker from a command: for reading, or for recording.

The tracker's modules (and SQLAlchemy with them) are imported only when a command opens or
checks the tracker, so the commands that never do (``reviews``, ``check``, ``render``) start
without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mougen.errors import OutputError
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from mougen.round.records import Actor
    from mougen.tracker import Tracker


def open_tracker(ws: Workspace, *, write: bool = False) -> Tracker:
    """The workspace's tracker. A reader never creates or changes a database: in a
    read-only workspace it reads what is there, and with none it reads an empty one.
    A writer is refused, before anything is written, by a workspace it cannot write."""
    from mougen.tracker import Tracker

    if not write:
        ws.require()
        return Tracker.open(ws.db_url, readonly=True)
    from mougen.round.schema import every_table  # a new tracker is made without Alembic

    check_recordable(ws)
    return Tracker.open(ws.db_url, tables=every_table)


def check_recordable(ws: Workspace) -> None:
    """Refuse, before anything is written, a workspace or tracker this process cannot write.

    Commands that write documents and then record them call this first, so a read-only
    place never leaves documents that look issued but were never recorded.
    """
    from mougen.tracker.database import sqlite_path, writable

    ws.check_writable()
    path = sqlite_path(ws.db_url)
    if path is not None and path.exists() and not writable(path):
        raise OutputError("read-only: this command records into the tracker", path)


def cli_actor() -> Actor:
    """The actor the audit log names for a command run on this machine."""
    from mougen.pack.manifest import issued_by
    from mougen.round.records import Actor

    return Actor(f"cli:{issued_by()}", None)

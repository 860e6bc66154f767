"""Opening the workspace's tracker from a command: for reading, or for recording."""

from __future__ import annotations

from mougen.tracker import Tracker
from mougen.workspace import Workspace


def open_tracker(ws: Workspace, *, write: bool = False) -> Tracker:
    """The workspace's tracker. A reader never creates or changes a database: in a
    read-only workspace it reads what is there, and with none it reads an empty one.
    A writer is refused, before anything is written, by a workspace it cannot write."""
    if write:
        ws.check_writable()
    else:
        ws.require()
    return Tracker.open(ws.db_url, readonly=not write)

"""Every table of the tracker database, as the models declare them: the tracker's own, the
round's and remote signing's.

A command that opens the tracker with :func:`every_table` creates a new database from
these models, without loading Alembic (see :mod:`mougen.tracker.create`).
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from mougen.tracker.schema import Base

#: The modules that declare tables beside the tracker's own.
_DECLARING = ("mougen.round.due", "mougen.round.tables", "mougen.remote.tables")


def every_table() -> MetaData:
    """The metadata of every table, the modules that declare them loaded (which a command
    needs only to create a database: mapping their classes costs a command 20 ms)."""
    for module in _DECLARING:
        importlib.import_module(module)
    return Base.metadata

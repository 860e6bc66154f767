"""Every table of the tracker database, as the models declare them: the tracker's own, the
round's and remote signing's.

A command that opens the tracker with :data:`TABLES` creates a new database from these
models, without loading Alembic (see :mod:`mougen.tracker.create`).
"""

from __future__ import annotations

# loaded for the tables they declare on the one metadata
from mougen.remote import tables as _remote_tables  # noqa: F401
from mougen.round import due as _due  # noqa: F401
from mougen.round import tables as _round_tables  # noqa: F401
from mougen.tracker.schema import Base

#: The metadata of every table.
TABLES = Base.metadata

"""A new tracker database made at the newest schema without Alembic.

Loading Alembic (and Mako) and replaying every migration cost a new workspace's first
command 0.25 s of CPU, as much as ten packs. An empty database needs none of that: the
models create the tables the migrations leave (a test compares the two schemas), the
chain head gets its first row as migration 0002 gives it, and the revision table is
stamped with :data:`HEAD` as Alembic stamps it, so later migrations apply as usual.

The models of the round's and remote signing's tables live in the layers above, so the
caller passes the metadata that holds them all.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    insert,
    inspect,
    text,
)

from mougen.tracker.chain import GENESIS
from mougen.tracker.database import writer
from mougen.tracker.revision import HEAD, HEAD_TABLES, MIGRATION_LOCK, VERSION_TABLE
from mougen.tracker.schema import HEAD_ID, ChainHeadRow

#: Alembic's revision table, as Alembic creates it.
_VERSIONS = Table(
    VERSION_TABLE,
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def create_if_empty(engine: Engine, tables: MetaData) -> bool:
    """Create every table at :data:`HEAD` from ``tables`` in one transaction, if the
    database holds no table at all; False, with nothing changed, if it holds any (then it
    is Alembic's to upgrade) or ``tables`` lacks some table of the schema."""
    if set(tables.tables) | {VERSION_TABLE} != HEAD_TABLES:
        return False
    with writer(engine).begin() as connection:
        hold_migration_lock(connection)
        if inspect(connection).get_table_names():
            return False
        tables.create_all(connection)
        connection.execute(insert(ChainHeadRow).values(id=HEAD_ID, event_id=0, hash=GENESIS))
        _VERSIONS.create(connection)
        connection.execute(insert(_VERSIONS).values(version_num=HEAD))
    return True


def hold_migration_lock(connection: Connection) -> None:
    """On PostgreSQL, wait for (and hold until commit) the lock that queues schema changes:
    two processes opening a new database at once must not both create the tables.
    (An SQLite writer's transaction holds the whole file already.)"""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))

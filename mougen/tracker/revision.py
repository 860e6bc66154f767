"""Which schema revision a tracker database is at, read without loading Alembic.

Every command that opens the tracker asks this first; importing Alembic (and Mako)
costs more than most commands' own work, so it is loaded only when a database
actually needs upgrading (see :mod:`mougen.tracker.migrate`).
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

#: The newest schema revision this mougen ships (the head of ``migrations/versions``;
#: a test checks the two agree).
HEAD = "0007"

#: The table where Alembic keeps a database's revision.
VERSION_TABLE = "alembic_version"

#: Every table a database at :data:`HEAD` holds (a test checks the migrations make these).
HEAD_TABLES = frozenset(
    {
        "alembic_version",
        "chain_head",
        "events",
        "issued_pdfs",
        "mail_receipts",
        "mou_versions",
        "remote_code_requests",
        "remote_codes",
        "remote_signatures",
        "signatures",
        "web_counts",
        "web_emails",
        "web_hits",
        "web_links",
        "web_login_failures",
        "web_queue",
        "web_rounds",
        "web_uploads",
        "web_users",
    }
)

#: Any fixed number: the PostgreSQL advisory lock that queues schema changes.
MIGRATION_LOCK = 0x6D6F7567


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at; None for an empty one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        return str(revision) if revision is not None else None

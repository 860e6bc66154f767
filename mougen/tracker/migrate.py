"""Schema migrations: the Alembic scripts shipped in ``migrations/``, run programmatically."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from mougen.tracker.database import database_errors, make_engine, writer
from mougen.tracker.revision import current_revision

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this mougen knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the shipped migrations have one head"
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring a database to ``revision`` (creating the tables if it is empty), in one transaction."""
    with database_errors(str(engine.url), CommandError), writer(engine).begin() as connection:
        command.upgrade(_config(connection), revision)


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Migrate the database at ``url`` to the newest schema; its (old, new) revisions."""
    with database_errors(url):
        engine = make_engine(url)
        try:
            before = current_revision(engine)
            upgrade(engine)
            return before, head_revision()
        finally:
            engine.dispose()

"""Alembic environment: runs on the connection mougen passes in (see mougen.tracker.migrate)."""

from alembic import context

from mougen.tracker.create import hold_migration_lock
from mougen.tracker.schema import Base

connection = context.config.attributes["connection"]
hold_migration_lock(connection)
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

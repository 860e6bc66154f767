"""Alembic environment: runs on the connection mougen passes in (see mougen.tracker.migrate)."""

from alembic import context

from mougen.tracker.schema import Base

#: Any fixed number: the PostgreSQL advisory lock that queues concurrent migrations.
_MIGRATION_LOCK = 0x6D6F7567

connection = context.config.attributes["connection"]
if connection.dialect.name == "postgresql":
    # Two processes opening a new database at once must not both create the tables.
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

"""The web service under attack: accounts scoped to regions with a session generation,
login failures counted per name and address, request counts per address for any rate-limited
page (replacing the login attempts), anonymous checks counted per day, and the queue of
emails the round owes (filled in the transaction that accepts a signature).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from mougen.tracker.schema import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot drop columns in place.
    with op.batch_alter_table("web_users") as users:
        users.add_column(sa.Column("regions", sa.Text))
        users.add_column(
            sa.Column("session_generation", sa.Integer, nullable=False, server_default="0")
        )
        users.drop_column("failed_logins")
        users.drop_column("locked_until")
    # An account made before scopes existed gets none (an empty list), not every region:
    # NULL would make it an administrator. A person scopes it with `mougen users scope`.
    op.execute(sa.text("UPDATE web_users SET regions = ''"))
    op.drop_index("ix_web_login_attempts_address_at", "web_login_attempts")
    op.drop_table("web_login_attempts")
    op.create_table(
        "web_login_failures",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("blocked_until", UtcDateTime),
        sa.Column("last_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", "address", name="pk_web_login_failures"),
    )
    op.create_table(
        "web_hits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_hits"),
    )
    op.create_index("ix_web_hits_purpose_address_at", "web_hits", ["purpose", "address", "at"])
    op.create_table(
        "web_counts",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", "day", name="pk_web_counts"),
    )
    op.create_table(
        "web_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mou", sa.String(64), nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32)),
        sa.Column("queued_at", UtcDateTime, nullable=False),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("done_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_web_queue"),
    )
    op.create_index("ix_web_queue_done_at", "web_queue", ["done_at"])


def downgrade() -> None:
    op.drop_table("web_queue")
    op.drop_table("web_counts")
    op.drop_table("web_hits")
    op.drop_table("web_login_failures")
    op.create_table(
        "web_login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_login_attempts"),
    )
    op.create_index("ix_web_login_attempts_address_at", "web_login_attempts", ["address", "at"])
    with op.batch_alter_table("web_users") as users:
        users.add_column(sa.Column("locked_until", UtcDateTime))
        users.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        users.drop_column("session_generation")
        users.drop_column("regions")

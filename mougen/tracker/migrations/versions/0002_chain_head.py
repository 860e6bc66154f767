"""The chain head: one row naming the newest event.

Writers lock it to append one at a time (on PostgreSQL too), and comparing it
with the log shows events cut off the end, which the chain alone cannot.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_GENESIS = "0" * 64


def upgrade() -> None:
    head = op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, autoincrement=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chain_head"),
    )
    newest = (
        op.get_bind()
        .execute(sa.text("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"))
        .first()
    )
    event_id, event_hash = newest if newest is not None else (0, _GENESIS)
    op.bulk_insert(head, [{"id": 1, "event_id": event_id, "hash": event_hash}])


def downgrade() -> None:
    op.drop_table("chain_head")

"""A random session nonce per coordinator account: a session carries it, so a cookie from an
account that was removed is never valid for a new account given the same name (SQLite reuses
the highest id, and the session generation of a new account starts again at 0).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_users") as users:
        users.add_column(sa.Column("session_nonce", sa.String(32)))
    connection = op.get_bind()
    ids = connection.execute(sa.text("SELECT id FROM web_users")).scalars().all()
    for user_id in ids:
        connection.execute(
            sa.text("UPDATE web_users SET session_nonce = :nonce WHERE id = :id"),
            {"nonce": secrets.token_hex(16), "id": user_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("web_users") as users:
        users.drop_column("session_nonce")

"""Mail receipts: each part of each message that `collect --mailbox` read, and its outcome.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from mougen.tracker.schema import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_receipts",
        sa.Column("mailbox", sa.String(255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("uid", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("part_sha256", sa.String(64), nullable=False),
        sa.Column("part_name", sa.Text, nullable=False),
        sa.Column("sender", sa.Text, nullable=False),
        sa.Column("sent", sa.Text),
        sa.Column("message_id", sa.Text),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("mou", sa.String(64)),
        sa.Column("authority", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint(
            "mailbox", "uidvalidity", "uid", "part_sha256", name="pk_mail_receipts"
        ),
    )
    op.create_index("ix_mail_receipts_part_sha256", "mail_receipts", ["part_sha256"])


def downgrade() -> None:
    op.drop_table("mail_receipts")

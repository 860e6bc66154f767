"""The web service: coordinator accounts, login attempts, signatory links, emails, uploads
and rounds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from mougen.tracker.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "web_users",
        _id(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_users"),
        sa.UniqueConstraint("name", name="uq_web_users_name"),
    )
    op.create_table(
        "web_login_attempts",
        _id(),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_login_attempts"),
    )
    op.create_index("ix_web_login_attempts_address_at", "web_login_attempts", ["address", "at"])
    op.create_table(
        "web_links",
        _id(),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("mou", sa.String(64), nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.Column("accepted_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_web_links"),
        sa.UniqueConstraint("token_sha256", name="uq_web_links_token_sha256"),
    )
    op.create_index("ix_web_links_mou_authority", "web_links", ["mou", "authority"])
    op.create_table(
        "web_emails",
        _id(),
        sa.Column("sent_at", UtcDateTime, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("mou", sa.String(64)),
        sa.Column("authority", sa.String(64)),
        sa.Column("via", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_emails"),
    )
    op.create_table(
        "web_uploads",
        _id(),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("mou", sa.String(64)),
        sa.Column("authority", sa.String(64)),
        sa.Column("role", sa.String(32)),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("address", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_web_uploads"),
    )
    op.create_index("ix_web_uploads_mou_authority", "web_uploads", ["mou", "authority"])
    op.create_table(
        "web_rounds",
        sa.Column("mou", sa.String(64), nullable=False),
        sa.Column("return_by", sa.Date),
        sa.PrimaryKeyConstraint("mou", name="pk_web_rounds"),
    )


def downgrade() -> None:
    for table in ("web_rounds", "web_uploads", "web_emails", "web_links"):
        op.drop_table(table)
    op.drop_table("web_login_attempts")
    op.drop_table("web_users")

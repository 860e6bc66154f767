"""Remote signing: activation codes (hashed), code requests, and each link's one signature.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from mougen.tracker.schema import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SHA256 = sa.String(64)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "remote_codes",
        _id(),
        sa.Column("link_sha256", SHA256, nullable=False),
        sa.Column("document_sha256", SHA256, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("code_hash", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_remote_codes"),
    )
    op.create_index("ix_remote_codes_link_sha256_state", "remote_codes", ["link_sha256", "state"])
    op.create_table(
        "remote_code_requests",
        _id(),
        sa.Column("link_sha256", SHA256, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_remote_code_requests"),
    )
    op.create_index(
        "ix_remote_code_requests_link_sha256_at", "remote_code_requests", ["link_sha256", "at"]
    )
    op.create_index("ix_remote_code_requests_address_at", "remote_code_requests", ["address", "at"])
    op.create_table(
        "remote_signatures",
        _id(),
        sa.Column("link_sha256", SHA256, nullable=False),
        sa.Column("document_sha256", SHA256, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("code_id", sa.Integer, nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("pdf", sa.LargeBinary),
        sa.Column("pdf_sha256", SHA256),
        sa.Column("signature_sha256", SHA256),
        sa.Column("signed_at", UtcDateTime),
        sa.Column("filed_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_remote_signatures"),
        sa.UniqueConstraint("link_sha256", "field", name="uq_remote_signatures_link_sha256_field"),
    )


def downgrade() -> None:
    op.drop_table("remote_signatures")
    op.drop_table("remote_code_requests")
    op.drop_table("remote_codes")

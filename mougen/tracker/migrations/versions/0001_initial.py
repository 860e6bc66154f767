"""The first tracker schema: MoU versions, issued PDFs, signatures and the event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SHA256 = sa.String(64)
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mou_versions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("template_sha256", _SHA256),
        sa.Column("commences", sa.String(7), nullable=False),
        sa.Column("review_after", sa.String(7)),
        sa.Column("successor", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_mou_versions"),
    )
    op.create_table(
        "issued_pdfs",
        sa.Column("pdf_sha256", _SHA256),
        sa.Column("mou", sa.String(64), nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("pdf_sha256", name="pk_issued_pdfs"),
    )
    op.create_index("ix_issued_pdfs_mou_authority", "issued_pdfs", ["mou", "authority"])
    op.create_table(
        "signatures",
        sa.Column("signature_sha256", _SHA256),
        sa.Column("mou", sa.String(64), nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("signer_name", sa.Text),
        sa.Column("signer_email", sa.Text),
        sa.Column("cert_sha256", _SHA256, nullable=False),
        sa.Column("signed_at", _WHEN),
        sa.Column("timestamp_at", _WHEN),
        sa.Column("verdict", sa.String(64), nullable=False),
        sa.Column("archive_path", sa.Text, nullable=False),
        sa.Column("file_sha256", _SHA256, nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("signature_sha256", name="pk_signatures"),
    )
    op.create_index("ix_signatures_mou_authority", "signatures", ["mou", "authority"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, autoincrement=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("prev_hash", _SHA256, nullable=False),
        sa.Column("hash", _SHA256, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("hash", name="uq_events_hash"),
    )


def downgrade() -> None:
    for table in ("events", "signatures", "issued_pdfs", "mou_versions"):
        op.drop_table(table)

"""support, assessment: members' self-assessments (answers saved in parts, scores once complete)

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = ("assessment",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_assessments",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("participant_id", sa.String(255), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results", sa.JSON(), nullable=True),
    )
    op.create_index("ix_support_assessments_participant_id", "support_assessments", ["participant_id"])
    op.create_index(
        "uq_support_assessments_one_draft",
        "support_assessments",
        ["participant_id"],
        unique=True,
        sqlite_where=sa.text("state = 'draft'"),
        postgresql_where=sa.text("state = 'draft'"),
    )


def downgrade() -> None:
    op.drop_table("support_assessments")

"""vocabulary: units and code values a company's files write, declared once by a person and remembered

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vocabulary",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("written", sa.String(256), nullable=False),
        sa.Column("meaning", sa.String(256), nullable=False),
        sa.Column("declared_by", sa.String(128), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "field", "written"),
    )


def downgrade() -> None:
    op.drop_table("vocabulary")

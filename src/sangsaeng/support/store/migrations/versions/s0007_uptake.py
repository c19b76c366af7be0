"""support: programs taken up by members

Revision ID: s0007
Revises: s0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "s0007"
down_revision = "s0001"
branch_labels = ("uptake",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_program_uptake",
        sa.Column("participant_id", sa.String(255), primary_key=True),
        sa.Column("program_id", sa.String(255), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("support_program_uptake_program", "support_program_uptake", ["program_id"])


def downgrade() -> None:
    op.drop_table("support_program_uptake")

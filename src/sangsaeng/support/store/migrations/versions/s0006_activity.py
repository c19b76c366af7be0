"""support: members' monthly activity reports

Revision ID: s0006
Revises: s0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "s0006"
down_revision = "s0001"
branch_labels = ("activity",)
depends_on = None

COUNTS = (
    "datasets_offered",
    "agreements_provided",
    "agreements_obtained",
    "transfers_provided",
    "transfers_obtained",
    "partners",
    "streams",
)


def upgrade() -> None:
    op.create_table(
        "support_activity",
        sa.Column("participant_id", sa.String(255), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("support_activity_month", "support_activity", ["month"])


def downgrade() -> None:
    op.drop_table("support_activity")

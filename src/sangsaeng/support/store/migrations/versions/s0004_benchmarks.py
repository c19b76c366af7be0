"""benchmarks: members' aggregates-only agreements, their contributions, releases with their cells, the budget's
ledger

Revision ID: s0004
Revises: s0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "s0004"
down_revision = "s0001"
branch_labels = ("benchmarks",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_benchmark_agreements",
        sa.Column("participant_id", sa.String(255), primary_key=True),
        sa.Column("terms", sa.String(32), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "support_benchmark_contributions",
        sa.Column("participant_id", sa.String(255), primary_key=True),
        sa.Column("indicator", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("given", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_support_benchmark_contributions_period", "support_benchmark_contributions", ["period"])
    op.create_table(
        "support_benchmark_releases",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refused", sa.JSON(), nullable=False),
        sa.UniqueConstraint("period", "seq", name="uq_support_benchmark_releases_period_seq"),
    )
    op.create_table(
        "support_benchmark_cells",
        sa.Column("release_id", sa.String(255), primary_key=True),
        sa.Column("indicator", sa.String(64), primary_key=True),
        sa.Column("sector", sa.String(8), primary_key=True),
        sa.Column("region", sa.String(8), primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(16), nullable=True),
        sa.Column("band_from", sa.Integer(), nullable=True),
        sa.Column("band_to", sa.Integer(), nullable=True),
        sa.Column("q1", sa.Double(), nullable=True),
        sa.Column("q2", sa.Double(), nullable=True),
        sa.Column("q3", sa.Double(), nullable=True),
        sa.Column("epsilon", sa.Double(), nullable=False),
    )
    op.create_index("ix_support_benchmark_cells_period", "support_benchmark_cells", ["period"])
    op.create_table(
        "support_benchmark_ledger",
        sa.Column("release_id", sa.String(255), primary_key=True),
        sa.Column("indicator", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("epsilon", sa.Double(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_support_benchmark_ledger_period", "support_benchmark_ledger", ["period"])


def downgrade() -> None:
    op.drop_table("support_benchmark_ledger")
    op.drop_table("support_benchmark_cells")
    op.drop_table("support_benchmark_releases")
    op.drop_table("support_benchmark_contributions")
    op.drop_table("support_benchmark_agreements")

"""experts: the operator's experts and support programs, members' success cases and requests for an expert

Revision ID: s0003
Revises: s0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "s0003"
down_revision = "s0001"
branch_labels = ("experts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_experts",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("availability", sa.String(16), nullable=False),
        sa.Column("busy_until", sa.Date(), nullable=True),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "support_programs",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("name_ko", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("agency", sa.JSON(), nullable=False),
        sa.Column("sizes", sa.JSON(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("max_level", sa.Integer(), nullable=False),
        sa.Column("amount_krw", sa.BigInteger(), nullable=True),
        sa.Column("share_percent", sa.Integer(), nullable=True),
        sa.Column("cap_krw", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "support_cases",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("level_before", sa.Integer(), nullable=False),
        sa.Column("level_after", sa.Integer(), nullable=False),
        sa.Column("problem", sa.JSON(), nullable=False),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("technologies", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("languages", sa.String(32), nullable=False),
        sa.Column("search_grams", sa.Text(), nullable=False),
        sa.Column("search_syllables", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_support_cases_owner", "support_cases", ["owner"])
    op.create_index("ix_support_cases_sector", "support_cases", ["sector"])
    op.create_table(
        "support_expert_requests",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("expert_id", sa.String(255), nullable=False),
        sa.Column("participant_id", sa.String(255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_support_expert_requests_expert_id", "support_expert_requests", ["expert_id"])
    op.create_index("ix_support_expert_requests_participant_id", "support_expert_requests", ["participant_id"])


def downgrade() -> None:
    op.drop_table("support_expert_requests")
    op.drop_table("support_cases")
    op.drop_table("support_programs")
    op.drop_table("support_experts")

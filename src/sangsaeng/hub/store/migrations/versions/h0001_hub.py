"""hub: applications and members, issued credentials, document counters

Revision ID: h0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_applications",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("participant_id", sa.String(255), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("company", sa.JSON(), nullable=False),
        sa.Column("public_key", sa.JSON(), nullable=False),
        sa.Column("next_key", sa.JSON(), nullable=True),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("data_endpoint", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_hub_applications_state", "hub_applications", ["state"])
    op.create_table(
        "hub_credentials",
        sa.Column("jti", sa.String(255), primary_key=True),
        sa.Column("participant_id", sa.String(255), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_hub_credentials_participant_id", "hub_credentials", ["participant_id"])
    op.create_index("ix_hub_credentials_idx", "hub_credentials", ["idx"])
    counters = op.create_table(
        "hub_counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(counters, [{"name": n, "value": 0} for n in ("directory", "status", "index")])


def downgrade() -> None:
    op.drop_table("hub_counters")
    op.drop_table("hub_credentials")
    op.drop_table("hub_applications")

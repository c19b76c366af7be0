"""plan: what members want of their partners, and the members a want names

Revision ID: s0005
Revises: s0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "s0005"
down_revision = "s0001"
branch_labels = ("plan",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_wants",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("asker", sa.String(255), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("to_chain", sa.Text(), nullable=True),
        sa.Column("to_tier", sa.String(16), nullable=True),
        sa.Column("to_members", sa.JSON(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("template", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_support_wants_asker", "support_wants", ["asker"])
    op.create_index("ix_support_wants_state", "support_wants", ["state"])
    op.create_table(
        "support_want_addressees",
        sa.Column("want", sa.String(255), sa.ForeignKey("support_wants.id"), primary_key=True),
        sa.Column("member", sa.String(255), primary_key=True),
    )
    op.create_index("ix_support_want_addressees_member", "support_want_addressees", ["member"])


def downgrade() -> None:
    op.drop_table("support_want_addressees")
    op.drop_table("support_wants")

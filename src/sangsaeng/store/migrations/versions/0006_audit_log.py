"""audit log: append-only entries with their leaf hashes, signed tree heads, and heads witnessed from others

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("leaf", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("counterparty", sa.String(255), nullable=True),
        sa.Column("agreement_id", sa.String(255), nullable=True),
        sa.Column("process_id", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("index"),
    )
    for column in ("counterparty", "agreement_id", "process_id"):
        op.create_index(f"ix_audit_entries_{column}", "audit_entries", [column])
    op.create_table(
        "audit_heads",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("head", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size"),
    )
    op.create_table(
        "audit_witnessed",
        sa.Column("participant", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("head", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("participant", "size", "root"),
    )


def downgrade() -> None:
    op.drop_table("audit_witnessed")
    op.drop_table("audit_heads")
    for column in ("counterparty", "agreement_id", "process_id"):
        op.drop_index(f"ix_audit_entries_{column}", "audit_entries")
    op.drop_table("audit_entries")

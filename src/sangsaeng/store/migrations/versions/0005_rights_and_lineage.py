"""rights and lineage: co-generators of a dataset, the sources a dataset was made from (with the agreements
under which they were obtained), and the duties a consumer has fulfilled

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("co_generators", sa.JSON(), nullable=True))
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("fulfilled", sa.JSON(), nullable=True))
    op.create_table(
        "dataset_sources",
        sa.Column("dataset_id", sa.String(255), sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_dataset_id", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(255), nullable=False),
        sa.Column("agreement_id", sa.String(255), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", "position"),
    )
    op.create_index("ix_dataset_sources_agreement_id", "dataset_sources", ["agreement_id"])


def downgrade() -> None:
    op.drop_index("ix_dataset_sources_agreement_id", "dataset_sources")
    op.drop_table("dataset_sources")
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("fulfilled")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("co_generators")

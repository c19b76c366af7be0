"""dataset version origin: which standard entity a version holds and what it was made from

A version ingested through a mapping records its entity (``quality_result`` …) and a digest of the source file
and the mapping, so that ingesting the same file through the same mapping again adds no version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("entity", sa.String(64), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_column("origin")
        batch.drop_column("entity")

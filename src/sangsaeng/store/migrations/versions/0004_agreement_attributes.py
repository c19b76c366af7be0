"""agreement attributes: the consumer's verified credential attributes when the agreement was made

Policies may require a role, tier, sector, region or membership; the provider checks the consumer's signed
credentials at the contract request and keeps what they said with the agreement, for every later access.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("negotiations", "agreements"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("attributes", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("negotiations", "agreements"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("attributes")

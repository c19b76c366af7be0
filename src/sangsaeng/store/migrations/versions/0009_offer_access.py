"""offers: an access policy (who sees the offer in the catalog), apart from the contract policy

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: no access policy given; the catalog then shows the offer to whom its contract policy could grant it.
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("access_policy", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("access_policy")

"""hub: a member's retired keys, so that what it signed before a rotation still verifies

Revision ID: h0002
Revises: h0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "h0002"
down_revision = "h0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hub_applications") as batch:
        batch.add_column(sa.Column("retired_keys", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hub_applications") as batch:
        batch.drop_column("retired_keys")

"""support: the chain's root; each part of support branches from here

Revision ID: s0001
Revises:
Create Date: 2026-11-28
"""

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

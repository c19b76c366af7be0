"""hub: the catalog's search index in the hub's state database, on PostgreSQL only (on SQLite it stays in its file)

Revision ID: h0003
Revises: h0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

revision = "h0003"
down_revision = "h0002"
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():  # SQLite: the hub's SqliteIndex keeps the index in a file of its own (hub-catalog.db)
        return
    op.create_table(
        "hub_catalog_members",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("tier", ARRAY(sa.Text), nullable=False),
        sa.Column("sector", ARRAY(sa.Text), nullable=False),
        sa.Column("region", ARRAY(sa.Text), nullable=False),
        sa.Column("words", ARRAY(sa.Text), nullable=False),
        sa.Column("state", JSONB, nullable=False),
    )
    op.create_table(
        "hub_catalog_entries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("provider", sa.Text, nullable=False),
        sa.Column("dataset_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=True),
        sa.Column("offers", JSONB, nullable=False),
        sa.Column("templates", ARRAY(sa.Text), nullable=False),
        sa.Column("grams", TSVECTOR, nullable=False),
        sa.Column("syllables", TSVECTOR, nullable=False),
        sa.UniqueConstraint("provider", "dataset_id", name="hub_catalog_entries_provider_dataset"),
    )
    op.create_index("hub_catalog_entries_entity", "hub_catalog_entries", ["entity"])
    for column in ("grams", "syllables", "templates"):
        op.create_index(f"hub_catalog_entries_{column}", "hub_catalog_entries", [column], postgresql_using="gin")


def downgrade() -> None:
    if not _postgres():
        return
    op.drop_table("hub_catalog_entries")
    op.drop_table("hub_catalog_members")

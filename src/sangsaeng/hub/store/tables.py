"""The hub's tables (SQLAlchemy Core), in a metadata of their own: ``migrations/`` creates exactly these."""

from __future__ import annotations

import sqlalchemy as sa

from sangsaeng.store.tables import UtcDateTime

metadata = sa.MetaData()
Id = sa.String(255)

applications = sa.Table(
    "hub_applications",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("participant_id", Id, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("company", sa.JSON, nullable=False),
    sa.Column("public_key", sa.JSON, nullable=False),
    sa.Column("next_key", sa.JSON, nullable=True),
    sa.Column("retired_keys", sa.JSON, nullable=True),  # [{"key": JWK, "until": ISO time}], newest last
    sa.Column("endpoint", sa.Text, nullable=False),
    sa.Column("data_endpoint", sa.Text, nullable=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("applied_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

credentials = sa.Table(
    "hub_credentials",
    metadata,
    sa.Column("jti", Id, primary_key=True),
    sa.Column("participant_id", Id, nullable=False, index=True),
    sa.Column("idx", sa.BigInteger, nullable=False, index=True),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
)

counters = sa.Table(
    "hub_counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
COUNTERS = ("directory", "status", "index")  # the directory's seq, the status list's seq, the next status index

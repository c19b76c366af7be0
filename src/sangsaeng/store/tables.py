"""SQL tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps none of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()
Id = sa.String(255)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=False, default=0),
    sa.Column("co_generators", sa.JSON),  # participant ids who generated it with us
    # The provider lets the dataspace's hub list it in the federated catalog (its DSP entry says so).
    sa.Column("listed_at_hub", sa.Boolean, nullable=False, default=True, server_default=sa.true()),
)

# Lineage: what a dataset was made from, and under which agreement each source was obtained.
dataset_sources = sa.Table(
    "dataset_sources",
    metadata,
    sa.Column("dataset_id", Id, sa.ForeignKey("datasets.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("source_dataset_id", Id, nullable=False),
    sa.Column("provider", Id, nullable=False),
    sa.Column("agreement_id", Id, index=True),
    sa.Column("policy", sa.JSON, nullable=False),
    sa.Column("agreed_at", UtcDateTime),
    sa.Column("operation", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

dataset_versions = sa.Table(
    "dataset_versions",
    metadata,
    sa.Column("dataset_id", Id, sa.ForeignKey("datasets.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("entity", sa.String(64), nullable=True),  # the standard entity, when ingested through a mapping
    sa.Column("origin", sa.String(64), nullable=True),  # SHA-256 of the source file and the mapping
)

offers = sa.Table(
    "offers",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("dataset_id", Id, sa.ForeignKey("datasets.id"), nullable=False, index=True),
    sa.Column("policy", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("access_policy", sa.JSON, nullable=True),  # who sees the offer in the catalog (None: the default)
)

negotiations = sa.Table(
    "negotiations",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("provider_pid", Id),
    sa.Column("consumer_pid", Id),
    sa.Column("counterparty", Id, nullable=False),
    sa.Column("counterparty_address", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("dataset_id", Id, nullable=False),
    sa.Column("offer", sa.JSON, nullable=False),
    sa.Column("purpose", sa.String(64)),
    sa.Column("agreement_id", Id),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # A consumer's retried initial request must find the process it already created (idempotent receiver).
    sa.UniqueConstraint("role", "counterparty", "consumer_pid", name="uq_negotiation_consumer_pid"),
    sa.Column("attributes", sa.JSON),  # verified credential attributes of the consumer (as provider)
)

agreements = sa.Table(
    "agreements",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("negotiation_id", Id, nullable=False),
    sa.Column("dataset_id", Id, nullable=False),
    sa.Column("provider", Id, nullable=False),
    sa.Column("consumer", Id, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("purpose", sa.String(64)),
    sa.Column("provider_signature", sa.JSON),
    sa.Column("consumer_signature", sa.JSON),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("terminated_at", UtcDateTime),
    sa.Column("uses", sa.Integer, nullable=False, default=0),
    sa.Column("attributes", sa.JSON),  # verified credential attributes of the consumer, when agreed
    sa.Column("fulfilled", sa.JSON),  # duty path → when the consumer said it was done
)

transfers = sa.Table(
    "transfers",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("provider_pid", Id),
    sa.Column("consumer_pid", Id),
    sa.Column("counterparty", Id, nullable=False),
    sa.Column("counterparty_address", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("agreement_id", Id, nullable=False, index=True),
    sa.Column("format", sa.String(64), nullable=False),
    sa.Column("data_endpoint", sa.Text),
    sa.Column("data_token", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("role", "counterparty", "consumer_pid", name="uq_transfer_consumer_pid"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("process_kind", sa.String(16), nullable=False),
    sa.Column("process_id", Id, nullable=False, index=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("audience", Id, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
)

seen_tokens = sa.Table(
    "seen_tokens",
    metadata,
    sa.Column("jti", sa.String(128), primary_key=True),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
)

# One row: a number that grows with every change to what the catalog shows (datasets, versions, offers). Every
# connector process compares it with the revision of the catalog pages it holds ready.
catalog_revision = sa.Table(
    "catalog_revision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision", sa.BigInteger, nullable=False),
)

# The tamper-evident log (audit/): append-only entries, the signed heads of its Merkle tree, and the heads of
# other connectors' logs received with their protocol messages.
audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entry", sa.Text, nullable=False),  # canonical JSON (RFC 8785), exactly the bytes hashed
    sa.Column("leaf", sa.String(64), nullable=False),  # hex of SHA-256(0x00 ‖ entry)
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("counterparty", Id, index=True),
    sa.Column("agreement_id", Id, index=True),
    sa.Column("process_id", Id, index=True),
)

audit_heads = sa.Table(
    "audit_heads",
    metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("head", sa.JSON, nullable=False),  # the signed head as sent to others
    sa.Column("at", UtcDateTime, nullable=False),
)

audit_witnessed = sa.Table(
    "audit_witnessed",
    metadata,
    sa.Column("participant", Id, primary_key=True),
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("root", sa.String(64), primary_key=True),
    sa.Column("head", sa.JSON, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
)

# People who use the portal: a real password hash (argon2id), one role each.
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # admin, steward, viewer
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# Portal sessions: the cookie carries a random id, the table only its hash (a stolen table opens no session).
portal_sessions = sa.Table(
    "portal_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(128), sa.ForeignKey("users.name", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    sa.Column("data", sa.JSON, nullable=False),
)

# Failed sign-ins, one row each: by source address (a sliding window) and by account name (consecutive, until a
# success or an admin's unlock). Names that are no account count too, so the answers cannot tell them apart.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(16), nullable=False),  # address, account
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Index("ix_login_failures_scope_subject_at", "scope", "subject", "at"),
)

# The company's own words, declared once in the portal: units and code values its files write that the system
# did not know, and the headers its fields were read from; each with who declared it and when (one meaning per
# word; declaring again replaces it).
vocabulary = sa.Table(
    "vocabulary",
    metadata,
    sa.Column("kind", sa.String(8), primary_key=True),  # unit, code, header
    sa.Column("field", sa.String(128), primary_key=True),  # "" (unit), "<entity>.<field>" (code), "<entity>" (header)
    sa.Column("written", sa.String(256), primary_key=True),
    sa.Column("meaning", sa.String(256), nullable=False),
    sa.Column("declared_by", sa.String(128), nullable=False),
    sa.Column("declared_at", UtcDateTime, nullable=False),
)

# Data received from partners and kept (issue 16 § 2): one copy per agreement, whose files are in the dataset store.
received = sa.Table(
    "received",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("agreement_id", Id, nullable=False, unique=True),
    sa.Column("transfer_id", Id, nullable=False),
    sa.Column("provider", Id, nullable=False),
    sa.Column("source_dataset_id", Id, nullable=False),
    sa.Column("dataset_id", Id, sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("files", sa.JSON, nullable=False),  # [{"key", "rows", "bytes", "sha256"}], oldest first
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("entity", sa.String(64), nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("position", sa.String(64), nullable=True),  # a stream's position token (None: not a stream)
    sa.Column("refreshes", sa.Integer, nullable=False),
)

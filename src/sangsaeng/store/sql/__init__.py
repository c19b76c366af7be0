"""The SQL adapter of the store's ports: SQLite (embedded default) or PostgreSQL, by URL; one module per port."""

from sangsaeng.store.sql.engine import Engines, SqlStore, async_url, sync_url
from sangsaeng.store.sql.tx import SqlTx

__all__ = ["Engines", "SqlStore", "SqlTx", "async_url", "sync_url"]

"""The SQL adapter of the state store: SQLite (embedded default) or PostgreSQL, by URL.

PostgreSQL runs on SQLAlchemy's asyncio engine (psycopg 3) with a pool, and row locks (``SELECT … FOR UPDATE``)
where a state is read to be changed.

SQLite runs synchronously on the event loop, one transaction at a time behind an ``asyncio.Lock``. A SQLite
transaction of this store takes about a tenth of a millisecond; an async driver (aiosqlite) hands every
statement to a thread and back, which made each one take well over a millisecond, and SQLite serialises
writers anyway. The lock (not the connection pool) serialises transactions, so a coroutine that awaits inside
one only makes the others wait, never blocks the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from sangsaeng.store import tables as t
from sangsaeng.store.records import (
    Agreement,
    CatalogEntry,
    Dataset,
    DatasetVersion,
    LogEntry,
    Negotiation,
    Offer,
    OutboxMessage,
    Source,
    Transfer,
    User,
)
from sangsaeng.store.sql_portal import PortalSql
from sangsaeng.store.sql_vocabulary import VocabularySql

R = TypeVar("R")
_seq = itertools.count(int(time.time() * 1000) * 1000)


def async_url(url: str) -> str:
    """PostgreSQL URLs as plain ``postgresql://…`` pick the psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sync_url(url: str) -> str:
    return url.replace("postgresql+asyncpg:", "postgresql+psycopg:")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def sqlite_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(
        url, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False}, **JSON_CODEC
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")  # other processes (the CLI, a second worker) may write too
        cursor.close()

    return engine


class _SyncConnection:
    """Gives a synchronous SQLite connection the awaitable ``execute`` the transaction code uses."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self.conn.execute(statement, parameters)


def _values(record: Any) -> dict[str, Any]:
    """A record's fields as column values; unlike ``dataclasses.asdict`` it does not deep-copy JSON documents."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _record(cls: type[R], row: Any) -> R:
    mapping = row._mapping
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in mapping.items() if k in names})


class _ById:
    """Statements on one table keyed by ``id``, built once: SQLAlchemy memoises their cache keys, so a hot path
    pays for neither building a statement nor keying its compiled form on every call."""

    def __init__(self, table: sa.Table) -> None:
        self.insert = table.insert()
        self.select = sa.select(table).where(table.c.id == sa.bindparam("key"))
        self.select_locked = self.select.with_for_update()
        self.update = table.update().where(table.c.id == sa.bindparam("key"))


_NEGOTIATIONS, _AGREEMENTS = _ById(t.negotiations), _ById(t.agreements)
_TRANSFERS, _OUTBOX = _ById(t.transfers), _ById(t.outbox)
_REMEMBER = {
    name: insert(t.seen_tokens)
    .values(jti=sa.bindparam("jti"), expires_at=sa.bindparam("expires_at"))
    .on_conflict_do_nothing()
    .returning(t.seen_tokens.c.jti)
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


_REVISION = sa.select(t.catalog_revision.c.revision).where(t.catalog_revision.c.id == 1)
_BUMP_REVISION = (
    t.catalog_revision.update().where(t.catalog_revision.c.id == 1).values(revision=t.catalog_revision.c.revision + 1)
)


class SqlTx(PortalSql, VocabularySql):
    def __init__(self, conn: AsyncConnection | _SyncConnection) -> None:
        self.conn = conn
        self._lock_rows = conn.dialect.name == "postgresql"

    async def _one(self, stmt: Any) -> Any:
        return (await self.conn.execute(stmt)).first()

    async def _insert(self, statements: _ById, record: Any, **extra: Any) -> None:
        await self.conn.execute(statements.insert, {**_values(record), **extra})

    async def _get(self, statements: _ById, cls: type[R], key: str, for_update: bool) -> R | None:
        stmt = statements.select_locked if for_update and self._lock_rows else statements.select
        row = (await self.conn.execute(stmt, {"key": key})).first()
        return None if row is None else _record(cls, row)

    async def _save(self, statements: _ById, record: Any) -> None:
        await self.conn.execute(statements.update, {**_values(record), "key": record.id})

    # datasets and offers -------------------------------------------------------------------------
    async def add_dataset(self, dataset: Dataset) -> None:
        await self.conn.execute(
            t.datasets.insert().values(
                id=dataset.id,
                title=dataset.title,
                description=dataset.description,
                created_at=dataset.created_at,
                latest_version=0,
                co_generators=list(dataset.co_generators) or None,
            )
        )

    async def add_sources(self, sources: Sequence[Source]) -> None:
        for source in sources:
            await self.conn.execute(t.dataset_sources.insert().values(**_values(source)))

    async def sources_of(self, dataset_id: str) -> list[Source]:
        rows = await self.conn.execute(
            sa.select(t.dataset_sources)
            .where(t.dataset_sources.c.dataset_id == dataset_id)
            .order_by(t.dataset_sources.c.position)
        )
        return [_record(Source, r) for r in rows]

    async def agreements_for(self, dataset_id: str) -> list[Agreement]:
        rows = await self.conn.execute(
            sa.select(t.agreements).where(t.agreements.c.dataset_id == dataset_id).order_by(t.agreements.c.created_at)
        )
        return [_record(Agreement, r) for r in rows]

    async def add_version(self, version: DatasetVersion) -> None:
        await self.conn.execute(t.dataset_versions.insert().values(**_values(version)))
        await self.conn.execute(
            t.datasets.update()
            .where(t.datasets.c.id == version.dataset_id)
            .values(latest_version=sa.func.max(t.datasets.c.latest_version, version.version))
            if self.conn.dialect.name == "sqlite"
            else t.datasets.update()
            .where(t.datasets.c.id == version.dataset_id)
            .values(latest_version=sa.func.greatest(t.datasets.c.latest_version, version.version))
        )

    def _dataset_query(self) -> Any:
        v = t.dataset_versions
        return sa.select(t.datasets, v).select_from(
            t.datasets.outerjoin(
                v, sa.and_(v.c.dataset_id == t.datasets.c.id, v.c.version == t.datasets.c.latest_version)
            )
        )

    @staticmethod
    def _dataset(row: Any) -> Dataset:
        m = row._mapping
        latest = None
        if m["version"] is not None:
            latest = DatasetVersion(
                dataset_id=m["id"],
                version=m["version"],
                path=m["path"],
                columns=m["columns"],
                rows=m["rows"],
                bytes=m["bytes"],
                sha256=m["sha256"],
                created_at=m[t.dataset_versions.c.created_at],
                entity=m["entity"],
                origin=m["origin"],
            )
        return Dataset(
            id=m["id"],
            title=m["title"],
            description=m["description"],
            created_at=m[t.datasets.c.created_at],
            co_generators=tuple(m["co_generators"] or ()),
            latest=latest,
        )

    async def get_dataset(self, dataset_id: str) -> Dataset | None:
        row = await self._one(self._dataset_query().where(t.datasets.c.id == dataset_id))
        return None if row is None else self._dataset(row)

    @staticmethod
    def _offered() -> Any:
        return sa.exists().where(t.offers.c.dataset_id == t.datasets.c.id)

    async def list_datasets(self, offset: int = 0, limit: int = 100, *, offered_only: bool = False) -> list[Dataset]:
        query = self._dataset_query()
        if offered_only:
            query = query.where(self._offered())
        rows = await self.conn.execute(
            query.order_by(t.datasets.c.created_at, t.datasets.c.id).offset(offset).limit(limit)
        )
        return [self._dataset(r) for r in rows]

    async def count_datasets(self, *, offered_only: bool = False) -> int:
        query = sa.select(sa.func.count()).select_from(t.datasets)
        if offered_only:
            query = query.where(self._offered())
        return int((await self.conn.execute(query)).scalar_one())

    async def catalog_entries(self, offset: int = 0, limit: int | None = None) -> list[CatalogEntry]:
        """Offered datasets (a page, or all) with their offers, in one query that reads only what a catalog shows."""
        d, o = t.datasets.c, t.offers.c
        page = sa.select(d.id, d.created_at).where(self._offered()).order_by(d.created_at, d.id).offset(offset)
        listed = (page if limit is None else page.limit(limit)).subquery()
        rows = await self.conn.execute(
            sa.select(d.id, d.title, d.description, o.id, sa.cast(o.policy, sa.Text), sa.cast(o.access_policy, sa.Text))
            .join(listed, listed.c.id == d.id)
            .join(t.offers, o.dataset_id == d.id)
            .order_by(listed.c.created_at, d.id, o.created_at, o.id)
        )
        entries: list[CatalogEntry] = []
        for dataset_id, title, description, offer_id, policy, access in rows:
            if not entries or entries[-1].dataset_id != dataset_id:
                entries.append(CatalogEntry(dataset_id, title, description, []))
            # Read as text and decoded here: SQLAlchemy's per-value JSON processing costs more than the decoding.
            entries[-1].offers.append((offer_id, orjson.loads(policy), orjson.loads(access) if access else None))
        return entries

    async def catalog_revision(self) -> int:
        return int((await self.conn.execute(_REVISION)).scalar_one())

    async def bump_catalog_revision(self) -> None:
        await self.conn.execute(_BUMP_REVISION)

    async def add_offer(self, offer: Offer) -> None:
        await self.conn.execute(t.offers.insert().values(**_values(offer)))

    async def get_offer(self, offer_id: str) -> Offer | None:
        row = await self._one(sa.select(t.offers).where(t.offers.c.id == offer_id))
        return None if row is None else _record(Offer, row)

    async def offers_for(self, dataset_ids: Sequence[str]) -> dict[str, list[Offer]]:
        found: dict[str, list[Offer]] = {d: [] for d in dataset_ids}
        if not dataset_ids:
            return found
        rows = await self.conn.execute(
            sa.select(t.offers).where(t.offers.c.dataset_id.in_(list(dataset_ids))).order_by(t.offers.c.created_at)
        )
        for row in rows:
            offer = _record(Offer, row)
            found[offer.dataset_id].append(offer)
        return found

    async def list_offers(self) -> list[Offer]:
        rows = await self.conn.execute(sa.select(t.offers).order_by(t.offers.c.created_at))
        return [_record(Offer, r) for r in rows]

    # negotiations and agreements ------------------------------------------------------------------
    async def add_negotiation(self, negotiation: Negotiation) -> None:
        await self._insert(_NEGOTIATIONS, negotiation)

    async def get_negotiation(self, negotiation_id: str, *, for_update: bool = False) -> Negotiation | None:
        return await self._get(_NEGOTIATIONS, Negotiation, negotiation_id, for_update)

    async def find_negotiation(self, role: str, consumer_pid: str, counterparty: str) -> Negotiation | None:
        n = t.negotiations.c
        row = await self._one(
            sa.select(t.negotiations).where(
                n.role == role, n.consumer_pid == consumer_pid, n.counterparty == counterparty
            )
        )
        return None if row is None else _record(Negotiation, row)

    async def save_negotiation(self, negotiation: Negotiation) -> None:
        await self._save(_NEGOTIATIONS, negotiation)

    async def list_negotiations(self, offset: int = 0, limit: int = 100) -> list[Negotiation]:
        rows = await self.conn.execute(
            sa.select(t.negotiations).order_by(t.negotiations.c.created_at.desc()).offset(offset).limit(limit)
        )
        return [_record(Negotiation, r) for r in rows]

    async def add_agreement(self, agreement: Agreement) -> None:
        await self._insert(_AGREEMENTS, agreement)

    async def get_agreement(self, agreement_id: str, *, for_update: bool = False) -> Agreement | None:
        return await self._get(_AGREEMENTS, Agreement, agreement_id, for_update)

    async def save_agreement(self, agreement: Agreement) -> None:
        await self._save(_AGREEMENTS, agreement)

    async def list_agreements(self, offset: int = 0, limit: int = 100) -> list[Agreement]:
        rows = await self.conn.execute(
            sa.select(t.agreements).order_by(t.agreements.c.created_at.desc()).offset(offset).limit(limit)
        )
        return [_record(Agreement, r) for r in rows]

    # portal users --------------------------------------------------------------------------------
    async def add_user(self, user: User) -> None:
        await self.conn.execute(t.users.insert().values(**_values(user)))

    async def get_user(self, name: str) -> User | None:
        row = (await self.conn.execute(sa.select(t.users).where(t.users.c.name == name))).first()
        return None if row is None else _record(User, row)

    async def list_users(self) -> list[User]:
        return [_record(User, r) for r in await self.conn.execute(sa.select(t.users).order_by(t.users.c.name))]

    # the audit log ---------------------------------------------------------------------------------
    async def append_log(self, entries: Sequence[LogEntry]) -> None:
        if entries:
            await self.conn.execute(t.audit_entries.insert(), [_values(e) for e in entries])

    async def log_entries(
        self,
        offset: int = 0,
        limit: int | None = None,
        *,
        agreement_or_process: Sequence[str] = (),
        counterparty: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        newest_first: bool = False,
    ) -> list[LogEntry]:
        e = t.audit_entries
        query = sa.select(e).order_by(e.c.index.desc() if newest_first else e.c.index)
        if kind is not None:
            query = query.where(e.c.kind == kind)
        if agreement_or_process:
            query = query.where(
                sa.or_(e.c.agreement_id.in_(agreement_or_process), e.c.process_id.in_(agreement_or_process))
            )
        if counterparty is not None:
            query = query.where(e.c.counterparty == counterparty)
        if since is not None:
            query = query.where(e.c.at >= since)
        if until is not None:
            query = query.where(e.c.at < until)
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [_record(LogEntry, r) for r in await self.conn.execute(query)]

    async def log_leaves(self, size: int | None = None) -> list[str]:
        e = t.audit_entries
        query = sa.select(e.c.leaf).order_by(e.c.index)
        if size is not None:
            query = query.limit(size)
        return [r[0] for r in await self.conn.execute(query)]

    async def log_size(self) -> int:
        found = (await self.conn.execute(sa.select(sa.func.max(t.audit_entries.c.index)))).scalar()
        return 0 if found is None else int(found) + 1

    def _insert_new(self, table: sa.Table) -> Any:
        """INSERT … ON CONFLICT DO NOTHING: concurrent writers of the same row (two heads of one size) both succeed."""
        if self.conn.dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    async def add_head(self, size: int, head: dict[str, Any], at: datetime) -> None:
        await self.conn.execute(self._insert_new(t.audit_heads).values(size=size, head=head, at=at))

    async def log_heads(self) -> list[dict[str, Any]]:
        rows = await self.conn.execute(sa.select(t.audit_heads.c.head).order_by(t.audit_heads.c.size))
        return [r[0] for r in rows]

    async def add_witnessed(self, participant: str, size: int, root: str, head: dict[str, Any], at: datetime) -> bool:
        inserted = await self.conn.execute(
            self._insert_new(t.audit_witnessed)
            .values(participant=participant, size=size, root=root, head=head, received_at=at)
            .returning(t.audit_witnessed.c.size)
        )
        return inserted.first() is not None

    async def witnessed(self, participant: str | None = None) -> list[dict[str, Any]]:
        w = t.audit_witnessed
        query = sa.select(w.c.head).order_by(w.c.participant, w.c.size)
        if participant is not None:
            query = query.where(w.c.participant == participant)
        return [r[0] for r in await self.conn.execute(query)]

    # transfers ------------------------------------------------------------------------------------
    async def add_transfer(self, transfer: Transfer) -> None:
        await self._insert(_TRANSFERS, transfer)

    async def get_transfer(self, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
        return await self._get(_TRANSFERS, Transfer, transfer_id, for_update)

    async def find_transfer(self, role: str, consumer_pid: str, counterparty: str) -> Transfer | None:
        c = t.transfers.c
        row = await self._one(
            sa.select(t.transfers).where(c.role == role, c.consumer_pid == consumer_pid, c.counterparty == counterparty)
        )
        return None if row is None else _record(Transfer, row)

    async def save_transfer(self, transfer: Transfer) -> None:
        await self._save(_TRANSFERS, transfer)

    async def transfers_for(self, agreement_id: str) -> list[Transfer]:
        rows = await self.conn.execute(
            sa.select(t.transfers).where(t.transfers.c.agreement_id == agreement_id).order_by(t.transfers.c.created_at)
        )
        return [_record(Transfer, r) for r in rows]

    async def list_transfers(self, offset: int = 0, limit: int = 100) -> list[Transfer]:
        rows = await self.conn.execute(
            sa.select(t.transfers).order_by(t.transfers.c.created_at.desc()).offset(offset).limit(limit)
        )
        return [_record(Transfer, r) for r in rows]

    # outbox ---------------------------------------------------------------------------------------
    async def enqueue(self, message: OutboxMessage) -> None:
        await self._insert(_OUTBOX, message, seq=next(_seq))

    async def due_messages(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        o = t.outbox.c
        rows = await self.conn.execute(
            sa.select(t.outbox).where(o.status == "pending", o.next_attempt_at <= now).order_by(o.seq).limit(limit)
        )
        return [_record(OutboxMessage, r) for r in rows]

    async def pending_messages(self, process_id: str) -> list[OutboxMessage]:
        o = t.outbox.c
        rows = await self.conn.execute(
            sa.select(t.outbox).where(o.process_id == process_id, o.status == "pending").order_by(o.seq)
        )
        return [_record(OutboxMessage, r) for r in rows]

    async def get_message(self, message_id: str, *, for_update: bool = False) -> OutboxMessage | None:
        return await self._get(_OUTBOX, OutboxMessage, message_id, for_update)

    async def save_message(self, message: OutboxMessage) -> None:
        await self._save(_OUTBOX, message)

    # replay protection ----------------------------------------------------------------------------
    async def remember_token(self, jti: str, expires_at: datetime) -> bool:
        stmt = _REMEMBER[self.conn.dialect.name]
        return (await self.conn.execute(stmt, {"jti": jti, "expires_at": expires_at})).first() is not None

    async def forget_tokens_before(self, moment: datetime) -> int:
        result = await self.conn.execute(t.seen_tokens.delete().where(t.seen_tokens.c.expires_at < moment))
        return int(result.rowcount or 0)


class SqlStore:
    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self._sqlite: sa.Engine | None = None
        self._engine: AsyncEngine | None = None
        self._connection: sa.Connection | None = None
        if self.url.startswith("sqlite"):
            self._sqlite = sqlite_engine(self.url)
            self._lock = asyncio.Lock()
        else:
            self._engine = create_async_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True, **JSON_CODEC
            )

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[SqlTx]:
        if self._sqlite is not None:
            async with self._lock:
                if self._connection is None:  # one connection for the store's life: SQLite has one writer anyway
                    self._connection = self._sqlite.connect()
                with self._connection.begin():
                    yield SqlTx(_SyncConnection(self._connection))
            return
        assert self._engine is not None
        async with self._engine.begin() as conn:
            yield SqlTx(conn)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._sqlite is not None:
            self._sqlite.dispose()
        if self._engine is not None:
            await self._engine.dispose()

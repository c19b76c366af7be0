"""Contract of the hub's store (``hub/store/``), on SQLite and on PostgreSQL (also in a context's own schema):
its own migrations beside the connector's, applications by id and by participant, credentials and their
revocation, counters, and writes that commit or roll back with the connector's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory

from sangsaeng.errors import Conflict
from sangsaeng.hub.store import migrate as hub_migrate
from sangsaeng.hub.store.members import HubRecords
from sangsaeng.hub.store.records import CredentialRecord, MemberRecord
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def member(number: int, state: str = "applied", at: datetime = T0) -> MemberRecord:
    return MemberRecord(
        id=f"urn:app:{number}",
        participant_id=f"urn:uuid:p{number}",
        name=f"회사 {number}",
        company={"name": f"회사 {number}", "ksic": ["C30"]},
        public_key={"kty": "OKP", "crv": "Ed25519", "x": "A" * 43},
        next_key=None,
        endpoint=f"http://127.0.0.1:{9000 + number}/dsp",
        data_endpoint=None,
        state=state,
        reason=None,
        applied_at=at,
        updated_at=at,
    )


def credential(jti: str, pid: str, idx: int) -> CredentialRecord:
    return CredentialRecord(jti, pid, idx, "token", T0, T0 + timedelta(days=90), False)


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-schema"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        schema = "hub_one" if request.param == "postgresql-schema" else None
    migrate.upgrade(url, schema)
    hub_migrate.upgrade(url, schema)
    hub_migrate.upgrade(url, schema)  # twice: nothing to do the second time
    made = SqlStore(url, schema=schema)
    try:
        yield made
    finally:
        await made.close()


async def test_applications_are_kept_by_id_and_participant_and_listed_oldest_first(store: SqlStore) -> None:
    async with store.begin() as tx:
        hub = HubRecords(tx.conn)
        await hub.add(member(2, at=T0 + timedelta(minutes=1)))
        await hub.add(member(1))
        await hub.add(member(3, "approved"))
    async with store.begin() as tx:
        hub = HubRecords(tx.conn)
        assert (await hub.get("urn:app:1")) == member(1)
        assert (await hub.by_participant("urn:uuid:p2", for_update=True)) == member(2, at=T0 + timedelta(minutes=1))
        assert await hub.get("urn:app:9") is None
        assert [m.id for m in await hub.listed()] == ["urn:app:1", "urn:app:3", "urn:app:2"]
        assert [m.id for m in await hub.listed(("applied",))] == ["urn:app:1", "urn:app:2"]
        changed = member(1, "approved")
        changed.reason, changed.next_key = "ok", {"kty": "OKP", "crv": "Ed25519", "x": "B" * 43}
        await hub.save(changed)
    async with store.begin() as tx:
        assert await HubRecords(tx.conn).get("urn:app:1") == changed


async def test_one_participant_applies_once(store: SqlStore) -> None:
    async with store.begin() as tx:
        await HubRecords(tx.conn).add(member(1))
    second = member(2)
    second.participant_id = "urn:uuid:p1"
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await HubRecords(tx.conn).add(second)
    async with store.begin() as tx:
        assert [m.id for m in await HubRecords(tx.conn).listed()] == ["urn:app:1"]


async def test_credentials_are_revoked_by_member_and_their_indexes_told(store: SqlStore) -> None:
    async with store.begin() as tx:
        hub = HubRecords(tx.conn)
        for jti, pid, idx in (("j1", "p1", 0), ("j2", "p1", 0), ("j3", "p2", 1), ("j4", "p1", 2)):
            await hub.add_credential(credential(jti, pid, idx))
    async with store.begin() as tx:
        hub = HubRecords(tx.conn)
        assert await hub.revoked_indexes() == []
        assert await hub.revoke_all("p1") == [0, 2]
        assert await hub.revoked_indexes() == [0, 2]
        assert [c.jti for c in await hub.credentials_of("p1")] == ["j1", "j2", "j4"]
        assert all(c.revoked for c in await hub.credentials_of("p1"))
        assert not any(c.revoked for c in await hub.credentials_of("p2"))


async def test_counters_start_at_zero_and_only_grow(store: SqlStore) -> None:
    async with store.begin() as tx:
        hub = HubRecords(tx.conn)
        assert [await hub.counter(n) for n in ("directory", "status", "index")] == [0, 0, 0]
        assert [await hub.bump("directory") for _ in range(3)] == [1, 2, 3]
    async with store.begin() as tx:
        assert await HubRecords(tx.conn).counter("directory") == 3


async def test_a_failed_transaction_keeps_none_of_the_hubs_writes(store: SqlStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            hub = HubRecords(tx.conn)
            await hub.add(member(1))
            await hub.bump("directory")
            raise RuntimeError("crash before commit")
    async with store.begin() as tx:
        hub = HubRecords(tx.conn)
        assert await hub.listed() == [] and await hub.counter("directory") == 0


async def test_the_hubs_tables_have_their_own_version_table(postgres_url: str) -> None:
    migrate.upgrade(postgres_url, "tenant_x")
    hub_migrate.upgrade(postgres_url, "tenant_x")
    with psycopg.connect(postgres_url) as conn:
        tables = {
            row[0]
            for row in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tenant_x'")
        }
        version = conn.execute('SELECT version_num FROM tenant_x."hub_alembic_version"').fetchone()
    assert {"hub_applications", "hub_credentials", "hub_counters", "hub_alembic_version", "alembic_version"} <= tables
    assert version == (ScriptDirectory(str(hub_migrate.MIGRATIONS)).get_current_head(),)

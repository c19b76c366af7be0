"""One contract for the state store, run against every adapter: SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sangsaeng.errors import Conflict
from sangsaeng.store import migrate
from sangsaeng.store.records import (
    Agreement,
    Dataset,
    DatasetVersion,
    LogEntry,
    Negotiation,
    Offer,
    OutboxMessage,
    PortalSession,
    Term,
    Transfer,
    User,
)
from sangsaeng.store.sql import SqlStore

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    migrate.upgrade(url)  # a second upgrade is a no-op
    made = SqlStore(url)
    yield made
    await made.close()


def negotiation(pid: str, consumer_pid: str = "c-1", counterparty: str = "urn:p:oem") -> Negotiation:
    return Negotiation(
        id=pid,
        role="provider",
        provider_pid=pid,
        consumer_pid=consumer_pid,
        counterparty=counterparty,
        counterparty_address="http://127.0.0.1:1/dsp",
        state="REQUESTED",
        dataset_id="urn:d:1",
        offer={"@id": "urn:o:1", "permission": [{"action": "use"}]},
        purpose="quality-analysis",
        created_at=T0,
        updated_at=T0,
    )


def message(mid: str, process: str, at: datetime) -> OutboxMessage:
    return OutboxMessage(
        id=mid,
        process_kind="negotiation",
        process_id=process,
        event="ContractAgreementMessage",
        url="http://127.0.0.1:1/dsp/x",
        audience="urn:p:oem",
        body={"@type": "X", "note": "한글"},
        next_attempt_at=at,
    )


async def test_dataset_versions_and_the_latest_one(store: SqlStore) -> None:
    async with store.begin() as tx:
        await tx.add_dataset(Dataset(id="urn:d:1", title="수입검사", description="", created_at=T0))
        for version in (1, 2):
            await tx.add_version(
                DatasetVersion(
                    "urn:d:1",
                    version,
                    f"x/v{version}.parquet",
                    [{"name": "a", "type": "int64"}],
                    version * 10,
                    100,
                    "0" * 64,
                    T0 + timedelta(minutes=version),
                )
            )
    async with store.begin() as tx:
        found = await tx.get_dataset("urn:d:1")
        assert found is not None and found.title == "수입검사"
        assert found.latest is not None and found.latest.version == 2 and found.latest.rows == 20
        assert found.created_at == T0 and found.created_at.tzinfo is not None
        assert await tx.get_dataset("urn:d:none") is None
        assert await tx.count_datasets() == 1
        assert await tx.count_datasets(offered_only=True) == 0


async def test_offers_and_offered_datasets(store: SqlStore) -> None:
    async with store.begin() as tx:
        for i in range(3):
            await tx.add_dataset(
                Dataset(id=f"urn:d:{i}", title=str(i), description="", created_at=T0 + timedelta(seconds=i))
            )
        await tx.add_offer(Offer("urn:o:a", "urn:d:1", {"permission": [{"action": "use"}]}, T0))
        await tx.add_offer(Offer("urn:o:b", "urn:d:1", {"prohibition": [{"action": "distribute"}]}, T0 + timedelta(1)))
    async with store.begin() as tx:
        offered = await tx.list_datasets(offered_only=True)
        assert [d.id for d in offered] == ["urn:d:1"]
        by_dataset = await tx.offers_for(["urn:d:0", "urn:d:1"])
        assert [o.id for o in by_dataset["urn:d:1"]] == ["urn:o:a", "urn:o:b"] and by_dataset["urn:d:0"] == []
        assert (await tx.get_offer("urn:o:b")) == Offer(
            "urn:o:b", "urn:d:1", {"prohibition": [{"action": "distribute"}]}, T0 + timedelta(1)
        )
        assert [d.id for d in await tx.list_datasets(offset=1, limit=1)] == ["urn:d:1"]


async def test_negotiations_round_trip_and_are_unique_per_consumer_process(store: SqlStore) -> None:
    async with store.begin() as tx:
        await tx.add_negotiation(negotiation("urn:n:1"))
    async with store.begin() as tx:
        stored = await tx.get_negotiation("urn:n:1", for_update=True)
        assert stored == negotiation("urn:n:1")
        stored.state, stored.agreement_id = "AGREED", "urn:a:1"
        await tx.save_negotiation(stored)
    async with store.begin() as tx:
        again = await tx.find_negotiation("provider", "c-1", "urn:p:oem")
        assert again is not None and again.state == "AGREED" and again.agreement_id == "urn:a:1"
        assert await tx.find_negotiation("provider", "c-1", "urn:p:other") is None
    with pytest.raises(Conflict):
        async with store.begin() as tx:
            await tx.add_negotiation(negotiation("urn:n:2"))  # same consumer process, same counterparty
    async with store.begin() as tx:
        await tx.add_negotiation(negotiation("urn:n:3", counterparty="urn:p:other"))
        assert len(await tx.list_negotiations()) == 2


async def test_agreements_keep_signatures_and_count_uses(store: SqlStore) -> None:
    body = {"@id": "urn:a:1", "@type": "Agreement", "permission": [{"action": "use"}], "note": "상생"}
    async with store.begin() as tx:
        await tx.add_agreement(
            Agreement(
                "urn:a:1",
                "urn:n:1",
                "urn:d:1",
                "urn:p:s",
                "urn:p:o",
                body,
                T0,
                provider_signature={"signer": "urn:p:s", "alg": "EdDSA", "value": "x"},
            )
        )
    for _ in range(3):
        async with store.begin() as tx:
            agreement = await tx.get_agreement("urn:a:1", for_update=True)
            assert agreement is not None
            agreement.uses += 1
            await tx.save_agreement(agreement)
    async with store.begin() as tx:
        final = await tx.get_agreement("urn:a:1")
    assert final is not None and final.uses == 3 and final.body == body
    assert final.provider_signature == {"signer": "urn:p:s", "alg": "EdDSA", "value": "x"}
    assert final.consumer_signature is None and final.terminated_at is None


async def test_transfers_round_trip(store: SqlStore) -> None:
    transfer = Transfer(
        "urn:t:1",
        "consumer",
        "urn:p:s",
        "http://127.0.0.1:1/dsp",
        "INITIAL",
        "urn:a:1",
        "HttpData-PULL",
        T0,
        T0,
        consumer_pid="urn:t:1",
    )
    async with store.begin() as tx:
        await tx.add_transfer(transfer)
    async with store.begin() as tx:
        stored = await tx.get_transfer("urn:t:1", for_update=True)
        assert stored == transfer
        stored.provider_pid, stored.state, stored.data_token = "urn:t:p", "STARTED", "tok"
        await tx.save_transfer(stored)
    async with store.begin() as tx:
        found = await tx.find_transfer("consumer", "urn:t:1", "urn:p:s")
        assert found is not None and found.state == "STARTED" and found.data_token == "tok"
        assert [t.id for t in await tx.list_transfers()] == ["urn:t:1"]
        assert [t.id for t in await tx.transfers_for("urn:a:1")] == ["urn:t:1"]
        assert await tx.transfers_for("urn:a:other") == []


async def test_the_outbox_returns_due_messages_in_order(store: SqlStore) -> None:
    async with store.begin() as tx:
        await tx.enqueue(message("m1", "p1", T0))
        await tx.enqueue(message("m2", "p2", T0 + timedelta(minutes=5)))
        await tx.enqueue(message("m3", "p1", T0 - timedelta(minutes=1)))
    async with store.begin() as tx:
        assert [m.id for m in await tx.due_messages(T0)] == ["m1", "m3"]
        assert [m.id for m in await tx.due_messages(T0 + timedelta(hours=1))] == ["m1", "m2", "m3"]
        assert [m.id for m in await tx.pending_messages("p1")] == ["m1", "m3"]
        sent = await tx.get_message("m1", for_update=True)
        assert sent is not None and sent.body == {"@type": "X", "note": "한글"}
        sent.status, sent.attempts = "sent", 1
        await tx.save_message(sent)
    async with store.begin() as tx:
        assert [m.id for m in await tx.due_messages(T0 + timedelta(hours=1))] == ["m2", "m3"]


async def test_token_ids_are_remembered_until_forgotten(store: SqlStore) -> None:
    async with store.begin() as tx:
        assert await tx.remember_token("jti-1", T0) is True
    async with store.begin() as tx:
        assert await tx.remember_token("jti-1", T0) is False
        assert await tx.remember_token("jti-2", T0 + timedelta(minutes=5)) is True
    async with store.begin() as tx:
        assert await tx.forget_tokens_before(T0 + timedelta(minutes=1)) == 1
        assert await tx.remember_token("jti-1", T0) is True


def portal_session(key: str, user: str, created: datetime, data: dict[str, str] | None = None) -> PortalSession:
    return PortalSession(key, user, f"csrf-{key[0]}", created, created, created + timedelta(hours=8), data or {})


async def test_portal_sessions_are_kept_by_hash_and_end_by_user_age_or_idleness(store: SqlStore) -> None:
    async with store.begin() as tx:
        for name in ("kim", "lee"):
            await tx.add_user(User(name, "argon2-hash", "steward", T0))
        await tx.add_session(portal_session("a" * 64, "kim", T0, {"flash": "offer.published"}))
        await tx.add_session(portal_session("b" * 64, "kim", T0 + timedelta(hours=1)))
        await tx.add_session(portal_session("c" * 64, "lee", T0))
    async with store.begin() as tx:
        found = await tx.get_session("a" * 64)
        assert found == portal_session("a" * 64, "kim", T0, {"flash": "offer.published"})
        assert await tx.get_session("d" * 64) is None
        await tx.save_session(PortalSession("a" * 64, "kim", "csrf-a", T0, T0 + timedelta(minutes=5), T0, {}))
    async with store.begin() as tx:
        saved = await tx.get_session("a" * 64)
        assert saved is not None and saved.last_seen_at == T0 + timedelta(minutes=5) and saved.data == {}
        assert [s.id_hash for s in await tx.sessions_of("kim")] == ["a" * 64, "b" * 64]
        assert await tx.delete_sessions("kim", keep="b" * 64) == 1
        assert [s.id_hash for s in await tx.sessions_of("kim")] == ["b" * 64]
        assert await tx.delete_session("b" * 64) is True
        assert await tx.delete_session("b" * 64) is False
        await tx.add_session(portal_session("e" * 64, "kim", T0 + timedelta(hours=2)))
    async with store.begin() as tx:  # lee's is idle since T0; kim's is fresh
        assert await tx.forget_sessions(T0 + timedelta(hours=3), idle_since=T0 + timedelta(minutes=30)) == 1
        assert [s.id_hash for s in await tx.sessions_of("lee")] == []
    async with store.begin() as tx:  # past its absolute end, however recently used
        assert await tx.forget_sessions(T0 + timedelta(hours=10), idle_since=T0) == 1
        await tx.set_password_hash("kim", "another-hash")
        user = await tx.get_user("kim")
        assert user is not None and user.password_hash == "another-hash"


async def test_failed_sign_ins_are_counted_by_subject_and_window(store: SqlStore) -> None:
    async with store.begin() as tx:
        for minute in (0, 5, 10):
            await tx.add_login_failure("address", "10.0.0.1", T0 + timedelta(minutes=minute))
        await tx.add_login_failure("account", "10.0.0.1", T0)  # the same subject in another scope
        await tx.add_login_failure("account", "김민준", T0)
    async with store.begin() as tx:
        assert await tx.login_failures("address", "10.0.0.1") == [T0 + timedelta(minutes=m) for m in (0, 5, 10)]
        assert await tx.login_failures("address", "10.0.0.1", since=T0 + timedelta(minutes=5)) == [
            T0 + timedelta(minutes=m) for m in (5, 10)
        ]
        assert await tx.login_failures("account", "김민준") == [T0]
        assert await tx.login_failures("address", "10.0.0.2") == []
        assert await tx.forget_login_failures("address", T0 + timedelta(minutes=6)) == 2
        assert await tx.clear_login_failures("account", "10.0.0.1") == 1
    async with store.begin() as tx:
        assert await tx.login_failures("address", "10.0.0.1") == [T0 + timedelta(minutes=10)]
        assert await tx.login_failures("account", "10.0.0.1") == []
        assert await tx.login_failures("account", "김민준") == [T0]


async def test_a_failed_transaction_leaves_nothing(store: SqlStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.begin() as tx:
            await tx.add_negotiation(negotiation("urn:n:1"))
            await tx.enqueue(message("m1", "urn:n:1", T0))
            raise RuntimeError("crash between the two writes")
    async with store.begin() as tx:
        assert await tx.get_negotiation("urn:n:1") is None
        assert await tx.pending_messages("urn:n:1") == []


async def test_catalog_entries_page_through_offered_datasets_with_all_their_offers(store: SqlStore) -> None:
    async with store.begin() as tx:
        for i in range(4):
            await tx.add_dataset(Dataset(f"urn:d:{i}", f"검사 {i}", "d", T0 + timedelta(seconds=i)))
        for i, offer in enumerate(["a", "b", "c"]):
            dataset = "urn:d:1" if offer != "c" else "urn:d:3"
            await tx.add_offer(
                Offer(f"urn:o:{offer}", dataset, {"permission": [{"action": "use"}], "n": i}, T0 + timedelta(i))
            )
    async with store.begin() as tx:
        first = await tx.catalog_entries(0, 1)
        second = await tx.catalog_entries(1, 5)
    assert [(e.dataset_id, e.title, [o for o, _, _ in e.offers]) for e in first] == [
        ("urn:d:1", "검사 1", ["urn:o:a", "urn:o:b"])
    ]
    assert [(e.dataset_id, [o for o, _, _ in e.offers]) for e in second] == [("urn:d:3", ["urn:o:c"])]
    assert first[0].offers[1][1] == {"permission": [{"action": "use"}], "n": 1}


async def test_an_offer_keeps_its_access_policy_and_the_whole_catalog_lists_it(store: SqlStore) -> None:
    access = {
        "permission": [
            {"action": "use", "constraint": [{"leftOperand": "tier", "operator": "eq", "rightOperand": "tier1"}]}
        ]
    }
    async with store.begin() as tx:
        for i in range(3):
            await tx.add_dataset(Dataset(f"urn:d:{i}", str(i), "", T0 + timedelta(seconds=i)))
            await tx.add_offer(Offer(f"urn:o:{i}", f"urn:d:{i}", {"permission": [{"action": "use"}]}, T0))
        await tx.add_offer(Offer("urn:o:x", "urn:d:2", {"permission": [{"action": "use"}]}, T0, access))
    async with store.begin() as tx:
        assert (await tx.get_offer("urn:o:x")) == Offer(
            "urn:o:x", "urn:d:2", {"permission": [{"action": "use"}]}, T0, access
        )
        assert (await tx.get_offer("urn:o:0")).access_policy is None  # type: ignore[union-attr]
        assert [o.access_policy for o in await tx.list_offers() if o.id == "urn:o:x"] == [access]
        everything = await tx.catalog_entries()
    assert [e.dataset_id for e in everything] == ["urn:d:0", "urn:d:1", "urn:d:2"]
    assert [(o, a) for o, _, a in everything[2].offers] == [("urn:o:2", None), ("urn:o:x", access)]


async def test_the_catalog_revision_only_grows(store: SqlStore) -> None:
    async with store.begin() as tx:
        first = await tx.catalog_revision()
        await tx.bump_catalog_revision()
        await tx.bump_catalog_revision()
    async with store.begin() as tx:
        assert await tx.catalog_revision() == first + 2


def test_the_migrations_create_exactly_the_tables_the_code_uses(tmp_path: Path, postgres_url: str) -> None:
    """Alembic's autogenerate compares the migrated schema with ``tables.py``: any difference fails."""
    from alembic import command

    for url in (f"sqlite:///{tmp_path / 'check.db'}", postgres_url):
        migrate.upgrade(url)
        command.check(migrate.alembic_config(url))


async def test_the_audit_log_appends_reads_and_keeps_heads(store: SqlStore) -> None:
    now = datetime.now(UTC)
    rows = [
        LogEntry(index=i, entry=f'{{"i":{i}}}', leaf=f"{i:064x}", at=now, kind="k", agreement_id="a" if i % 2 else None)
        for i in range(5)
    ]
    async with store.begin() as tx:
        await tx.append_log(rows[:3])
        await tx.append_log(rows[3:])
        await tx.add_head(5, {"size": 5}, now)
        await tx.add_head(5, {"size": 5, "again": True}, now)  # one head a size
    async with store.begin() as tx:
        assert await tx.log_size() == 5
        assert await tx.log_leaves(3) == [r.leaf for r in rows[:3]]
        assert [e.index for e in await tx.log_entries(agreement_or_process=["a"])] == [1, 3]
        assert [e.index for e in await tx.log_entries(1, 2)] == [1, 2]
        assert [e.index for e in await tx.log_entries(0, 2, newest_first=True)] == [4, 3]
        assert await tx.log_entries(kind="other") == [] and len(await tx.log_entries(kind="k")) == 5
        assert await tx.log_heads() == [{"size": 5}]
        assert await tx.add_witnessed("p", 3, "r" * 64, {"size": 3}, now)
        assert not await tx.add_witnessed("p", 3, "r" * 64, {"size": 3}, now)  # kept once
        assert await tx.witnessed("p") == [{"size": 3}] and await tx.witnessed("q") == []
    with pytest.raises(Conflict):  # an index is written once: a second writer must catch up, not overwrite
        async with store.begin() as tx:
            await tx.append_log([rows[4]])


async def test_one_counted_try_can_be_taken_back(store: SqlStore) -> None:
    """A sign-in is counted before it is judged and taken back if refused unchecked or right (portal.sessions)."""
    async with store.begin() as tx:
        first = await tx.add_login_failure("address", "10.0.0.9", T0)
        second = await tx.add_login_failure("address", "10.0.0.9", T0)  # the same moment: only the id tells them
        assert first != second
    async with store.begin() as tx:
        await tx.drop_login_failure(second)
        assert await tx.login_failures("address", "10.0.0.9") == [T0]


async def test_declared_terms_are_remembered_per_kind_and_field_and_a_second_declaration_replaces(
    store: SqlStore,
) -> None:
    later = T0 + timedelta(days=3)
    async with store.begin() as tx:
        await tx.declare_term(Term("unit", "", "Hs", "HS", "kim", T0))
        await tx.declare_term(Term("code", "quality_result.disposition", "재검", "reinspect", "kim", T0))
        await tx.declare_term(Term("code", "energy_record.carrier", "재검", "other", "lee", T0))  # another field
    async with store.begin() as tx:
        await tx.declare_term(Term("code", "quality_result.disposition", "재검", "rework", "park", later))
    async with store.begin() as tx:
        assert await tx.terms() == [
            Term("code", "energy_record.carrier", "재검", "other", "lee", T0),
            Term("code", "quality_result.disposition", "재검", "rework", "park", later),
            Term("unit", "", "Hs", "HS", "kim", T0),
        ]
        assert [t.written for t in await tx.terms("unit")] == ["Hs"]
        assert [t.meaning for t in await tx.terms("code", "quality_result.disposition")] == ["rework"]
        assert await tx.forget_term("unit", "", "Hs") is True
        assert await tx.forget_term("unit", "", "Hs") is False
        assert [t.kind for t in await tx.terms()] == ["code", "code"]

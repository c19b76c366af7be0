"""The hub's crawl: members down, slow, answering garbage or too much fail alone, the index keeps what it had for
them and says when each was last seen; unchanged members cost a 304 and no re-indexing; a member that failed is
asked again only after a backoff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest

from sangsaeng.hub.catalog.crawl import Crawler, CrawlSettings, Fetched, peer_fetch
from sangsaeng.hub.catalog.index import SqliteIndex
from sangsaeng.hub.catalog.model import Entry, Filters, Hit, Member, MemberState
from sangsaeng.hub.catalog.pgindex import PostgresIndex
from sangsaeng.hub.catalog.text import Term, terms
from sangsaeng.hub.service.hub import INDEX_FILE, index_of
from sangsaeng.hub.store import migrate
from sangsaeng.settings import Settings
from tests.helpers import SAMPLE_CSV, dataspace, publish
from tests.hub_indexes import Index, index_for

pytestmark = pytest.mark.anyio


class FakeClock:
    """A time that stands still until the test moves it."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


Behaviour = Callable[[str | None], Awaitable[Fetched]]


def member(name: str) -> Member:
    return Member(f"urn:p:{name}", name.title(), f"http://{name}/dsp")


def catalog_of(name: str, *titles: str) -> dict[str, Any]:
    datasets = [
        {"@id": f"{name}-{i}", "title": t, "hasPolicy": [{"@id": f"{name}-{i}:o", "permission": [{"action": "use"}]}]}
        for i, t in enumerate(titles)
    ]
    return {"@type": "Catalog", "participantId": f"urn:p:{name}", "dataset": datasets}


class CountingIndex:
    """Counts how often a member's entries are written (re-indexing), beside the index's own behaviour."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.replaced: list[str] = []

    def replace(self, member: Member, entries: Sequence[Entry], state: MemberState) -> None:
        self.replaced.append(member.id)
        self.index.replace(member, entries, state)

    def save_state(self, state: MemberState) -> None:
        self.index.save_state(state)

    def forget(self, member_ids: Iterable[str]) -> None:
        self.index.forget(member_ids)

    def states(self) -> dict[str, MemberState]:
        return self.index.states()

    def members(self) -> dict[str, Member]:
        return self.index.members()

    def search(self, terms: Sequence[Term], filters: Filters, limit: int) -> list[Hit]:
        return self.index.search(terms, filters, limit)

    def count(self) -> int:
        return self.index.count()

    def entries_of(self, member_id: str) -> list[Entry]:
        return self.index.entries_of(member_id)


@pytest.fixture(params=["sqlite", "postgres"])
def plain(request: pytest.FixtureRequest) -> Iterator[Index]:
    """An empty index on each adapter: the crawl's tests give the same answers on each."""
    with index_for(request) as made:
        yield made


@pytest.fixture
def index(plain: Index) -> CountingIndex:
    return CountingIndex(plain)


class Members:
    """In-process fake members: each answers as the test says, and counts the requests it got."""

    def __init__(self) -> None:
        self.behaviour: dict[str, Behaviour] = {}
        self.asked: dict[str, list[str | None]] = {}
        self.list: list[Member] = []

    def add(self, name: str, behaviour: Behaviour) -> None:
        self.list.append(member(name))
        self.behaviour[f"urn:p:{name}"] = behaviour

    async def fetch(self, m: Member, tag: str | None) -> Fetched:
        self.asked.setdefault(m.id, []).append(tag)
        return await self.behaviour[m.id](tag)


def serving(catalog: Callable[[], dict[str, Any]], tagged: bool = True) -> Behaviour:
    """A well-behaved member: answers its catalog, or 304 when the tag is that of the catalog now."""

    async def answer(tag: str | None) -> Fetched:
        current = catalog()
        now_tag = f'"{len(str(current))}-{hash(str(current))}"' if tagged else None
        if tagged and tag == now_tag:
            return Fetched(None, tag)
        return Fetched(current, now_tag)

    return answer


def titles(index: CountingIndex, q: str) -> list[str]:
    return sorted(h.title for h in index.search(terms(q), Filters(), 100))


async def down(tag: str | None) -> Fetched:
    raise ConnectionError("no route to host")


async def slow(tag: str | None) -> Fetched:
    await anyio.sleep(30)
    raise AssertionError("the crawl should have given up")


def answering(value: Any) -> Behaviour:
    async def answer(tag: str | None) -> Fetched:
        return Fetched(value, None)

    return answer


async def test_members_down_slow_or_garbage_fail_alone_and_the_index_keeps_what_it_had(index: CountingIndex) -> None:
    clock, members = FakeClock(), Members()
    state = {name: catalog_of(name, f"{name} 수입검사 기록") for name in ("good", "flaky", "garbage", "huge", "other")}
    for name in state:
        members.add(name, serving(lambda name=name: state[name]))  # type: ignore[misc]
    settings = CrawlSettings(timeout=0.3, backoff=60, max_datasets=50)
    crawler = Crawler(lambda: members.list, members.fetch, index, clock, settings)
    first = await crawler.crawl()
    assert sorted(first.indexed) == sorted(m.id for m in members.list)
    assert len(titles(index, "수입검사")) == 5
    seen_first = index.states()["urn:p:flaky"].last_seen

    # Now: one member is down, one slow, one answers garbage, one too much; one changed its catalog.
    members.behaviour["urn:p:flaky"] = down
    members.behaviour["urn:p:other"] = slow
    members.behaviour["urn:p:garbage"] = answering({"participantId": "urn:p:garbage", "dataset": "not a list"})
    members.behaviour["urn:p:huge"] = answering(catalog_of("huge", *["x"] * 51))
    state["good"] = catalog_of("good", "good 수입검사 기록", "good 출하검사 기록")
    clock.advance(seconds=10)
    began = anyio.current_time()
    second = await crawler.crawl()
    assert anyio.current_time() - began < 5, "a slow member is given up on after its timeout"
    assert second.indexed == ["urn:p:good"]
    assert sorted(second.failed) == ["urn:p:flaky", "urn:p:garbage", "urn:p:huge", "urn:p:other"]
    # Every failing member's datasets are still found, as they were.
    assert len(titles(index, "수입검사")) == 5 and titles(index, "출하검사") == ["good 출하검사 기록"]
    states = index.states()
    assert states["urn:p:flaky"].last_seen == seen_first  # when it was last seen, not now
    assert "no route to host" in (states["urn:p:flaky"].last_error or "")
    assert "within 0.3 s" in (states["urn:p:other"].last_error or "")
    assert "not a list" in (states["urn:p:garbage"].last_error or "")
    assert "51 datasets" in (states["urn:p:huge"].last_error or "")
    assert states["urn:p:good"].last_error is None and states["urn:p:good"].last_seen == clock.now().timestamp()


async def test_a_failed_member_is_asked_again_only_after_a_doubling_backoff(index: CountingIndex) -> None:
    clock, members = FakeClock(), Members()
    members.add("flaky", down)
    crawler = Crawler(lambda: members.list, members.fetch, index, clock, CrawlSettings(backoff=60, backoff_cap=200))
    waits = []
    for _ in range(4):
        report = await crawler.crawl()
        assert report.failed == ["urn:p:flaky"]
        state = index.states()["urn:p:flaky"]
        waits.append(state.next_try - clock.now().timestamp())
        assert (await crawler.crawl()).waiting == ["urn:p:flaky"]  # not asked during its backoff
        clock.advance(seconds=waits[-1])
    assert waits == [60, 120, 200, 200]  # doubled, capped
    assert len(members.asked["urn:p:flaky"]) == 4
    members.behaviour["urn:p:flaky"] = answering(catalog_of("flaky", "돌아온 데이터"))
    assert (await crawler.crawl()).indexed == ["urn:p:flaky"]
    assert index.states()["urn:p:flaky"].failures == 0 and titles(index, "돌아온") == ["돌아온 데이터"]


async def test_an_unchanged_member_costs_a_304_and_no_reindexing(index: CountingIndex) -> None:
    clock, members = FakeClock(), Members()
    catalogs = {f"m{i}": catalog_of(f"m{i}", f"검사 {i}") for i in range(20)}
    for name in catalogs:
        members.add(name, serving(lambda name=name: catalogs[name]))  # type: ignore[misc]
    members.add("untagged", serving(lambda: catalog_of("untagged", "태그 없음"), tagged=False))
    crawler = Crawler(lambda: members.list, members.fetch, index, clock)
    await crawler.crawl()
    assert len(index.replaced) == 21
    catalogs["m3"] = catalog_of("m3", "검사 3", "새 검사")
    again = await crawler.crawl()
    assert index.replaced[21:] == ["urn:p:m3"], "only the member that changed is indexed again"
    assert sorted(again.unchanged) == sorted(m.id for m in members.list if m.id != "urn:p:m3")
    assert all(tags[-1] is not None for i, tags in members.asked.items() if i != "urn:p:untagged")
    # A member without tags is read whole, and its unchanged content (same digest) is not indexed again.
    assert "urn:p:untagged" in again.unchanged


async def test_a_member_that_leaves_is_forgotten_and_a_changed_directory_entry_reindexes(index: CountingIndex) -> None:
    clock, members = FakeClock(), Members()
    members.add("a", serving(lambda: catalog_of("a", "가공 데이터")))
    members.add("b", serving(lambda: catalog_of("b", "가공 기록")))
    crawler = Crawler(lambda: members.list, members.fetch, index, clock)
    await crawler.crawl()
    members.list = [Member("urn:p:a", "A", "http://a/dsp", tier=("tier1",))]
    report = await crawler.crawl()
    assert report.forgotten == ["urn:p:b"] and titles(index, "가공") == ["가공 데이터"]
    assert report.indexed == ["urn:p:a"]  # its tier changed: indexed afresh, so the filter finds it
    assert [h.dataset_id for h in index.search([], Filters(tier="tier1"), 10)] == ["a-0"]


async def test_the_hub_crawls_real_connectors_with_its_own_identity(tmp_path: Path, index: CountingIndex) -> None:
    async with dataspace(tmp_path, ["supplier", "hub"]) as space:
        supplier, hub = space.parties["supplier"], space.parties["hub"]
        listed, _ = await publish(supplier, SAMPLE_CSV, {"permission": [{"action": "use"}]})
        hidden, _ = await publish(supplier, SAMPLE_CSV, {"permission": [{"action": "use"}]})
        await supplier.api.patch(f"/api/datasets/{hidden}", json={"listedAtHub": False})
        endpoint = supplier.settings.protocol_url
        crawler = Crawler(
            lambda: [Member(supplier.id, "Supplier", endpoint)], peer_fetch(hub.connector), index, hub.clock
        )
        assert (await crawler.crawl()).indexed == [supplier.id]
        assert [h.dataset_id for h in index.search(terms("inspections"), Filters(), 10)] == [listed]
        state = index.states()[supplier.id]
        assert state.unlisted == 1 and state.tag
        asked = len(space.router.received)
        assert (await crawler.crawl()).unchanged == [supplier.id]
        assert len(space.router.received) == asked, "the 304 carried no catalog"
        assert index.replaced == [supplier.id]
        space.router.down.add(httpx_host(endpoint))
        report = await crawler.crawl()
        assert report.failed == [supplier.id]
        assert "could not be reached" in (index.states()[supplier.id].last_error or "")
        assert [h.dataset_id for h in index.search(terms("inspections"), Filters(), 10)] == [listed]


def httpx_host(url: str) -> str:
    import httpx

    return httpx.URL(url).netloc.decode()


def test_an_entry_says_its_entity_in_both_languages() -> None:
    words = Entry("p", "d", "t", entity="energy_record").entity_words()
    assert words == ("energy record", "에너지 사용량", "Energy use")


def test_the_hub_keeps_its_index_beside_its_state(tmp_path: Path, postgres_url: str) -> None:
    on_sqlite = index_of(Settings(data_dir=tmp_path))
    on_sqlite.close()
    assert isinstance(on_sqlite, SqliteIndex) and (tmp_path / INDEX_FILE).exists()
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, state_schema="hub_one")
    migrate.upgrade(settings.state_url, settings.state_schema)
    on_postgres = index_of(settings)
    try:
        assert isinstance(on_postgres, PostgresIndex)
        on_postgres.replace(member("a"), [Entry("urn:p:a", "a-0", "가공 데이터")], MemberState("urn:p:a"))
    finally:
        on_postgres.close()
    with psycopg.connect(postgres_url) as db:  # in the hub's schema, where its state is
        assert db.execute("SELECT dataset_id FROM hub_one.hub_catalog_entries").fetchall() == [("a-0",)]

"""Contract of the experts' store (``support/store/experts.py``), on SQLite and on PostgreSQL (also in a context's
own schema): its migration creates exactly the tables declared, experts and programs kept and listed (retired
apart), cases searched by Korean and English words and filtered, requests by member, state and expert, and writes
that commit or roll back with the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from sangsaeng.hub.members.ksic import Named
from sangsaeng.store.sql import SqlStore
from sangsaeng.support.experts.model import (
    Availability,
    Case,
    CaseFacts,
    Contact,
    Eligibility,
    Expert,
    ExpertFacts,
    ExpertRequest,
    Funding,
    Program,
    ProgramFacts,
    Result,
)
from sangsaeng.support.experts.search import needles, searchable
from sangsaeng.support.store import experts as tables
from sangsaeng.support.store.experts import ExpertsRecords, records_of
from tests.support_stores import PLACES, Migrated, declared_differences, migrated

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CONTACT = Contact("김담당", "kim@example.co.kr", None)
OURS = {t.name for t in (tables.experts, tables.programs, tables.cases, tables.requests)}


@pytest.fixture(params=PLACES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Migrated]:
    async with migrated(request, tmp_path) as found:
        yield found


def expert(number: int, name: str, retired: datetime | None = None) -> Expert:
    facts = ExpertFacts(
        name=name,
        organisation="센터",
        sectors=("C30", "C2912"),
        regions=("KR-48",),
        skills=("mes", "erp"),
        languages=("ko", "en"),
        availability=Availability("busy", date(2027, 1, 15)),
        contact=CONTACT,
    )
    return Expert(f"e{number}", facts, T0, T0, retired)


def program(number: int, name: str, retired: datetime | None = None) -> Program:
    facts = ProgramFacts(
        name=Named(name, f"Program {number}"),
        agency=Named("중소벤처기업부", "Ministry of SMEs and Startups"),
        eligibility=Eligibility(("sme",), ("C30",), ("KR-48", "KR-26"), 2, 4),
        funding=Funding(share_percent=50, cap_krw=10**11),
        deadline=date(2027, 3, 31),
        link="https://example.go.kr/",
    )
    return Program(f"p{number}", facts, T0, T0, retired)


def case(number: int, title: dict[str, str], sector: str = "C30", before: int = 2, owner: str = "urn:a") -> Case:
    languages = tuple(title)
    facts = CaseFacts(
        title=title,
        company=None,
        sector=sector,
        level_before=before,
        level_after=before + 1,
        problem={k: "검사 인력 부족" if k == "ko" else "Too few inspectors" for k in languages},
        done={k: "머신비전" if k == "ko" else "Machine vision" for k in languages},
        results=(Result({k: "불량" for k in languages}, 1200.0, 400.5, "ppm"),),
        technologies=("OPC UA",),
        contact=CONTACT,
    )
    return Case(f"c{number}", owner, "한빛정밀", facts, "published", T0 + timedelta(minutes=number), T0)


async def test_the_migration_creates_exactly_the_tables_declared(store: Migrated) -> None:
    _, url, schema = store
    differences, made, _ = declared_differences(url, schema, OURS)
    assert differences == []
    assert OURS <= made


async def test_experts_and_programs_are_kept_whole_and_listed_by_name_retired_apart(
    store: tuple[SqlStore, str, str | None],
) -> None:
    made, _, _ = store
    async with made.begin() as tx:
        records = records_of(tx)
        for item in (expert(1, "최"), expert(2, "강"), expert(3, "박", retired=T0)):
            await records.add_expert(item)
        for item in (program(1, "하"), program(2, "가", retired=T0)):
            await records.add_program(item)
    async with made.begin() as tx:
        records = records_of(tx)
        assert await records.expert("e1", for_update=True) == expert(1, "최")
        assert await records.expert("nope") is None
        assert [e.id for e in await records.experts()] == ["e2", "e1"]
        assert [e.id for e in await records.experts(retired=True, limit=2, offset=1)] == ["e3", "e1"]  # 강 박 최
        assert await records.program("p1") == program(1, "하")
        assert [p.id for p in await records.programs()] == ["p1"]
        assert [p.id for p in await records.programs(retired=True)] == ["p2", "p1"]
        moved = replace(expert(1, "최"), facts=replace(expert(1, "최").facts, availability=Availability("available")))
        await records.save_expert(moved)
    async with made.begin() as tx:
        found = await records_of(tx).expert("e1")
        assert found is not None and found.facts.availability == Availability("available")


async def test_cases_are_found_by_korean_and_english_words_and_filtered(
    store: tuple[SqlStore, str, str | None],
) -> None:
    made, _, _ = store
    items = [
        case(1, {"ko": "수입검사자동화"}),
        case(2, {"en": "Vision inspection 100%_done"}, sector="C2912", before=3),
        case(3, {"ko": "설비 예지보전", "en": "Predictive maintenance"}, sector="C"),
    ]
    async with made.begin() as tx:
        records = records_of(tx)
        for item in items:
            await records.add_case(item, searchable(item.facts, item.company))

    async def found(query: str = "", **filters: object) -> list[str]:
        async with made.begin() as tx:
            return [c.id for c in await records_of(tx).search_cases(needles(query), **filters)]  # type: ignore[arg-type]

    assert await found("검사") == ["c3", "c1"]  # newest first; c3's problem says 검사, c2's texts are English only
    assert await found("수입검사 자동화") == ["c1"]
    assert await found("입검사결") == []
    assert await found("insp") == ["c3", "c2"]  # Inspection, inspectors: words it begins
    assert await found("100") == ["c2"] and await found("%") == ["c3", "c2", "c1"]  # no wildcard from a query
    assert await found("예") == ["c3"]  # one syllable
    assert await found("자동차") == ["c1"]  # its sector's name
    assert await found(sector="C29") == ["c3", "c2"]  # C2912 lies within C29, and C (all manufacturing) holds it
    assert await found(sector="C30") == ["c3", "c1"]
    assert await found(level=3) == ["c2"]
    assert await found(language="en") == ["c3", "c2"]
    assert await found(limit=1, offset=1) == ["c2"]
    async with made.begin() as tx:
        records = records_of(tx)
        gone = replace(items[0], state="withdrawn")
        await records.save_case(gone, searchable(gone.facts, gone.company))
        assert await records.case("c1") == gone
        assert [c.id for c in await records.cases_of("urn:a")] == ["c3", "c2", "c1"]
    assert await found("검사") == ["c3"]


async def test_requests_are_listed_by_member_state_and_expert_newest_first(
    store: tuple[SqlStore, str, str | None],
) -> None:
    made, _, _ = store

    def request(number: int, member: str, state: str, expert_id: str = "e1") -> ExpertRequest:
        return ExpertRequest(f"r{number}", expert_id, member, "상담", state, None, T0 + timedelta(minutes=number))

    async with made.begin() as tx:
        records = records_of(tx)
        for item in (request(1, "a", "requested"), request(2, "b", "accepted"), request(3, "a", "done", "e2")):
            await records.add_request(item)
    async with made.begin() as tx:
        records = records_of(tx)
        assert [r.id for r in await records.requests()] == ["r3", "r2", "r1"]
        assert [r.id for r in await records.requests("a")] == ["r3", "r1"]
        assert [r.id for r in await records.requests("a", ("requested", "accepted"), "e1")] == ["r1"]
        stepped = replace(
            request(1, "a", "requested"), state="accepted", note="방문", decided_at=T0 + timedelta(hours=1)
        )
        await records.save_request(stepped)
    async with made.begin() as tx:
        assert await records_of(tx).request("r1", for_update=True) == stepped


async def test_writes_roll_back_with_their_transaction(store: tuple[SqlStore, str, str | None]) -> None:
    made, _, _ = store
    with pytest.raises(RuntimeError):
        async with made.begin() as tx:
            await ExpertsRecords(tx.conn).add_expert(expert(1, "최"))
            raise RuntimeError("after the write")
    async with made.begin() as tx:
        assert await records_of(tx).experts(retired=True) == []

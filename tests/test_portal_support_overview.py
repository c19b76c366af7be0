"""The member's own dashboard (``portal/support/overview.py``), in-process on connectors a hub hosts: a tenant that
trades sees its partners by name with the counts of what it shares and receives; what its customers asked of it,
with their names; its benchmark position ("not yet" until it agreed and contributed, then its band); its requests
for an expert; its level over time; the first step of its plan. Each block the hub answers stands alone: with the
hub unreachable the page still comes (200), the hub's blocks say so and the connector's own figures are shown. A
connector that joined no hub is told what joining gives and how.

Expected counts come from the trades the test makes, expected levels from the questionnaire's stated rules
(``tests/test_portal_assessment.py expected``), expected bands from the quartiles the hub published."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, publish
from tests.hosting_space import HubHosting, facts, hosting_hub, tenant_of
from tests.hub_space import HUB_URL
from tests.tenants_space import Tenant, hosted, sign_in
from tests.test_portal_assessment import Portal, at_least, expected, hosted_member, hub_of, questionnaire, text_of
from tests.test_portal_korean import Visible, english_in, english_words

pytestmark = pytest.mark.anyio

PAGE = "/portal/support"
CUSTOMER = "현대모터"


@asynccontextmanager
async def with_customer(h: HubHosting, name: str = "oem") -> AsyncIterator[Tenant]:
    """A hosted customer of the others: tier 1 of the chain whose tier 2 they are (``hosting_space.facts``)."""
    clients: list[httpx.AsyncClient] = []
    made = await h.sign_up(name, company=facts(CUSTOMER, tiers=[{"chain": "현대차", "tier": "1차"}]))
    h.space.tenants[name] = tenant_of(h.space, made, clients)
    try:
        yield h.space.tenants[name]
    finally:
        for client in clients:
            await client.aclose()


async def trade(provider: Tenant, consumer: Tenant, times: int) -> str:
    """``provider`` offers one dataset to ``consumer``, which agrees ``times`` times and keeps a copy of the data
    once; the dataset's id."""
    dataset_id, offer_id = await publish(provider, SAMPLE_CSV, offer_policy(consumer.id))  # type: ignore[arg-type]
    agreements = []
    for _ in range(times):
        final = await negotiate(consumer, provider, dataset_id, offer_id)  # type: ignore[arg-type]
        assert final["state"] == "FINALIZED", final
        agreements.append(final["agreementId"])
    refreshed = await consumer.api.post(f"/api/received/{agreements[0]}/refresh")
    assert refreshed.status_code == 200, refreshed.text
    return dataset_id


def rows(html: str, table: str) -> list[list[str]]:
    """The visible cells of each body row of the table with id ``table``."""
    found = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert found is not None, f"no table #{table}"
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def bars_of(html: str, figure: str) -> list[float]:
    found = re.search(rf'<figure class="chart" id="{figure}">(.*?)</figure>', html, re.S)
    assert found is not None, f"no chart #{figure}"
    return [float(v) for v in re.findall(r'data-value="([^"]+)"', found.group(1))]


async def test_a_tenant_that_trades_sees_its_partners_by_name_with_counts(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit", "mirae"]) as h:
        dure, hanbit, mirae = (h.space.tenants[n] for n in ("dure", "hanbit", "mirae"))
        first = await trade(dure, hanbit, 2)
        await trade(dure, mirae, 1)
        await trade(hanbit, dure, 1)
        _, portal = await hosted_member(h, "dure")
        page = await portal.get(PAGE)

        given = rows(page, "given")
        assert [(r[0], r[2], r[3]) for r in given] == [("Hanbit", "2", "2"), ("Mirae", "1", "1")]
        assert all(r[1] == "inspections" for r in given)
        assert bars_of(page, "given-chart") == [2.0, 1.0] and "Hanbit" in page.split('id="given-chart"')[1]
        offered = rows(page, "offered")
        assert [r[0] for r in offered] == ["inspections", "inspections"]
        assert all(r[2] == "허브 검색에 표시" for r in offered)

        # What it received: the agreement with Hanbit as consumer, and the copy kept here, by the partner's name.
        assert [(r[0], r[2]) for r in rows(page, "obtained")] == [("Hanbit", "1")]
        copies = rows(page, "copies")
        assert len(copies) == 1 and copies[0][1] == "Hanbit" and copies[0][3] == str(SAMPLE_CSV.count("\n") - 1)
        assert "아직 고객사의 수요 예측을 받지 않았습니다" in text_of(page, "demand-none")

        # A dataset taken off the hub's search says so.
        off = await dure.api.patch(f"/api/datasets/{first}", json={"listedAtHub": False})
        assert off.status_code == 200, off.text
        again = rows(await portal.get(PAGE), "offered")
        assert sorted(r[2] for r in again) == ["허브 검색에 표시", "허브 검색에 표시하지 않음"]

        # Nothing shows an id where a name exists.
        assert "urn:" not in Visible.text(page)


async def test_wants_addressed_to_a_supplier_appear_with_the_askers_name(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h, with_customer(h) as oem:
        dure, hanbit = h.space.tenants["dure"], h.space.tenants["hanbit"]
        asks = hub_of(oem)
        await asks.post(
            "/hub/support/plan/wants", {"entity": "quality_result", "why": "입고 검사 줄이기", "from": {"tier": "2차"}}
        )
        await asks.post(
            "/hub/support/plan/wants", {"entity": "energy_record", "why": "탄소 보고", "from": {"members": [dure.id]}}
        )
        _, portal = await hosted_member(h, "dure")
        page = await portal.get(PAGE)
        said = text_of(page, "addressed")
        assert f"{CUSTOMER}에서 품질 검사 결과 데이터를 요청했습니다 — “입고 검사 줄이기”" in said
        assert f"{CUSTOMER}에서 에너지 사용량 데이터를 요청했습니다 — “탄소 보고”" in said
        english = await portal.client.get(PAGE, headers={"Accept-Language": "en"})
        assert f"{CUSTOMER} asked you for Energy use" in text_of(english.text, "addressed")

        _, other = await hosted_member(h, "hanbit")
        theirs = text_of(await other.get(PAGE), "addressed")
        assert "품질 검사 결과" in theirs and "에너지 사용량" not in theirs  # named to dure only
        assert hanbit.id not in theirs


async def test_the_level_over_time_the_plans_first_step_and_expert_requests(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        tenant, portal = await hosted_member(h, "dure")
        page = await portal.get(PAGE)
        assert "아직 완료한 자가진단이 없습니다" in text_of(page, "level-none")
        hub = hub_of(tenant)
        plan = await hub.get("/hub/support/plan", "ko", lang="ko")
        assert text_of(page, "first-step") == plan["steps"][0]["title"]
        assert 'href="/c/dure/portal/support/plan"' in page and 'href="/c/dure/portal/support/assessment"' in page
        # a hosted connector: the hub reads its state itself, and it shares its monthly counts (set at sign-up)
        assert "hosted" in plan["sources"] and "허브가 이 커넥터를 운영하므로" in text_of(page, "activity-hosted")
        assert "매달 활동 건수를 허브에 보냅니다" in text_of(page, "activity-shared")
        tenant.context.connector.settings.hub_share_activity = False  # the setting, read on every page
        assert "보내지 않습니다" in text_of(await portal.get(PAGE), "activity-not-shared")

        asked = await questionnaire(h)
        levels = []
        for band in (1, 3):
            chosen = {q["id"]: at_least(band)(q) for q in asked["questions"]}
            started = await hub.post("/hub/support/assessment/start")
            await hub.put(f"/hub/support/assessment/{started['id']}/answers", {"answers": chosen})
            await hub.post(f"/hub/support/assessment/{started['id']}/complete")
            levels.append(expected(asked, chosen)[1])
        assert levels[0] < levels[1]

        expert = await h.operator.post(
            "/hub/support/experts",
            json={
                "name": "박전문", "organisation": "경남스마트제조혁신센터", "sectors": ["C30"], "regions": ["경남"],
                "skills": ["mes"], "languages": ["ko"], "availability": {"state": "available"},
                "contact": {"name": "박전문", "email": "park@example.kr", "phone": "055-000-0000"},
            },
        )  # fmt: skip
        assert expert.status_code == 201, expert.text
        await hub.post(f"/hub/support/experts/{expert.json()['id']}/requests", {"message": "MES 도입 상담"})

        page = await portal.get(PAGE)
        assert bars_of(page, "level-chart") == [float(v) for v in levels]
        assert text_of(page, "level-now").startswith("최근 수준: ") and f"(레벨 {levels[1]})" in text_of(
            page, "level-now"
        )
        history = [r[1] for r in rows(page, "level-history")]
        assert len(history) == 2 and all(r.endswith(f"(레벨 {n})") for r, n in zip(history, levels, strict=True))
        request = text_of(page, "requests")
        assert "박전문" in request and "요청함" in request


async def test_the_benchmark_position_is_not_yet_until_agreed_and_contributed_then_its_band(tmp_path: Path) -> None:
    names = ["dure", "hanbit", "mirae"]
    async with hosting_hub(tmp_path, names, benchmark_min_contributors=3) as h:
        period = str(h.clock.now().year)
        _, portal = await hosted_member(h, "dure")
        page = await portal.get(PAGE)
        assert "집계 전용 약관에 동의하고" in text_of(page, "position-not-yet")
        assert 'href="/c/dure/portal/support/benchmarks"' in page
        for name, value in zip(names, (62.0, 70.0, 78.0), strict=True):
            hub = hub_of(h.space.tenants[name])
            await hub.post("/hub/support/benchmarks/agreement", {"terms": "2026.1"})
            if name == "dure":
                assert "지표를 내면" in text_of(await portal.get(PAGE), "position-not-yet")
            contribution = {"indicator": "oee", "period": period, "value": value, "unit": "%"}
            await hub.post("/hub/support/benchmarks/contributions", {"contributions": [contribution]})
        hub = hub_of(h.space.tenants["dure"])
        before = (await hub.get("/hub/support/benchmarks/position", period=period))["positions"][0]
        unreleased = rows(await portal.get(PAGE), "positions")
        assert unreleased[0][0] == before["indicator"]["name"]["ko"] and unreleased[0][2].startswith("아직 없습니다")
        released = await h.operator.post("/hub/support/benchmarks/releases", json={"period": period})
        assert released.status_code == 201, released.text
        position = await hub.get("/hub/support/benchmarks/position", period=period)
        p25, p50, p75 = (position["positions"][0]["against"]["quartiles"][k] for k in ("p25", "p50", "p75"))
        band = (
            "하위 25%" if 62.0 < p25 else "하위 25–50%" if 62.0 < p50 else "상위 25–50%" if 62.0 < p75 else "상위 25%"
        )
        shown = rows(await portal.get(PAGE), "positions")
        assert shown[0][1].startswith("62") and shown[0][2] == band, (shown, p25, p50, p75)


async def test_with_the_hub_unreachable_each_hub_block_says_so_and_the_page_stands(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h:
        await trade(h.space.tenants["dure"], h.space.tenants["hanbit"], 1)
        _, portal = await hosted_member(h, "dure")
        h.space.router.down.add(httpx.URL(HUB_URL).netloc.decode())
        page = await portal.get(PAGE)  # 200
        for block in ("plan", "addressed", "position", "levels", "requests"):
            assert "허브에 연결할 수 없습니다" in text_of(page, f"{block}-problem"), block
        assert [r[0] for r in rows(page, "given")] == ["Hanbit"]  # the connector's own figures stand
        h.space.router.down.clear()
        assert "-problem" not in await portal.get(PAGE)


async def test_a_suspended_member_reads_the_hubs_refusal_in_each_block(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        _, portal = await hosted_member(h, "dure")
        application = h.signed_up["dure"]["application"]
        assert (
            await h.operator.post(f"/hub/applications/{application}/suspend", json={"reason": "점검"})
        ).status_code == 200
        page = await portal.get(PAGE)
        said = text_of(page, "plan-problem")
        assert "정지" in said and "suspended" not in said


async def test_a_connector_without_a_hub_is_told_what_joining_gives_and_how(tmp_path: Path) -> None:
    async with hosted(tmp_path, ["solo"]) as space:
        client = await sign_in(space, space.tenants["solo"], "kim")
        portal = Portal(client, "/c/solo")
        for path in (PAGE, f"{PAGE}/plan", f"{PAGE}/wants"):
            page = await portal.get(path)
            assert "아직 허브에 가입하지 않았습니다" in text_of(page, "no-hub"), path
            assert "sangsaeng hub join" in page and len(re.findall(r"<li>", page)) == 5
        english = await client.get(PAGE, headers={"Accept-Language": "en"})
        assert "has not joined a hub yet" in english.text


async def test_the_dashboard_speaks_korean_and_english_and_names_things(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h, with_customer(h) as oem:
        dure, hanbit = h.space.tenants["dure"], h.space.tenants["hanbit"]
        await trade(dure, hanbit, 1)
        await trade(hanbit, dure, 1)
        await hub_of(oem).post(
            "/hub/support/plan/wants", {"entity": "quality_result", "why": "품질", "from": {"tier": "2차"}}
        )
        _, portal = await hosted_member(h, "dure")
        vocabulary = english_words()
        korean = Visible.text(await portal.get(PAGE)).replace("inspections", "")  # the title the company chose
        assert english_in(korean, vocabulary) == set(), english_in(korean, vocabulary)
        assert "urn:" not in korean
        english = await portal.client.get(PAGE, headers={"Accept-Language": "en"})
        shown = Visible.text(english.text, "en").replace(CUSTOMER, "").replace("품질", "")  # the asker's words
        assert not re.search(r"[가-힣]{2,}", shown), shown
        assert "urn:" not in shown

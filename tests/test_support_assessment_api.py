"""``/hub/support/assessment/…`` on an in-process hub: an approved member reads the questionnaire in Korean or
English, starts an assessment, saves answers in parts, is refused completion while questions are open, completes
it and reads its result; a second assessment shows beside the first; another member's assessment is answered as
a missing one, a suspended member is refused and a caller without a token is not let in."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from sangsaeng.hub.service.hub import Hub
from sangsaeng.support.service.assessment import Assessments
from sangsaeng.tenants.host import ROOT
from tests.hub_space import Company, HubSpace, company, hub_space
from tests.test_support_assessment_scoring import FIRST, TIER2, TIER2_BANDS

pytestmark = pytest.mark.anyio
BASE = "/hub/support/assessment"


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as space:
        yield space


@pytest.fixture
async def members(hub: HubSpace) -> tuple[Company, Company]:
    one, two = company(1), company(2)
    await hub.approved(one)
    await hub.approved(two)
    return one, two


async def call(hub: HubSpace, who: Company, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = hub.as_member(who) | kwargs.pop("headers", {})
    return await hub.raw.request(method, f"{BASE}{path}", headers=headers, **kwargs)


async def started(hub: HubSpace, who: Company) -> str:
    answer = await call(hub, who, "POST", "/start")
    assert answer.status_code in (200, 201), answer.text
    found: str = answer.json()["id"]
    return found


async def test_the_questionnaire_is_in_korean_or_english_as_asked(hub: HubSpace) -> None:
    korean = await hub.raw.get(f"{BASE}/questionnaire", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    english = await hub.raw.get(f"{BASE}/questionnaire?lang=en", headers={"Accept-Language": "ko"})
    assert korean.status_code == english.status_code == 200
    ko, en = korean.json(), english.json()
    assert (ko["language"], en["language"]) == ("ko", "en")
    assert ko["questions"][0]["text"] == "생산 실적(수량, 불량, 정지 시간)은 어떻게 기록하나요?"
    assert en["questions"][0]["options"][3] == {
        "id": "pop",
        "label": "Entered at the machine into a production system (POP or MES), with barcodes or labels per lot",
        "explain": "Each lot can be traced in the system the same day: the heart of the basic smart-factory level.",
        "band": 3,
        "meets": ["production-tracking"],
    }
    assert len(ko["dimensions"]) == 16 and [lv["stage"] for lv in ko["levels"]][1:4] == ["기초", "중간1", "중간2"]
    assert ko["models"] == {"questionnaire": "2026.1", "siri": "2026.1", "kosf": "2026.1"} and ko["minutes"] == 20
    unknown = await hub.raw.get(f"{BASE}/questionnaire?lang=fr")
    assert unknown.status_code == 400 and unknown.json()["error"]["position"] == "lang"
    assert unknown.json()["error"]["details"]["message_ko"] == "fr 언어로 된 문구가 없습니다"


async def test_an_assessment_is_answered_in_parts_refused_while_open_and_completed_with_its_result(
    hub: HubSpace, members: tuple[Company, Company]
) -> None:
    one, _ = members
    first = await call(hub, one, "POST", "/start")
    assert first.status_code == 201 and first.json()["state"] == "draft"
    assessment = first.json()["id"]
    resumed = await call(hub, one, "POST", "/start")
    assert resumed.status_code == 200 and resumed.json()["id"] == assessment  # one open draft at a time
    assert first.json()["startedAt"].endswith("+09:00")  # the hub's time zone, Asia/Seoul

    half = dict(list(TIER2.items())[:18])
    saved = await call(hub, one, "PUT", f"/{assessment}/answers", json={"questionnaire": "2026.1", "answers": half})
    assert saved.status_code == 200, saved.text
    assert saved.json()["progress"]["answered"] == 18 and saved.json()["result"] is None
    explained = saved.json()["explained"][0]
    assert explained["question"] == "production-results" and explained["setsBand"] is False

    early = await call(hub, one, "POST", f"/{assessment}/complete", headers={"Accept-Language": "ko"})
    assert early.status_code == 400 and early.json()["error"]["position"] == "$.answers"
    assert early.json()["error"]["details"]["missing"] == list(TIER2)[18:]
    assert early.json()["error"]["details"]["message_ko"].startswith("질문 36개 중 18개에 아직 답하지 않았습니다")

    rest = dict(list(TIER2.items())[18:]) | {"production-results": None}  # null takes an answer back
    saved = await call(hub, one, "PUT", f"/{assessment}/answers", json={"answers": rest})
    assert saved.json()["progress"]["missing"] == ["production-results"]
    await call(hub, one, "PUT", f"/{assessment}/answers", json={"answers": {"production-results": "pop"}})

    done = await call(hub, one, "POST", f"/{assessment}/complete", headers={"Accept-Language": "ko"})
    assert done.status_code == 200, done.text
    result = done.json()["result"]
    assert done.json()["state"] == "complete" and done.json()["completedAt"].endswith("+09:00")
    assert {d["id"]: d["band"] for d in result["dimensions"]} == TIER2_BANDS
    assert (result["level"]["level"], result["level"]["name"]) == (1, "기초")
    assert len(result["answers"]) == 36 and result["overall"] == 1.2

    again = await call(hub, one, "PUT", f"/{assessment}/answers", json={"answers": {"training": "planned"}})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert again.json()["error"]["details"]["message_ko"] == f"진단 {assessment}은(는) 완료되어 그대로 보관됩니다"
    read = await call(hub, one, "GET", f"/{assessment}?lang=en")
    assert read.status_code == 200 and read.json()["result"]["level"]["name"] == "Basic"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_starts_at_once_make_one_draft(request: pytest.FixtureRequest, tmp_path: Path, database: str) -> None:
    extra = {"database_url": request.getfixturevalue("postgres_url")} if database == "postgresql" else {}
    async with hub_space(tmp_path, **extra) as space:
        one = company(1)
        await space.approved(one)
        found: list[httpx.Response] = []

        async def start() -> None:
            found.append(await call(space, one, "POST", "/start"))

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(start)
        assert sorted(r.status_code for r in found) == [200, 200, 200, 201]
        assert len({r.json()["id"] for r in found}) == 1
        assert len((await call(space, one, "GET", "/mine")).json()["assessments"]) == 1


async def test_a_bad_answer_is_refused_where_it_is_and_nothing_of_it_is_saved(
    hub: HubSpace, members: tuple[Company, Company]
) -> None:
    one, _ = members
    assessment = await started(hub, one)
    body = {"answers": {"training": "planned", "ot-security": "moat"}}
    refused = await call(hub, one, "PUT", f"/{assessment}/answers", json=body)
    assert refused.status_code == 400 and refused.json()["error"]["position"] == '$.answers["ot-security"]'
    other_version = await call(
        hub, one, "PUT", f"/{assessment}/answers", json={"questionnaire": "2025.1", "answers": {}}
    )
    assert other_version.status_code == 400 and other_version.json()["error"]["position"] == "$.questionnaire"
    read = await call(hub, one, "GET", f"/{assessment}")
    assert read.json()["answers"] == {}  # the request was refused whole


async def test_another_members_assessment_is_answered_exactly_as_a_missing_one(
    hub: HubSpace, members: tuple[Company, Company]
) -> None:
    one, two = members
    theirs = await started(hub, one)
    missing = "00000000-0000-4000-8000-000000000000"
    for method, suffix, kwargs in [
        ("GET", "", {}),
        ("PUT", "/answers", {"json": {"answers": {"training": "none"}}}),
        ("POST", "/complete", {}),
        ("GET", "/radar.svg", {}),
    ]:
        probed = await call(hub, two, method, f"/{theirs}{suffix}", **kwargs)
        absent = await call(hub, two, method, f"/{missing}{suffix}", **kwargs)
        assert probed.status_code == absent.status_code == 404
        assert probed.text.replace(theirs, "ID") == absent.text.replace(missing, "ID")
    mine = await call(hub, two, "GET", "/mine")
    assert mine.json()["assessments"] == [] and mine.json()["latest"] is None
    untouched = await call(hub, one, "GET", f"/{theirs}")
    assert untouched.json()["answers"] == {} and untouched.json()["state"] == "draft"


async def test_history_shows_the_latest_completed_beside_the_one_before(
    hub: HubSpace, members: tuple[Company, Company]
) -> None:
    one, _ = members
    first = await started(hub, one)
    await call(hub, one, "PUT", f"/{first}/answers", json={"answers": FIRST})
    assert (await call(hub, one, "POST", f"/{first}/complete")).status_code == 200
    hub.clock.advance(days=180)
    second = await started(hub, one)
    assert second != first
    await call(hub, one, "PUT", f"/{second}/answers", json={"answers": TIER2})
    await call(hub, one, "POST", f"/{second}/complete")
    hub.clock.advance(days=1)
    third = await started(hub, one)  # a new draft does not hide the completed ones

    mine = (await call(hub, one, "GET", "/mine?lang=ko")).json()
    assert [a["id"] for a in mine["assessments"]] == [third, second, first]
    assert mine["draft"] == third
    assert mine["latest"]["id"] == second and mine["previous"]["id"] == first
    assert (mine["previous"]["level"], mine["previous"]["levelName"], mine["previous"]["overall"]) == (0, "미도입", 0.0)
    assert mine["progress"]["level"] == {"now": 1, "before": 0}
    assert mine["progress"]["overall"] == {"now": 1.2, "before": 0.0}
    vertical = mine["progress"]["dimensions"][0]
    assert (vertical["id"], vertical["now"], vertical["before"], vertical["change"]) == (
        "vertical_integration",
        2,
        0,
        2,
    )
    axes = mine["radar"]["axes"]
    assert len(axes) == 16 and (axes[0]["label"], axes[0]["band"], axes[0]["previous"]) == ("수직 통합", 2, 0)
    assert mine["radar"]["legend"]["before"].startswith("이전 진단 (")

    chart = await call(hub, one, "GET", f"/{second}/radar.svg?lang=en")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    document = ET.fromstring(chart.text)
    assert len(document.findall(".//{http://www.w3.org/2000/svg}line[@class='axis']")) == 16
    assert document.find("{http://www.w3.org/2000/svg}polygon[@class='before']") is not None
    oldest = ET.fromstring((await call(hub, one, "GET", f"/{first}/radar.svg")).text)
    assert oldest.find("{http://www.w3.org/2000/svg}polygon[@class='before']") is None  # nothing before the first
    draft_chart = await call(hub, one, "GET", f"/{third}/radar.svg")
    assert draft_chart.status_code == 409


async def test_the_latest_maturity_is_what_other_parts_of_support_read(
    hub: HubSpace, members: tuple[Company, Company]
) -> None:
    one, two = members
    context = hub.app.state.host.contexts[ROOT]
    hub_itself: Hub = context.own(Hub, lambda: None)
    service = context.own(Assessments, lambda: Assessments(hub_itself.connector, hub_itself.membership))
    assert await service.maturity_of(one.id) is None  # before its first completed assessment
    assessment = await started(hub, one)
    await call(hub, one, "PUT", f"/{assessment}/answers", json={"answers": TIER2})
    assert await service.maturity_of(one.id) is None  # a draft is no maturity yet
    await call(hub, one, "POST", f"/{assessment}/complete")
    maturity = await service.maturity_of(one.id)
    assert maturity is not None and maturity.siri == TIER2_BANDS and maturity.level == 1
    assert maturity.model == "siri-2026.1+kosf-2026.1" and maturity.at.tzinfo is not None
    assert await service.maturity_of(two.id) is None


async def test_only_an_approved_member_with_a_token_takes_part(hub: HubSpace) -> None:
    member = company(3)
    application = await hub.approved(member)
    assessment = await started(hub, member)
    anonymous = await hub.raw.post(f"{BASE}/start")
    assert anonymous.status_code == 401
    suspended = await hub.operator.post(f"/hub/applications/{application['id']}/suspend", json={"reason": "점검"})
    assert suspended.status_code == 200
    for method, path in [("POST", "/start"), ("GET", f"/{assessment}"), ("GET", "/mine")]:
        refused = await call(hub, member, method, path)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    applicant = company(4)
    await hub.applied(applicant)
    assert (await call(hub, applicant, "POST", "/start")).status_code == 403

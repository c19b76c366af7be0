"""Experts, programs, requests and success cases through the hub's API, in-process: the operator keeps the
directories, members get their matches, ask for an expert and publish their own cases — and a member reads or
writes nothing of another's (answered as an unknown id is), nor does a suspended member or a stranger read at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.hub_space import Company, HubSpace, company, hub_space

pytestmark = pytest.mark.anyio
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as space:
        yield space


async def member_of(hub: HubSpace, number: int, **facts: Any) -> Company:
    """An approved member with the given company facts (else the space's: C30, 경상남도, 중소기업)."""
    made = company(number)
    application = await hub.applied(made, **facts)
    approved = await hub.operator.post(f"/hub/applications/{application['id']}/approve")
    assert approved.status_code == 200, approved.text
    made.application_id = application["id"]  # type: ignore[attr-defined]
    return made


def day(hub: HubSpace, days: int) -> str:
    return (hub.clock.now().astimezone(SEOUL).date() + timedelta(days=days)).isoformat()


def expert_doc(name: str, sectors: list[str], regions: list[str], skills: list[str], **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "organisation": "스마트제조혁신센터",
        "sectors": sectors,
        "regions": regions,
        "skills": skills,
        "languages": ["ko"],
        "availability": {"state": "available"},
        "contact": {"name": name, "email": "expert@example.co.kr", "phone": "055-000-1234"},
    } | more


def program_doc(name: str, **eligibility: Any) -> dict[str, Any]:
    return {
        "name": {"ko": name, "en": f"{name} (en)"},
        "agency": {"ko": "중소벤처기업부", "en": "Ministry of SMEs and Startups"},
        "eligibility": eligibility,
        "funding": {"sharePercent": 50, "capKrw": 100_000_000},
        "link": "https://www.smart-factory.kr/",
    }


def case_doc(title: dict[str, str], **more: Any) -> dict[str, Any]:
    languages = list(title)
    return {
        "title": title,
        "sector": "C30",
        "levelBefore": 2,
        "levelAfter": 3,
        "problem": {k: f"problem {k}" for k in languages},
        "done": {k: f"done {k}" for k in languages},
        "results": [{"metric": {k: f"defects {k}" for k in languages}, "before": 1200, "after": 400, "unit": "ppm"}],
        "technologies": ["OPC UA"],
        "contact": {"email": "kim@hanbit.co.kr"},
    } | more


async def added(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(path, json=body)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def without(body: dict[str, Any], text: str) -> str:
    """An error body with a given id taken out, to compare two answers that name different ids."""
    return httpx.Response(200, json=body).text.replace(text, "<id>")


# ---- the directories ---------------------------------------------------------------------------------------------
async def test_the_operator_keeps_experts_and_members_read_them_without_their_contact(hub: HubSpace) -> None:
    a = await member_of(hub, 1)
    made = await added(hub.operator, "/hub/support/experts", expert_doc("박전문", ["30"], ["경남"], ["MES"]))
    assert made["sectors"] == [
        {"code": "C30", "ko": "자동차 및 트레일러 제조업", "en": "Motor vehicles, trailers and semitrailers"}
    ]
    assert made["regions"][0]["code"] == "KR-48" and made["skills"][0]["id"] == "mes"
    assert made["contact"]["email"] == "expert@example.co.kr"
    assert made["updatedAt"].endswith("+09:00")  # shown in the hub's zone, Asia/Seoul

    listed = await hub.raw.get("/hub/support/experts", headers=hub.as_member(a))
    assert listed.status_code == 200, listed.text
    [seen] = listed.json()["experts"]
    assert seen["name"] == "박전문" and "contact" not in seen

    # Members do not maintain the directory: without the API key it is not the operator.
    refused = await hub.raw.post(
        "/hub/support/experts", json=expert_doc("x", ["C30"], ["KR-48"], []), headers=hub.as_member(a)
    )
    assert refused.status_code == 401
    changed = await hub.operator.put(
        f"/hub/support/experts/{made['id']}", json=expert_doc("박전문", ["C29"], ["KR-48"], ["erp"])
    )
    assert changed.status_code == 200 and changed.json()["skills"][0]["id"] == "erp"
    retired = await hub.operator.post(f"/hub/support/experts/{made['id']}/retire")
    assert retired.status_code == 200 and retired.json()["retiredAt"]
    assert (await hub.raw.get("/hub/support/experts", headers=hub.as_member(a))).json()["experts"] == []
    gone = await hub.raw.get(f"/hub/support/experts/{made['id']}", headers=hub.as_member(a))
    assert gone.status_code == 404
    forbidden = await hub.raw.get("/hub/support/experts", params={"retired": "true"}, headers=hub.as_member(a))
    assert forbidden.status_code == 403 and forbidden.json()["error"]["details"]["message_ko"]
    everyone = (await hub.operator.get("/hub/support/experts", params={"retired": "true"})).json()["experts"]
    assert [e["id"] for e in everyone] == [made["id"]]


async def test_a_document_the_directory_does_not_understand_is_refused_where_it_is_wrong_in_both_languages(
    hub: HubSpace,
) -> None:
    no_such_day = {"state": "busy", "until": "2027-02-30"}
    cases = [
        (expert_doc("x", ["C30"], ["KR-48"], ["mes"], hobby="golf"), "hobby", "invalid-input"),
        (expert_doc("x", ["C"], ["KR-48"], ["mes"]), "sectors[0]", "invalid-input"),
        (expert_doc("x", ["C30"], ["Atlantis"], ["mes"]), "regions[0]", "invalid-input"),
        (expert_doc("x", ["C30"], ["KR-48"], ["welding-magic"]), "skills[0]", "invalid-input"),
        (expert_doc("x", ["C30"], ["KR-48"], ["mes"], availability=no_such_day), "availability.until", "invalid-input"),
    ]  # fmt: skip
    for body, position, code in cases:
        answer = await hub.operator.post("/hub/support/experts", json=body)
        error = answer.json()["error"]
        assert (answer.status_code, error["code"], error.get("position")) == (400, code, position), answer.text
        assert error["message"] and error["details"]["message_ko"] != error["message"]
    program = program_doc("지원", minLevel=4, maxLevel=2)
    answer = await hub.operator.post("/hub/support/programs", json=program)
    assert answer.status_code == 400 and answer.json()["error"]["position"] == "eligibility.maxLevel"
    both = program_doc("지원") | {"funding": {"amountKrw": 1, "sharePercent": 5}}
    answer = await hub.operator.post("/hub/support/programs", json=both)
    assert answer.status_code == 400 and answer.json()["error"]["position"] == "funding"


# ---- matches -----------------------------------------------------------------------------------------------------
async def test_a_member_is_matched_to_experts_of_its_industry_nearby_first_with_the_reasons(hub: HubSpace) -> None:
    a = await member_of(hub, 1)  # C30 in 경상남도, an SME
    near = await added(hub.operator, "/hub/support/experts", expert_doc("가까운", ["C3030"], ["KR-26"], ["mes"]))
    same = await added(hub.operator, "/hub/support/experts", expert_doc("같은", ["C30"], ["KR-48"], ["erp"]))
    await added(hub.operator, "/hub/support/experts", expert_doc("먼", ["C10"], ["KR-11"], ["energy"]))
    busy = expert_doc("바쁜", ["C30"], ["KR-48"], ["mes"], availability={"state": "busy", "until": day(hub, 10)})
    await added(hub.operator, "/hub/support/experts", busy)

    answer = await hub.raw.get("/hub/support/experts/matches", headers=hub.as_member(a))
    assert answer.status_code == 200, answer.text
    matches = answer.json()["matches"]
    # 같은: its division 3 + same region 2 + free 2 + Korean 1; 가까운: division 3 (C3030 within C30) + a
    # neighbouring region 1 + free 2 + Korean 1; 바쁜: division 3 + same region 2 + free within 30 days 1 + Korean 1
    # (ties by name). 먼 knows another industry and has no skill asked for: not listed.
    assert [(m["expert"]["name"], m["points"]) for m in matches] == [("같은", 8), ("가까운", 7), ("바쁜", 7)]
    first = matches[0]
    assert first["points"] == sum(r["points"] for r in first["reasons"])
    said = {r["key"]: r for r in first["reasons"]}
    assert said["sector.division"]["values"] == {"expert_sector": "C30", "company_sector": "C30"}
    assert said["region.same"]["text"]["ko"] == "경상남도 현장 지원 가능"
    assert said["region.same"]["text"]["en"] == "works on site in South Gyeongsang"
    assert {r["key"] for r in matches[1]["reasons"]} >= {"region.near", "sector.division"}
    assert {r["key"]: r["values"] for r in matches[2]["reasons"]}["available.from"] == {"date": day(hub, 11)}

    # The plan needs MES: the experts who have it come first, and one of another industry with it is listed too.
    answer = await hub.raw.get(
        "/hub/support/experts/matches", params={"skills": "mes,energy"}, headers=hub.as_member(a)
    )
    ranked = [(m["expert"]["name"], m["points"]) for m in answer.json()["matches"]]
    assert ranked == [("가까운", 10), ("바쁜", 10), ("같은", 8), ("먼", 6)]  # 3 more for MES; 먼: energy, free, Korean
    assert near["id"] != same["id"]
    unknown = await hub.raw.get("/hub/support/experts/matches", params={"skills": "x"}, headers=hub.as_member(a))
    assert unknown.status_code == 400 and unknown.json()["error"]["position"] == "skills[0]"


async def test_a_member_is_matched_only_to_programs_it_is_eligible_for_and_may_ask_why_not_others(
    hub: HubSpace,
) -> None:
    a = await member_of(hub, 1)  # C30 in 경상남도, an SME
    for body in (
        program_doc("경남 자동차", sectors=["C30"], regions=["KR-48"]) | {"deadline": day(hub, 20)},
        program_doc("모두"),
        program_doc("대기업만", sizes=["large"]),
        program_doc("고도화", minLevel=4),
        program_doc("마감", sectors=["C30"]) | {"deadline": day(hub, -1)},
    ):
        await added(hub.operator, "/hub/support/programs", body)
    answer = await hub.raw.get("/hub/support/programs/matches", params={"ineligible": "true"}, headers=hub.as_member(a))
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [m["program"]["name"]["ko"] for m in found["matches"]] == ["경남 자동차", "모두"]
    why = {i["program"]["name"]["ko"]: [r["key"] for r in i["reasons"]] for i in found["ineligible"]}
    assert why == {"대기업만": ["size.not"], "고도화": ["level.unknown"], "마감": ["deadline.passed"]}
    deadline = {r["key"]: r for r in found["matches"][0]["reasons"]}["deadline"]
    assert deadline["values"] == {"date": day(hub, 20), "days": 20}
    # With its level known, the level-bound program is decided on it.
    at_four = await hub.raw.get("/hub/support/programs/matches", params={"level": 4}, headers=hub.as_member(a))
    assert "고도화" in [m["program"]["name"]["ko"] for m in at_four.json()["matches"]]
    assert "ineligible" not in at_four.json()
    # Without a level asked, its latest self-assessment decides: answered at the top, it is level 4 or more.
    questionnaire = (await hub.raw.get("/hub/support/assessment/questionnaire?lang=en")).json()
    answers = {q["id"]: q["options"][-1]["id"] for q in questionnaire["questions"]}
    started = (await hub.raw.post("/hub/support/assessment/start", headers=hub.as_member(a))).json()
    path = f"/hub/support/assessment/{started['id']}"
    await hub.raw.put(f"{path}/answers", json={"answers": answers}, headers=hub.as_member(a))
    assert (await hub.raw.post(f"{path}/complete", headers=hub.as_member(a))).status_code == 200
    assessed = await hub.raw.get("/hub/support/programs/matches", headers=hub.as_member(a))
    assert "고도화" in [m["program"]["name"]["ko"] for m in assessed.json()["matches"]]


# ---- requests for an expert --------------------------------------------------------------------------------------
async def test_a_request_for_an_expert_goes_requested_accepted_done_and_only_its_member_sees_it(hub: HubSpace) -> None:
    a, b = await member_of(hub, 1), await member_of(hub, 2, name="다온산업", brn="110-81-00010")
    expert = await added(hub.operator, "/hub/support/experts", expert_doc("박전문", ["C30"], ["KR-48"], ["mes"]))
    path = f"/hub/support/experts/{expert['id']}/requests"
    made = await hub.raw.post(path, json={"message": "MES 도입 상담"}, headers=hub.as_member(a))
    assert made.status_code == 201, made.text
    request = made.json()
    assert request["state"] == "requested" and request["expert"] == {"id": expert["id"], "name": "박전문"}
    assert request["member"]["name"] == "한빛정밀" and request["requestedAt"].endswith("+09:00")
    again = await hub.raw.post(path, json={"message": "또"}, headers=hub.as_member(a))
    assert again.status_code == 409

    # Another member: its own list is empty, and A's request is answered exactly as an unknown one.
    assert (await hub.raw.get("/hub/support/experts/requests", headers=hub.as_member(b))).json()["requests"] == []
    theirs = await hub.raw.get(f"/hub/support/experts/requests/{request['id']}", headers=hub.as_member(b))
    unknown_id = "00000000-0000-4000-8000-000000000000"
    nothing = await hub.raw.get(f"/hub/support/experts/requests/{unknown_id}", headers=hub.as_member(b))
    assert theirs.status_code == nothing.status_code == 404
    assert without(theirs.json(), request["id"]) == without(nothing.json(), unknown_id)
    # Nor does a member move a request on: that is the operator's.
    refused = await hub.raw.post(f"/hub/support/experts/requests/{request['id']}/accept", headers=hub.as_member(a))
    assert refused.status_code == 401

    queue = (await hub.operator.get("/hub/support/experts/requests", params={"state": "requested"})).json()
    assert [r["id"] for r in queue["requests"]] == [request["id"]]
    accepted = await hub.operator.post(
        f"/hub/support/experts/requests/{request['id']}/accept", json={"note": "다음 주 방문"}
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    mine = (await hub.raw.get(f"/hub/support/experts/requests/{request['id']}", headers=hub.as_member(a))).json()
    assert mine["note"] == "다음 주 방문" and mine["expert"]["contact"]["email"] == "expert@example.co.kr"
    assert mine["decidedAt"] is not None
    twice = await hub.operator.post(f"/hub/support/experts/requests/{request['id']}/decline")
    assert twice.status_code == 409 and "수락됨" in twice.json()["error"]["details"]["message_ko"]
    done = await hub.operator.post(f"/hub/support/experts/requests/{request['id']}/done")
    assert done.status_code == 200 and done.json()["state"] == "done" and done.json()["doneAt"]
    # Done, the member may ask again.
    assert (await hub.raw.post(path, json={"message": "2차 상담"}, headers=hub.as_member(a))).status_code == 201


# ---- success cases -----------------------------------------------------------------------------------------------
async def test_cases_are_found_in_korean_and_english_and_filtered_by_sector_level_and_language(hub: HubSpace) -> None:
    a, b = await member_of(hub, 1), await member_of(hub, 2, name="다온산업", brn="110-81-00010", ksic=["C29"])
    korean = case_doc({"ko": "수입검사자동화로 불량 3분의 1"})
    english = case_doc({"en": "Machine vision cuts inspection time"}, sector="C2912", levelBefore=3, levelAfter=4)
    both = case_doc({"ko": "설비 예지보전", "en": "Predictive maintenance of presses"}, sector="C25")
    made: list[dict[str, Any]] = []
    for who, body in ((a, korean), (b, english), (b, both)):
        answer = await hub.raw.post("/hub/support/cases", json=body, headers=hub.as_member(who))
        assert answer.status_code == 201, answer.text
        made.append(answer.json())
    assert made[0]["company"] == "한빛정밀" and made[0]["languages"] == ["ko"] and made[2]["languages"] == ["en", "ko"]

    async def titles(**params: Any) -> list[str]:
        answer = await hub.raw.get("/hub/support/cases", params=params, headers=hub.as_member(a))
        assert answer.status_code == 200, answer.text
        return sorted(next(iter(c["title"].values())) for c in answer.json()["cases"])

    assert await titles(q="검사") == ["수입검사자동화로 불량 3분의 1"]  # a Korean compound found by its part
    assert await titles(q="수입 자동화") == ["수입검사자동화로 불량 3분의 1"]
    assert await titles(q="검사결과") == []
    assert await titles(q="vision") == ["Machine vision cuts inspection time"]
    assert await titles(q="INSPECT") == ["Machine vision cuts inspection time"]  # a word's beginning, any case
    assert await titles(q="자동차") == ["수입검사자동화로 불량 3분의 1"]  # by its sector's name (C30)
    assert await titles(sector="C29") == ["Machine vision cuts inspection time"]
    assert await titles(level=3) == ["Machine vision cuts inspection time"]
    assert await titles(language="ko") == ["설비 예지보전", "수입검사자동화로 불량 3분의 1"]
    assert len(await titles()) == 3
    long = await hub.raw.get("/hub/support/cases", params={"q": "가" * 201}, headers=hub.as_member(a))
    assert long.status_code == 400 and long.json()["error"]["position"] == "q"


async def test_a_member_edits_and_withdraws_only_its_own_cases(hub: HubSpace) -> None:
    a, b = await member_of(hub, 1), await member_of(hub, 2, name="다온산업", brn="110-81-00010")
    published = await hub.raw.post("/hub/support/cases", json=case_doc({"ko": "검사 자동화"}), headers=hub.as_member(a))
    case = published.json()
    unknown_id = "00000000-0000-4000-8000-000000000000"
    for method, suffix, body in (("PUT", "", case_doc({"ko": "가로챔"})), ("POST", "/withdraw", None)):
        theirs = await hub.raw.request(
            method, f"/hub/support/cases/{case['id']}{suffix}", json=body, headers=hub.as_member(b)
        )
        nothing = await hub.raw.request(
            method, f"/hub/support/cases/{unknown_id}{suffix}", json=body, headers=hub.as_member(b)
        )
        assert theirs.status_code == nothing.status_code == 404
        assert without(theirs.json(), case["id"]) == without(nothing.json(), unknown_id)
    kept = await hub.raw.get(f"/hub/support/cases/{case['id']}", headers=hub.as_member(b))
    assert kept.json()["title"] == {"ko": "검사 자동화"}

    edited = await hub.raw.put(
        f"/hub/support/cases/{case['id']}", json=case_doc({"ko": "수입검사 자동화"}), headers=hub.as_member(a)
    )
    assert edited.status_code == 200 and edited.json()["title"] == {"ko": "수입검사 자동화"}
    withdrawn = await hub.raw.post(f"/hub/support/cases/{case['id']}/withdraw", headers=hub.as_member(a))
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert (await hub.raw.get(f"/hub/support/cases/{case['id']}", headers=hub.as_member(b))).status_code == 404
    assert (await hub.raw.get(f"/hub/support/cases/{case['id']}", headers=hub.as_member(a))).status_code == 200
    found = await hub.raw.get("/hub/support/cases", params={"q": "검사"}, headers=hub.as_member(b))
    assert found.json()["cases"] == []
    mine = (await hub.raw.get("/hub/support/cases/mine", headers=hub.as_member(a))).json()["cases"]
    assert [(c["id"], c["state"]) for c in mine] == [(case["id"], "withdrawn")]
    late = await hub.raw.put(f"/hub/support/cases/{case['id']}", json=case_doc({"ko": "x"}), headers=hub.as_member(a))
    assert late.status_code == 409


async def test_a_suspended_member_and_a_stranger_read_nothing(hub: HubSpace) -> None:
    a = await member_of(hub, 1)
    suspended = await hub.operator.post(
        f"/hub/applications/{a.application_id}/suspend",  # type: ignore[attr-defined]
        json={"reason": "계약 위반"},
    )
    assert suspended.status_code == 200
    for path in ("/hub/support/experts", "/hub/support/experts/matches", "/hub/support/programs/matches",
                 "/hub/support/cases", "/hub/support/experts/requests"):  # fmt: skip
        refused = await hub.raw.get(path, headers=hub.as_member(a))
        assert refused.status_code == 403, (path, refused.text)
        assert "정지" in refused.json()["error"]["details"]["message_ko"]
        assert (await hub.raw.get(path)).status_code == 401

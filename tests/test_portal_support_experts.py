"""Experts and support programs on a member's own portal (``portal/support/experts.py``, ``programs.py``),
in-process with connectors the hub hosts: the hub's matches shown with their reasons in Korean and English, skills
by name, availability and languages; asking for an expert through the form and finding the request listed with its
state, the expert's contact only once the operator accepts; programs with their funding in won as Koreans and
English readers write it, and the ineligible ones with why on request. A viewer sees no form; a form without the
session's token is refused; a connector without a hub is told to join one.

Expected words are written here from the catalogs' sentences and the vocabulary's names, not read back from the
pages' code."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.hosting_space import HubHosting, hosting_hub
from tests.tenants_space import csrf_of, hosted, sign_in
from tests.test_portal_assessment import Portal, hosted_member, hub_of, text_of

pytestmark = pytest.mark.anyio
EXPERTS = "/portal/support/experts"
PROGRAMS = "/portal/support/programs"
SEOUL = ZoneInfo("Asia/Seoul")


def expert_doc(name: str, skills: list[str], **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "organisation": "경남스마트제조혁신센터",
        "sectors": ["C30"],
        "regions": ["경남"],
        "skills": skills,
        "languages": ["ko", "vi"],
        "availability": {"state": "available"},
        "contact": {"name": name, "email": "park@example.co.kr", "phone": "055-000-1234"},
    } | more


def program_doc(name: str, funding: dict[str, int], **eligibility: Any) -> dict[str, Any]:
    return {
        "name": {"ko": name, "en": f"{name} programme"},
        "agency": {"ko": "중소벤처기업부", "en": "Ministry of SMEs and Startups"},
        "eligibility": eligibility,
        "funding": funding,
        "link": "https://www.smart-factory.kr/",
    }


async def added(h: HubHosting, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await h.operator.post(path, json=body)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def visible(html: str) -> str:
    """The page's text after its header, tags out, spaces folded."""
    body = html.split("</header>", 1)[1]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def article(html: str, anchor: str) -> str:
    found = re.search(rf'<article[^>]*id="{re.escape(anchor)}"[^>]*>(.*?)</article>', html, re.S)
    assert found is not None, f"no #{anchor}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


async def english(portal: Portal, path: str) -> str:
    answer = await portal.client.get(path, headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text[:2000]
    return answer.text


async def test_matches_show_their_reasons_in_korean_and_english_and_a_request_is_made_and_listed(
    tmp_path: Path,
) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        busy_until = (h.clock.now().astimezone(SEOUL).date() + timedelta(days=20)).isoformat()
        park = await added(h, "/hub/support/experts", expert_doc("박전문", ["mes", "quality-spc"]))
        lee = await added(
            h,
            "/hub/support/experts",
            expert_doc("이컨설", ["erp"], regions=["KR-26"], availability={"state": "busy", "until": busy_until}),
        )
        tenant, portal = await hosted_member(h, "dure")

        page = await portal.get(f"{EXPERTS}?skills=mes")
        said = article(page, f"expert-{park['id']}")
        assert "계획에 필요한 기술 보유: 생산관리시스템(MES)" in said
        assert "귀사 업종을 앎: C30 자동차 및 트레일러 제조업 (귀사: C30 자동차 및 트레일러 제조업)" in said
        assert "경상남도 현장 지원 가능" in said and "지금 지원 가능" in said
        assert "한국어, 베트남어" in said and "품질관리·통계적 공정관리(SPC)" in said
        other = article(page, f"expert-{lee['id']}")  # Busan borders Gyeongnam; busy until a day in Korean
        assert "경상남도 인접 지역(부산광역시) 현장 지원 가능" in other
        day = busy_until.split("-")
        assert f"{int(day[0])}년 {int(day[1])}월 {int(day[2])}일까지 지원 불가" in other
        assert page.index(f"expert-{park['id']}") < page.index(f"expert-{lee['id']}")  # the one with the skill first
        assert 'name="skills" value="mes" checked' in page
        assert "support." not in visible(page)  # every word came from the catalogs

        # The same reasons in English, as the hub's own words say them too.
        matches = await hub_of(tenant).call(
            "GET", "/hub/support/experts/matches", params={"skills": "mes", "language": "en"}, language="en"
        )
        theirs = [r["text"]["en"] for r in matches["matches"][0]["reasons"]]
        page_en = await english(portal, f"{EXPERTS}?skills=mes")
        said_en = article(page_en, f"expert-{park['id']}")
        assert "has what your plan needs: Manufacturing execution systems (MES)" in said_en
        assert all(reason in said_en for reason in theirs), (theirs, said_en)
        assert "Available now" in said_en and "Korean, Vietnamese" in said_en

        # Asking: the request is made at the hub and listed with its state; no contact until accepted.
        moved = await portal.post(
            f"{EXPERTS}/requests",
            {"expert": park["id"], "message": "수입검사에 MES를 붙이고 싶습니다", "skills": "mes"},
            csrf_of(page),
        )
        assert moved.headers["location"] == f"/c/dure{EXPERTS}?skills=mes#requests"
        [made] = (await hub_of(tenant).get("/hub/support/experts/requests"))["requests"]
        assert made["expert"]["name"] == "박전문" and made["message"] == "수입검사에 MES를 붙이고 싶습니다"
        page = await portal.get(f"{EXPERTS}?skills=mes")
        row = text_of(page, f"request-{made['id']}")
        assert "박전문" in row and "요청됨" in row and "park@example.co.kr" not in page
        assert "이미 요청했습니다: 요청됨" in text_of(page, f"asked-{park['id']}")
        assert f'id="ask-{park["id"]}"' not in page and f'id="ask-{lee["id"]}"' in page

        accepted = await h.operator.post(
            f"/hub/support/experts/requests/{made['id']}/accept", json={"note": "다음 주 방문"}
        )
        assert accepted.status_code == 200, accepted.text
        page = await portal.get(EXPERTS)
        row = text_of(page, f"request-{made['id']}")
        assert "수락됨" in row and "park@example.co.kr" in row and "055-000-1234" in row
        assert "운영자 메모: 다음 주 방문" in row


async def test_the_hubs_refusals_are_said_where_they_belong(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        park = await added(h, "/hub/support/experts", expert_doc("박전문", ["mes"]))
        tenant, portal = await hosted_member(h, "dure")
        page = await portal.get(EXPERTS)

        # An empty message: the hub's words beside that expert's form, nothing asked.
        refused = await portal.post(f"{EXPERTS}/requests", {"expert": park["id"], "message": " "}, csrf_of(page), 400)
        assert "1~2000자의 글이 와야 합니다" in text_of(refused.text, f"error-{park['id']}")
        assert (await hub_of(tenant).get("/hub/support/experts/requests"))["requests"] == []

        # Asking twice: the hub's conflict, beside the same expert (the first stays the only one).
        await portal.post(f"{EXPERTS}/requests", {"expert": park["id"], "message": "도와주세요"}, csrf_of(page))
        again = await portal.post(f"{EXPERTS}/requests", {"expert": park["id"], "message": "다시"}, csrf_of(page), 409)
        assert "박전문에 대한 진행 중인 요청이 이미 있습니다" in text_of(again.text, f"error-{park['id']}")
        assert "이미 요청했습니다: 요청됨" in text_of(again.text, f"asked-{park['id']}")
        assert len((await hub_of(tenant).get("/hub/support/experts/requests"))["requests"]) == 1

        # An unknown expert is not found; a skill the vocabulary lacks is refused beside the filter.
        await portal.post(f"{EXPERTS}/requests", {"expert": "nobody", "message": "x"}, csrf_of(page), 404)
        unknown = await portal.get(f"{EXPERTS}?skills=welding-magic", status=400)
        assert "welding-magic" in text_of(unknown, "error-skills")
        assert 'id="requests"' in unknown  # the rest of the page stands


async def test_programs_show_funding_in_won_and_the_ineligible_ones_with_why_on_request(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        deadline = (h.clock.now().astimezone(SEOUL).date() + timedelta(days=45)).isoformat()
        fit = await added(
            h,
            "/hub/support/programs",
            program_doc("스마트공장 구축", {"amountKrw": 50_000_000}, sizes=["sme"], regions=["KR-48"])
            | {"deadline": deadline},
        )
        shared = await added(
            h, "/hub/support/programs", program_doc("제조 AI 바우처", {"sharePercent": 50, "capKrw": 150_000_000})
        )
        seoul = await added(
            h, "/hub/support/programs", program_doc("서울 제조 혁신", {"amountKrw": 20_000_000}, regions=["KR-11"])
        )
        _, portal = await hosted_member(h, "dure")

        page = await portal.get(PROGRAMS)
        first = article(page, f"program-{fit['id']}")
        assert "최대 5,000만 원 지원" in first and "경상남도 소재 기업 대상" in first
        year, month, day = (int(p) for p in deadline.split("-"))
        assert f"{year}년 {month}월 {day}일" in first and "45일 남음" in first
        assert "사업비의 50% 지원 (최대 1억 5,000만 원)" in article(page, f"program-{shared['id']}")
        assert page.index(f"program-{fit['id']}") < page.index(f"program-{shared['id']}")  # the better fit first
        assert f"program-{seoul['id']}" not in page and 'id="ineligible"' not in page

        others = await portal.get(f"{PROGRAMS}?ineligible=1")
        why = article(others, f"program-{seoul['id']}")
        assert "서울특별시 대상이며 귀사는 경상남도에 있습니다" in why and "신청할 수 없는 이유" in why
        assert "support." not in visible(others)

        page_en = await english(portal, f"{PROGRAMS}?ineligible=1")
        assert "Up to KRW 50,000,000" in article(page_en, f"program-{fit['id']}")
        assert "50% of the cost (up to KRW 150,000,000)" in article(page_en, f"program-{shared['id']}")
        assert "서울 제조 혁신 programme" in article(page_en, f"program-{seoul['id']}")


async def test_a_viewer_sees_no_form_and_a_form_without_the_sessions_token_is_refused(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        park = await added(h, "/hub/support/experts", expert_doc("박전문", ["mes"]))
        tenant, admin = await hosted_member(h, "dure")
        page = await admin.get(EXPERTS)
        form = {"expert": park["id"], "message": "도와주세요"}
        await admin.post(f"{EXPERTS}/requests", form, None, status=403)
        await admin.post(f"{EXPERTS}/requests", form, "forged", status=403)
        await admin.post(f"{EXPERTS}/requests", form | {"extra": "x"}, csrf_of(page), status=400)

        _, viewer = await hosted_member(h, "dure", role="viewer")
        seen = await viewer.get(EXPERTS)
        assert f"expert-{park['id']}" in seen and '<form method="post" action="/c/dure/portal/support' not in seen
        assert "열람자는 요청을 볼 수만 있고" in text_of(seen, "read-only")
        await viewer.post(f"{EXPERTS}/requests", form, csrf_of(seen), status=403)
        assert (await hub_of(tenant).get("/hub/support/experts/requests"))["requests"] == []


async def test_a_connector_without_a_hub_is_told_to_join_one(tmp_path: Path) -> None:
    async with hosted(tmp_path, ["solo"]) as space:
        client = await sign_in(space, space.tenants["solo"], "kim")
        portal = Portal(client, "/c/solo")
        for path in (
            EXPERTS,
            PROGRAMS,
            "/portal/support/cases",
            "/portal/support/benchmarks",
            "/portal/support/cases/x",
        ):
            page = await portal.get(path)
            assert "허브에 가입하지 않았습니다" in text_of(page, "no-hub"), path
        answer = await client.get(EXPERTS, headers={"Accept-Language": "en"})
        assert "has not joined a hub yet" in answer.text


async def test_a_hub_that_cannot_be_reached_is_said_so(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        _, portal = await hosted_member(h, "dure")
        h.space.router.down.add(httpx.URL("http://127.0.0.1:9100").netloc.decode())
        for path in (EXPERTS, PROGRAMS):
            answer = await portal.client.get(path, headers={"Accept-Language": "ko"})
            assert answer.status_code == 502 and "허브에 연결할 수 없습니다" in visible(answer.text), path

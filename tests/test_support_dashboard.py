"""The operator's dashboard, from a hub with members in every state, experts, requests, activity reports and a
catalog: the figures counted as the scenario says, the page in Korean and English for a signed-in operator (a
stranger sent to sign in, a viewer refused), and the Excel export holding the service's numbers."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from sangsaeng.activity import month_of
from sangsaeng.errors import Forbidden
from sangsaeng.hub.catalog.model import Member, MemberState
from sangsaeng.hub.members.brn import check_digit
from sangsaeng.hub.members.ksic import MANUFACTURING
from sangsaeng.hub.service.hub import Hub
from sangsaeng.portal import auth
from sangsaeng.portal.words import day_text
from sangsaeng.roles import API_KEY, Principal
from sangsaeng.support.service.dashboard import Cover, Dashboard, Figures, Levels, Tally
from sangsaeng.tenants.host import ROOT
from tests.hub_space import HUB_URL, Company, HubSpace, company, hub_space

pytestmark = pytest.mark.anyio
SEOUL = ZoneInfo("Asia/Seoul")
PASSWORD = "correct horse battery"


def brn(n: int) -> str:
    nine = f"{110810000 + n:09d}"
    return nine + str(check_digit(nine))


def expert_doc(name: str, sectors: list[str]) -> dict[str, Any]:
    return {
        "name": name, "organisation": "스마트제조혁신센터", "sectors": sectors, "regions": ["KR-48"],
        "skills": ["mes"], "languages": ["ko"], "availability": {"state": "available"},
        "contact": {"name": name, "email": "expert@example.co.kr", "phone": "055-000-1234"},
    }  # fmt: skip


def previous(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


@dataclass
class Scene:
    space: HubSpace
    hub: Hub
    month: str
    members: dict[str, Company]


async def ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    found: dict[str, Any] = answer.json()
    return found


@pytest.fixture
async def scene(tmp_path: Path) -> AsyncIterator[Scene]:
    async with hub_space(tmp_path) as space:
        op, raw = space.operator, space.raw
        m1, m2, m3, m4, m5 = (company(n) for n in range(1, 6))
        await space.approved(m1)  # C30, 경상남도, 중소기업, 현대차 1차
        a2 = await space.applied(m2, name="다온산업", brn=brn(2), ksic=["C29", "C3030"], region="서울", size="중견기업",
                                 tiers=[{"chain": "현대차", "tier": "OEM"}])  # fmt: skip
        await ok(await op.post(f"/hub/applications/{a2['id']}/approve"))
        await space.applied(m3, name="세움", brn=brn(3), tiers=[{"chain": "현대차", "tier": "2차"}])
        a4 = await space.applied(m4, name="바다식품", brn=brn(4), ksic=["C10"], region="부산", size="대기업")
        await ok(await op.post(f"/hub/applications/{a4['id']}/approve"))
        await ok(await op.post(f"/hub/applications/{a4['id']}/suspend", json={"reason": "계약 위반"}))
        a5 = await space.applied(m5, name="거절됨", brn=brn(5), ksic=["C20"])
        await ok(await op.post(f"/hub/applications/{a5['id']}/decline", json={"reason": "서류 미비"}))

        e1 = await ok(await op.post("/hub/support/experts", json=expert_doc("박전문", ["C30"])), 201)
        e2 = await ok(await op.post("/hub/support/experts", json=expert_doc("이전문", ["C10"])), 201)
        e3 = await ok(await op.post("/hub/support/experts", json=expert_doc("최은퇴", ["C30"])), 201)
        await ok(await op.post(f"/hub/support/experts/{e3['id']}/retire"))
        asked = [(m1, e1), (m2, e1), (m2, e2)]
        made = []
        for member, expert in asked:
            path = f"/hub/support/experts/{expert['id']}/requests"
            made.append(await ok(await raw.post(path, json={"message": "상담"}, headers=space.as_member(member)), 201))
        await ok(await op.post(f"/hub/support/experts/requests/{made[0]['id']}/accept", json={}))
        await ok(await op.post(f"/hub/support/experts/requests/{made[2]['id']}/decline", json={}))

        month = month_of(space.clock.now(), SEOUL)
        reports = [
            (m1, {"month": month, "datasetsOffered": 2, "agreementsProvided": 3}),
            (m2, {"month": month, "datasetsOffered": 1, "transfersProvided": 4}),
            (m1, {"month": previous(month), "agreementsProvided": 1}),
        ]
        for member, body in reports:
            await ok(await raw.post("/hub/support/activity", json=body, headers=space.as_member(member)))

        hub: Hub = space.app.state.host.contexts[ROOT].own(Hub, lambda: pytest.fail("no hub"))
        for member, sectors, datasets in ((m1, ("C30",), 3), (m2, ("C29", "C3030"), 2)):
            listed = Member(member.id, "x", f"http://127.0.0.1:{member.port}/dsp", sector=sectors)
            hub.catalog.index.replace(listed, [], MemberState(member.id, datasets=datasets))
        yield Scene(space, hub, month, {"m1": m1, "m2": m2})


async def test_the_figures_count_what_the_hub_holds(scene: Scene) -> None:
    figures = await Dashboard(scene.hub).figures(API_KEY)
    assert figures.sectors == (Tally("C30", 2, 0, 1), Tally("C10", 0, 1, 0), Tally("C29", 1, 0, 0))
    assert figures.regions == (Tally("KR-48", 1, 0, 1), Tally("KR-11", 1, 0, 0), Tally("KR-26", 0, 1, 0))
    assert figures.sizes == (Tally("sme", 1, 0, 1), Tally("midsize", 1, 0, 0), Tally("large", 0, 1, 0))
    assert figures.tiers == (Tally("OEM", 1, 0, 0), Tally("1차", 1, 1, 0), Tally("2차", 0, 0, 1))
    assert figures.datasets == (("C30", 5), ("C29", 2))
    # C29 has an approved member and no expert; C30 two members and one expert (the retired one not counted).
    assert figures.cover == (Cover("C29", 1, 0, True), Cover("C30", 2, 1, False), Cover("C10", 0, 1, False))
    assert figures.requests == (("requested", 1), ("accepted", 1), ("declined", 1), ("done", 0))
    # Approved members by sector, none assessed yet: C29 has m2, C30 has m1 and m2 (C3030 is in C30).
    assert figures.maturity == (Levels("C29", (0,) * 6, 1), Levels("C30", (0,) * 6, 2))
    assert len(figures.months) == 12 and figures.months[-1].month == scene.month
    last, before = figures.months[-1], figures.months[-2]
    assert before.month == previous(scene.month)
    assert (last.members, last.counts["datasetsOffered"], last.counts["agreementsProvided"]) == (2, 3, 3)
    assert (last.counts["transfersProvided"], before.members, before.counts["agreementsProvided"]) == (4, 1, 1)
    assert all(m.members == 0 and not any(m.counts.values()) for m in figures.months[:-2])
    stricter = await Dashboard(scene.hub, per_expert=1).figures(API_KEY)
    assert [c.sector for c in stricter.cover if c.too_few] == ["C30", "C29"]  # the most members first


async def test_only_the_operator_reads_the_figures(scene: Scene) -> None:
    with pytest.raises(Forbidden):
        await Dashboard(scene.hub).figures(Principal("kim", "viewer", "portal"))


@asynccontextmanager
async def signed_in(space: HubSpace, language: str, role: str = "admin") -> AsyncIterator[httpx.AsyncClient]:
    await auth.add_user(space.app.state.services.connector.store, role, PASSWORD, role, space.clock.now())
    transport = httpx.ASGITransport(app=space.app)
    async with httpx.AsyncClient(transport=transport, base_url=HUB_URL, cookies={"lang": language}) as client:
        page = await client.get("/portal/hub/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {"csrf": csrf.group(1), "name": role, "password": PASSWORD}
        answer = await client.post("/portal/hub/signin", data=form)
        assert answer.status_code == 303, answer.text
        yield client


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ko", ("운영 현황", "업종별 회원", "엑셀로 내려받기", "수치 보기", "전문가 부족", "자가진단")),
        ("en", ("Operator&#39;s dashboard", "Members by sector", "Download as Excel", "Show the numbers",
                "Too few experts", "self-assessment")),
    ],
)  # fmt: skip
async def test_the_page_shows_charts_and_numbers_in_the_readers_language(
    scene: Scene, language: str, words: tuple[str, ...]
) -> None:
    async with signed_in(scene.space, language) as client:
        page = await client.get("/portal/hub/dashboard")
    assert page.status_code == 200, page.text
    text = page.text
    for word in words:
        assert word in text, word
    motor = MANUFACTURING[30].ko if language == "ko" else MANUFACTURING[30].en
    assert f"C30 {motor}" in text.replace("&#39;", "'")
    assert text.count('role="img"') == 8  # members by 4 facts, datasets by sector, 3 activity charts
    assert day_text(scene.space.clock.now().astimezone(SEOUL).date(), language) in text  # the hub's day
    sectors = re.search(r'<table id="table-sectors">.*?</table>', text, re.S)
    assert sectors is not None
    first = re.search(r"<tbody>\s*<tr><th scope=\"row\">([^<]+)</th>(.*?)</tr>", sectors.group(0), re.S)
    assert first is not None and first.group(1).startswith("C30")
    assert re.findall(r'<td class="num">(\d+)</td>', first.group(2)) == ["2", "0", "1", "3"]
    assert 'href="/portal/hub/dashboard"' in text or '/portal/hub/dashboard"' in text  # in the navigation


async def test_a_stranger_is_sent_to_sign_in_and_a_viewer_is_refused(scene: Scene) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=scene.space.app), base_url=HUB_URL) as client:
        for path in ("/portal/hub/dashboard", "/portal/hub/dashboard.xlsx"):
            answer = await client.get(path)
            assert answer.status_code == 303 and answer.headers["location"].endswith("/portal/hub/signin")
    async with signed_in(scene.space, "ko", role="viewer") as viewer:
        for path in ("/portal/hub/dashboard", "/portal/hub/dashboard.xlsx"):
            assert (await viewer.get(path)).status_code == 403


def numbers_of(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)]


async def test_the_workbook_holds_the_services_numbers_with_headings_in_the_readers_language(scene: Scene) -> None:
    figures: Figures = await Dashboard(scene.hub).figures(API_KEY)
    async with signed_in(scene.space, "en") as client:
        answer = await client.get("/portal/hub/dashboard.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    day = scene.space.clock.now().astimezone(SEOUL).date().isoformat()
    assert f'filename="sangsaeng-hub-dashboard-{day}.xlsx"' in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert len(book.sheetnames) == 8 and book.sheetnames[0] == "Members by sector"
    sectors = book["Members by sector"]
    assert [c.value for c in sectors[1]] == ["Sector", "Approved", "Suspended", "Waiting for review", "Total"]
    assert [row[1:] for row in numbers_of(sectors)] == [[t.approved, t.suspended, t.applied, t.total]
                                                        for t in figures.sectors]  # fmt: skip
    assert [row[1] for row in numbers_of(book["Catalog datasets by sector"])] == [n for _, n in figures.datasets]
    months = numbers_of(book["Members' activity by month"])
    assert [(r[1], r[2], r[3], r[5]) for r in months] == [
        (m.members, m.counts["datasetsOffered"], m.counts["agreementsProvided"], m.counts["transfersProvided"])
        for m in figures.months
    ]
    assert all(isinstance(v, int) for row in months for v in row[1:])  # numbers, not text
    requests = numbers_of(book["Requests for an expert by state"])
    assert [r[1] for r in requests] == [n for _, n in figures.requests]
    cover = book["Experts and members by sector"]
    assert [r[1:3] for r in numbers_of(cover)[: len(figures.cover)]] == [[c.members, c.experts] for c in figures.cover]


async def assessed(space: HubSpace, member: Company, pick: int) -> int:
    """The member completes a self-assessment choosing option ``pick`` of every question; its level."""
    questionnaire = await ok(await space.raw.get("/hub/support/assessment/questionnaire?lang=en"))
    answers = {q["id"]: q["options"][pick]["id"] for q in questionnaire["questions"]}
    base, headers = "/hub/support/assessment", space.as_member(member)
    started = await ok(await space.raw.post(f"{base}/start", headers=headers), 201)
    await ok(
        await space.raw.put(
            f"{base}/{started['id']}/answers", json={"answers": answers}, headers=space.as_member(member)
        )
    )
    done = await ok(await space.raw.post(f"{base}/{started['id']}/complete", headers=space.as_member(member)))
    level: int = (
        done["result"]["level"]["level"] if isinstance(done["result"]["level"], dict) else done["result"]["level"]
    )
    return level


async def test_members_levels_by_sector_come_from_their_latest_assessment(scene: Scene) -> None:
    m1, m2 = scene.members["m1"], scene.members["m2"]
    await assessed(scene.space, m1, 0)
    high = await assessed(scene.space, m1, -1)  # the latest counts, not the first
    low = await assessed(scene.space, m2, 0)
    assert high > low
    figures = await Dashboard(scene.hub).figures(API_KEY)
    c29, c30 = [0] * 6, [0] * 6
    c29[low] += 1
    c30[low] += 1
    c30[high] += 1
    assert figures.maturity == (Levels("C29", tuple(c29), 1), Levels("C30", tuple(c30), 2))
    async with signed_in(scene.space, "ko") as browser:
        page = (await browser.get("/portal/hub/dashboard")).text
    assert 'id="maturity"' in page and "자가진단 완료" in page and "고도화" in page

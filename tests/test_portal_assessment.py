"""The self-assessment on a member's own portal (``portal/support/assessment.py``), in-process: a connector the hub
hosts walks the questionnaire through the portal's forms — a section at a time, saved in parts, left and resumed
where its answers stop, finished once nothing is open — and reads its result; a second assessment shows the one
before beside it. The hub's refusals land beside the question they name; a form without the session's token, a
viewer's answers and another member's assessment are refused; a connector without a hub is told to join one.

Expected bands and levels are worked out here from the questionnaire's published rules (a dimension's band is the
lowest band its answers support; a level counts when its criteria and those of every level below are met), not
read back from the scorer."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.hubclient.support import HubSupport
from tests.hosting_space import HubHosting, hosting_hub
from tests.hub_space import HUB_URL
from tests.tenants_space import Tenant, csrf_of, hosted, sign_in

pytestmark = pytest.mark.anyio

PAGE = "/portal/support/assessment"
Questionnaire = dict[str, Any]
Choose = Callable[[dict[str, Any]], str]


def at_least(band: int) -> Choose:
    """For each question, its least advanced option that supports ``band`` or more."""
    return lambda q: next(o["id"] for o in q["options"] if o["band"] >= band)


def expected(asked: Questionnaire, chosen: dict[str, str]) -> tuple[dict[str, int], int]:
    """Bands per dimension and the smart-factory level, by the rules the questionnaire states."""
    option = {q["id"]: next(o for o in q["options"] if o["id"] == chosen[q["id"]]) for q in asked["questions"]}
    bands: dict[str, int] = {}
    for q in asked["questions"]:
        bands[q["dimension"]] = min(bands.get(q["dimension"], 5), option[q["id"]]["band"])
    met = {c for o in option.values() for c in o["meets"]}
    level = 0
    for lv in sorted(asked["levels"], key=lambda lv: lv["level"])[1:]:
        if not {c["id"] for c in lv["criteria"]} <= met:
            break
        level = lv["level"]
    return bands, level


def text_of(html: str, anchor: str) -> str:
    """The visible text of the element with id ``anchor`` (up to its first closing tag of the same name)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(anchor)}"[^>]*>(.*?)</\1>', html, re.S)
    assert found is not None, f"no #{anchor} on the page"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(2)))).strip()


def on_page(html: str) -> dict[str, list[str]]:
    """The questions the page asks (its radio groups) and their options, in the page's order."""
    found: dict[str, list[str]] = {}
    for question, option in re.findall(r'name="answer\.([^"]+)" value="([^"]+)"', html):
        found.setdefault(question, []).append(option)
    return found


def checked(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="answer\.([^"]+)" value="([^"]+)" checked', html))


class Portal:
    """A person on a connector's portal (its client's base is the connector's prefix, ``/c/<name>``)."""

    def __init__(self, client: httpx.AsyncClient, prefix: str) -> None:
        self.client, self.prefix = client, prefix

    def local(self, location: str) -> str:
        assert location.startswith(self.prefix + "/portal/"), location
        return location.removeprefix(self.prefix)

    async def get(self, path: str, status: int = 200) -> str:
        answer = await self.client.get(path, headers={"Accept-Language": "ko"})
        assert answer.status_code == status, (answer.status_code, answer.text[:2000])
        return answer.text

    async def post(self, path: str, form: dict[str, str], csrf: str | None, status: int = 303) -> httpx.Response:
        data = form | ({"csrf": csrf} if csrf is not None else {})
        answer = await self.client.post(path, data=data, headers={"Accept-Language": "ko"})
        assert answer.status_code == status, (answer.status_code, answer.text[:2000])
        return answer

    async def start(self) -> tuple[str, str]:
        """Start or resume from the overview: the assessment's id and the walk page it lands on."""
        overview = await self.get(PAGE)
        moved = await self.post(f"{PAGE}/start", {}, csrf_of(overview))
        walk = self.local(moved.headers["location"])
        found = re.fullmatch(rf"{PAGE}/([0-9a-f-]+)/answer", walk)
        assert found is not None, walk
        return found.group(1), await self.get(walk)

    async def answer(self, page: str, choose: Choose, asked: Questionnaire, go: str, leave: int = 0) -> str:
        """Answer the page's questions (all but the last ``leave``) and press ``go``; the next page's HTML."""
        questions = {q["id"]: q for q in asked["questions"]}
        ids = list(on_page(page))
        form = {f"answer.{i}": choose(questions[i]) for i in ids[: len(ids) - leave]}
        action = re.search(r'<form method="post" action="[^"]*?(/portal/support/assessment/[^"]+/answer)"', page)
        section = re.search(r'name="section" value="(\d+)"', page)
        assert action is not None and section is not None
        moved = await self.post(action.group(1), form | {"section": section.group(1), "go": go}, csrf_of(page))
        return await self.get(self.local(moved.headers["location"]))


async def hosted_member(h: HubHosting, name: str, role: str = "admin") -> tuple[Tenant, Portal]:
    tenant = h.space.tenants[name]
    return tenant, Portal(await sign_in(h.space, tenant, f"{role}-{name}", role), f"/c/{name}")


def hub_of(tenant: Tenant) -> HubSupport:
    """The member asking its hub itself (what the pages must agree with)."""
    c = tenant.context.connector
    return HubSupport(c.settings, c.key, c.peer.http, c.now)


async def questionnaire(h: HubHosting) -> Questionnaire:
    assert h.space.anyone is not None
    answer = await h.space.anyone.get("/hub/support/assessment/questionnaire", params={"lang": "ko"})
    assert answer.status_code == 200, answer.text
    found: Questionnaire = answer.json()
    return found


async def walk_all(portal: Portal, asked: Questionnaire, choose: Choose) -> str:
    """Start and answer every section; finish on the last; the result page's HTML."""
    _, page = await portal.start()
    while 'id="finish"' not in page:
        page = await portal.answer(page, choose, asked, "next")
    return await portal.answer(page, choose, asked, "finish")


def dimension_rows(html: str) -> dict[str, str]:
    return {d: text_of(html, f"dimension-{d}") for d in re.findall(r'<tr id="dimension-([^"]+)"', html)}


async def test_a_hosted_member_walks_saves_resumes_finishes_and_reads_its_result(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        asked = await questionnaire(h)
        total = len(asked["questions"])
        tenant, portal = await hosted_member(h, "dure")
        first = await portal.get(PAGE)
        assert text_of(first, "start") == "자가진단 시작" and 'id="latest"' not in first

        # Section 1 answered whole; section 2 half, then "save and carry on later": the overview counts them.
        assessment, page = await portal.start()
        assert "1 / 5 구간" in page and text_of(page, "progress").startswith(f"답한 질문 0 / {total}")
        one = list(on_page(page))
        page = await portal.answer(page, at_least(2), asked, "next")
        assert "2 / 5 구간" in page and set(checked(page)) == set()
        two = list(on_page(page))
        moved = await portal.answer(page, at_least(2), asked, "save", leave=3)
        answered = len(one) + len(two) - 3
        assert text_of(moved, "draft").startswith(f"진행 중인 진단: {answered} / {total}")
        assert text_of(moved, "start") == "이어서 하기"

        # Coming back resumes on section 2, the saved answers checked, the three left open.
        again, page = await portal.start()
        assert again == assessment and "2 / 5 구간" in page
        assert set(checked(page)) == set(two[:-3])
        saved = (await hub_of(tenant).get(f"/hub/support/assessment/{assessment}"))["answers"]
        assert set(saved) == set(one) | set(two[:-3])

        # "Previous" saves too and goes back; then on to the end, leaving one question of section 3 open.
        page = await portal.answer(page, at_least(2), asked, "previous")
        assert "1 / 5 구간" in page and set(checked(page)) == set(one)
        page = await portal.answer(page, at_least(2), asked, "next")
        page = await portal.answer(page, at_least(2), asked, "next")
        three = list(on_page(page))
        page = await portal.answer(page, at_least(2), asked, "next", leave=1)
        while 'id="finish"' not in page:
            page = await portal.answer(page, at_least(2), asked, "next")
        assert "5 / 5 구간" in page

        # Finishing with one open: refused, the open question listed with a link to its section.
        last = dict.fromkeys(on_page(page))
        form = {f"answer.{q}": at_least(2)(next(x for x in asked["questions"] if x["id"] == q)) for q in last}
        refused = await portal.post(
            f"{PAGE}/{assessment}/answer", form | {"section": "5", "go": "finish"}, csrf_of(page), status=400
        )
        assert f"answer?section=3#q-{three[-1]}" in refused.text
        assert "아직 답하지 않은 질문이 1개" in text_of(refused.text, "missing")
        page = await portal.get(f"{PAGE}/{assessment}/answer")  # resumes where the answer is missing
        assert "3 / 5 구간" in page and three[-1] not in checked(page)
        page = await portal.answer(page, at_least(2), asked, "next")
        result = await portal.answer(
            await portal.get(f"{PAGE}/{assessment}/answer?section=5"), at_least(2), asked, "finish"
        )

        # The result: the level in words, every dimension's band by the stated rules, the radar chart, no "before".
        chosen = {q["id"]: at_least(2)(q) for q in asked["questions"]}
        bands, level = expected(asked, chosen)
        name = next(lv["name"] for lv in asked["levels"] if lv["level"] == level)
        assert text_of(result, "level").startswith(f"{name} (레벨 {level})")
        rows = dimension_rows(result)
        assert set(rows) == set(bands) and len(rows) == 16
        for dimension, band in bands.items():
            assert re.search(rf"\b{band} · ", rows[dimension]), (dimension, band, rows[dimension])
        assert result.count('class="axis"') == 16 and 'class="before"' not in result
        assert 'id="previous"' not in result and "<time datetime=" in result
        assert "<script" not in result.split("</header>", 1)[1]

        # The overview now shows it as the latest, with nothing to compare with yet.
        overview = await portal.get(PAGE)
        for shown in (first, moved, page, refused.text, result, overview):  # every word came from the catalogs
            assert "assessment." not in re.sub(r"<[^>]+>", " ", shown)
        assert text_of(overview, "level").startswith(f"{name} (레벨 {level})")
        assert text_of(overview, "start") == "새 진단 시작"
        assert all(text_of(overview, f"dimension-{d}").endswith("—") for d in bands)


async def test_a_second_assessment_shows_the_first_beside_it_with_the_change_per_dimension(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        asked = await questionnaire(h)
        _, portal = await hosted_member(h, "dure")
        await walk_all(portal, asked, at_least(2))
        h.clock.advance(days=90)
        _, portal = await hosted_member(h, "dure", role="steward")  # the first session ended meanwhile
        second = await walk_all(portal, asked, at_least(3))
        before, _ = expected(asked, {q["id"]: at_least(2)(q) for q in asked["questions"]})
        now, level = expected(asked, {q["id"]: at_least(3)(q) for q in asked["questions"]})
        previous_level = expected(asked, {q["id"]: at_least(2)(q) for q in asked["questions"]})[1]
        names = {lv["level"]: lv["name"] for lv in asked["levels"]}

        assert 'class="before"' in second and second.count('class="axis"') == 16
        assert text_of(second, "previous").startswith(f"이전 진단: {names[previous_level]} (레벨 {previous_level})")
        overview = await portal.get(PAGE)
        assert text_of(overview, "level").startswith(f"{names[level]} (레벨 {level})")
        assert 'class="before"' in overview
        for dimension in now:
            moved = now[dimension] - before[dimension]
            sign = f"+{moved}" if moved > 0 else ("0" if moved == 0 else f"−{-moved}")
            assert cells_of(overview, dimension) == [str(now[dimension]), str(before[dimension]), sign], dimension
        history = re.findall(rf'href="/c/dure{PAGE}/([0-9a-f-]+)"', text_between(overview, "history"))
        assert len(history) == 2
        # The first one's page has no "before": nothing came before it.
        oldest = await portal.get(f"{PAGE}/{history[-1]}")
        assert 'class="before"' not in oldest and 'id="previous"' not in oldest


def cells_of(html: str, dimension: str) -> list[str]:
    row = re.search(rf'<tr id="dimension-{re.escape(dimension)}">(.*?)</tr>', html, re.S)
    assert row is not None, dimension
    return [unescape(c).strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))]


def text_between(html: str, section: str) -> str:
    start = html.index(f'<section id="{section}"')
    return html[start : html.index("</section>", start)]


async def test_the_hubs_refusal_is_said_beside_the_question_it_names_and_the_answers_given_stay(
    tmp_path: Path,
) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        asked = await questionnaire(h)
        tenant, portal = await hosted_member(h, "dure")
        assessment, page = await portal.start()
        first, second = list(on_page(page))[:2]
        form = {f"answer.{first}": "not-an-option", f"answer.{second}": on_page(page)[second][1]}
        refused = await portal.post(
            f"{PAGE}/{assessment}/answer", form | {"section": "1", "go": "next"}, csrf_of(page), status=400
        )
        said = text_of(refused.text, f"error-{first}")
        assert "not-an-option은(는) 이 질문의 선택지가 아닙니다" in said and "다음 중에서 고르세요" in said
        assert checked(refused.text) == {second: on_page(page)[second][1]}  # what was chosen is kept
        assert 'id="problem"' not in refused.text
        assert (await hub_of(tenant).get(f"/hub/support/assessment/{assessment}"))["answers"] == {}
        # An answer for another page's question is the hub's to judge: a known one is saved.
        other = asked["questions"][-1]
        moved = await portal.post(
            f"{PAGE}/{assessment}/answer",
            {f"answer.{other['id']}": other["options"][0]["id"], "section": "1", "go": "next"},
            csrf_of(page),
        )
        assert moved.headers["location"].endswith("answer?section=2")
        saved = (await hub_of(tenant).get(f"/hub/support/assessment/{assessment}"))["answers"]
        assert saved == {other["id"]: other["options"][0]["id"]}


async def test_a_form_without_the_sessions_token_and_a_viewers_answers_are_refused(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        asked = await questionnaire(h)
        tenant, admin = await hosted_member(h, "dure")
        assessment, page = await admin.start()
        question = list(on_page(page))[0]
        form = {f"answer.{question}": on_page(page)[question][0], "section": "1", "go": "next"}
        await admin.post(f"{PAGE}/{assessment}/answer", form, None, status=403)
        await admin.post(f"{PAGE}/{assessment}/answer", form, "forged", status=403)
        await admin.post(f"{PAGE}/start", {}, None, status=403)
        assert (await hub_of(tenant).get(f"/hub/support/assessment/{assessment}"))["answers"] == {}

        _, viewer = await hosted_member(h, "dure", role="viewer")
        overview = await viewer.get(PAGE)
        assert 'id="start"' not in overview and "열람자는 결과만 볼 수 있습니다" in text_of(overview, "read-only")
        await viewer.get(f"{PAGE}/{assessment}/answer", status=403)
        await viewer.post(f"{PAGE}/{assessment}/answer", form, csrf_of(overview), status=403)
        await viewer.post(f"{PAGE}/start", {}, csrf_of(overview), status=403)
        unfinished = await viewer.get(f"{PAGE}/{assessment}")  # a draft: said so, no form
        assert (
            "아직 끝나지 않았습니다" in text_of(unfinished, "unfinished")
            and '<form method="post" action' not in (unfinished.split("</header>", 1)[1])
        )
        assert (await hub_of(tenant).get(f"/hub/support/assessment/{assessment}"))["answers"] == {}

        # Once the admin has finished it, the viewer reads the result.
        page = await admin.get(f"{PAGE}/{assessment}/answer")
        while 'id="finish"' not in page:
            page = await admin.answer(page, at_least(1), asked, "next")
        await admin.answer(page, at_least(1), asked, "finish")
        result = await viewer.get(f"{PAGE}/{assessment}")
        assert result.count('class="axis"') == 16 and 'id="level"' in result


async def test_another_members_assessment_and_an_unknown_one_are_not_found_alike(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h:
        _, dure = await hosted_member(h, "dure")
        _, hanbit = await hosted_member(h, "hanbit")
        theirs, _ = await dure.start()
        for path in (f"{PAGE}/{theirs}", f"{PAGE}/{theirs}/answer", f"{PAGE}/00000000-0000-4000-8000-000000000000"):
            page = await hanbit.get(path, status=404)
            assert theirs not in page.split("</header>", 1)[1]
        await dure.get(f"{PAGE}/{theirs}/answer?section=9", status=404)
        await dure.get(f"{PAGE}/{theirs}/answer?section=x", status=404)


async def test_a_connector_without_a_hub_is_told_to_join_one(tmp_path: Path) -> None:
    async with hosted(tmp_path, ["solo"]) as space:
        client = await sign_in(space, space.tenants["solo"], "kim")
        portal = Portal(client, "/c/solo")
        for path in (PAGE, f"{PAGE}/anything", f"{PAGE}/anything/answer"):
            page = await portal.get(path)
            assert "허브에 가입하지 않았습니다" in text_of(page, "no-hub"), path
            assert 'id="start"' not in page
        english = await client.get(PAGE, headers={"Accept-Language": "en"})
        assert "has not joined a hub yet" in english.text


async def test_a_suspended_member_reads_the_hubs_refusal_in_its_own_words(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        _, portal = await hosted_member(h, "dure")
        assessment, _ = await portal.start()
        application = h.signed_up["dure"]["application"]
        suspended = await h.operator.post(f"/hub/applications/{application}/suspend", json={"reason": "점검"})
        assert suspended.status_code == 200, suspended.text
        overview = await portal.client.get(PAGE, headers={"Accept-Language": "ko"})
        assert overview.status_code == 403 and 'id="start"' not in overview.text
        said = text_of(overview.text, "problem")
        assert "정지" in said and "suspended" not in said, said  # the hub's own words, in Korean
        walk = await portal.client.get(f"{PAGE}/{assessment}/answer", headers={"Accept-Language": "en"})
        assert walk.status_code == 403 and "suspended" in text_of(walk.text, "problem")


async def test_a_hub_that_cannot_be_reached_is_said_so_and_the_same_form_is_taken_once_it_is_back(
    tmp_path: Path,
) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        _, portal = await hosted_member(h, "dure")
        assessment, page = await portal.start()
        question, options = next(iter(on_page(page).items()))
        h.space.router.down.add(httpx.URL(HUB_URL).netloc.decode())  # the portal is reached, the hub is not
        form = {f"answer.{question}": options[1], "section": "1", "go": "next"}
        for path in (PAGE, f"{PAGE}/{assessment}", f"{PAGE}/{assessment}/answer"):
            answer = await portal.client.get(path, headers={"Accept-Language": "ko"})
            assert answer.status_code == 502 and "허브에 연결할 수 없습니다" in text_of(answer.text, "problem"), path
        refused = await portal.post(f"{PAGE}/{assessment}/answer", form, csrf_of(page), status=502)
        assert "허브에 연결할 수 없습니다" in text_of(refused.text, "problem")
        h.space.router.down.clear()
        moved = await portal.post(f"{PAGE}/{assessment}/answer", form, csrf_of(page))
        assert moved.headers["location"].endswith("answer?section=2")

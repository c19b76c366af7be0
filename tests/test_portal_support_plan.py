"""The tailored plan and the member's wants on its own portal (``portal/support/plan.py``), in-process on connectors
a hub hosts: the plan page shows the hub's next three steps, each with why, effort and gain, the skills an expert
would need linked to the experts' page, and the trace of conditions, in Korean and in English; a customer states a
want through the form (by tier, or naming a member), a refusal lands beside the field it names with what was
typed kept, and it withdraws one; a viewer reads the wants but cannot state or withdraw one; a form without the
session's token is refused; another member's want is not found; an unreachable hub is said so.

What the pages must show is read from the hub as the member (``hub_of``), never from the portal's own code."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hosting_space import hosting_hub
from tests.hub_space import HUB_URL
from tests.tenants_space import csrf_of
from tests.test_portal_assessment import hosted_member, hub_of, text_of
from tests.test_portal_korean import Visible, english_in, english_words
from tests.test_portal_support_overview import CUSTOMER, with_customer

pytestmark = pytest.mark.anyio

PLAN = "/portal/support/plan"
WANTS = "/portal/support/wants"


def steps_on(html: str) -> list[dict[str, str]]:
    """Each step on the page: its title, why, effort and gain as a person reads them (labels stripped)."""
    found = []
    for step in re.findall(r'<li id="step-\d+" class="step">(.*?)</li>\s*(?=<li id="step-|</ol>)', html, re.S):
        parts = {}
        for kind in ("title", "why", "effort", "gain"):
            match = re.search(rf'class="{kind}">(.*?)</(?:h3|p)>', step, re.S)
            assert match is not None, (kind, step)
            text = re.sub(r"<strong>.*?</strong>", "", match.group(1)) if kind != "title" else match.group(1)
            parts[kind] = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", text))).strip()
        found.append(parts)
    return found


def wants_on(html: str) -> list[dict[str, Any]]:
    """The wants listed: their visible cells and whether a withdraw button stands by them."""
    found = []
    for row in re.findall(r'<tr class="want (\w+)">(.*?)</tr>', html, re.S):
        cells = [
            re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1], re.S)
        ]
        action = re.search(r'action="[^"]*(/portal/support/wants/[^"]+/withdraw)"', row[1])
        found.append({"state": row[0], "cells": cells, "withdraw": action.group(1) if action else None})
    return found


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_the_plan_page_shows_three_steps_with_why_effort_and_gain(tmp_path: Path, language: str) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        tenant, portal = await hosted_member(h, "dure")
        page = await portal.client.get(PLAN, headers={"Accept-Language": language})
        assert page.status_code == 200, page.text
        plan = await hub_of(tenant).get("/hub/support/plan", language, lang=language)
        shown = steps_on(page.text)
        assert len(shown) == 3
        assert shown == [
            {"title": s["title"], "why": s["why"], "effort": s["effort"]["text"], "gain": s["gain"]}
            for s in plan["steps"]
        ]
        assert all(all(v for v in s.values()) for s in shown)
        # the trace, collapsed: each condition of each step with what the plan saw
        details = re.findall(r'<details class="why-here">(.*?)</details>', page.text, re.S)
        assert len(details) == 3
        for step, trace in zip(plan["steps"], details, strict=True):
            for check in step["trace"] + step["notYet"]:
                assert check["condition"] in unescape(trace), (check, trace)
                for seen in check["seen"]:
                    assert f"{seen['value']}</span>" in unescape(trace), (seen, trace)
        # the steps needing an expert link to the experts' page with their skills
        for step in plan["steps"]:
            if step["skills"]:
                skills = ",".join(s["id"] for s in step["skills"])
                assert f'/c/dure/portal/support/experts?skills={skills}"' in page.text
        later = text_of(page.text, "later")
        assert all(item["title"] in later for item in plan["later"])
        heading = "다음 세 단계" if language == "ko" else "Your next three steps"
        assert (
            heading in page.text
            and ("허브가 운영하는 귀사 커넥터" if language == "ko" else "hosted by the hub") in page.text
        )


async def test_a_step_with_skills_links_to_the_experts_who_have_them(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h, with_customer(h) as oem:
        # the customer asks the tier-2 suppliers for their inspection results: the supplier's plan answers it first
        await hub_of(oem).post(
            "/hub/support/plan/wants", {"entity": "quality_result", "why": "입고 검사 줄이기", "from": {"tier": "2차"}}
        )
        tenant, portal = await hosted_member(h, "dure")
        page = await portal.get(PLAN)
        plan = await hub_of(tenant).get("/hub/support/plan", "ko", lang="ko")
        assert plan["steps"][0]["skills"], plan["steps"][0]
        first = re.search(r'<li id="step-1" class="step">(.*?)</details>', page, re.S)
        assert first is not None
        skills = ",".join(s["id"] for s in plan["steps"][0]["skills"])
        assert f"/portal/support/experts?skills={skills}" in first.group(1)
        assert all(s["name"] in first.group(1) for s in plan["steps"][0]["skills"])
        assert f"{CUSTOMER} 요청: 품질 검사 결과 — “입고 검사 줄이기”" in text_of(page, "asks")


async def test_a_customer_states_wants_through_the_form_and_withdraws_one(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h, with_customer(h) as oem:
        dure = h.space.tenants["dure"]
        _, portal = await hosted_member(h, "oem")
        page = await portal.get(WANTS)
        assert "아직 요청이 없습니다" in text_of(page, "wants-none")
        assert '<option value="' + dure.id + '">Dure</option>' in page and oem.id not in page.split("<main>")[1]
        assert h.hub.settings.participant_id not in page.split("<main>")[1]  # the hub is nobody to ask for data

        by_tier = {
            "entity": "quality_result",
            "to": "tier",
            "tier": "2차",
            "chain": "",
            "why": "입고 검사 줄이기",
            "template": "quality-to-customer",
        }
        await portal.post(WANTS, by_tier, csrf_of(page))
        by_name = {"entity": "energy_record", "to": "members", "members": dure.id, "why": "탄소 보고", "template": ""}
        await portal.post(WANTS, by_name, csrf_of(page))
        mine = (await hub_of(oem).get("/hub/support/plan/wants"))["wants"]
        assert [(w["entity"]["id"], w["from"], w["why"], (w["template"] or {}).get("id")) for w in mine] == [
            ("quality_result", {"chain": "현대차", "tier": "2차"}, "입고 검사 줄이기", "quality-to-customer"),
            ("energy_record", {"members": [{"id": dure.id, "name": "Dure"}]}, "탄소 보고", None),
        ]
        listed = wants_on(await portal.get(WANTS))
        assert [w["cells"][:4] for w in listed] == [
            [
                "품질 검사 결과 제공 조건 양식: 직접 고객사에 품질 데이터 제공 (품질 분석용, 재배포 금지)",
                "현대차의 2차 협력사",
                "입고 검사 줄이기",
                "진행 중",
            ],
            ["에너지 사용량", "Dure", "탄소 보고", "진행 중"],
        ]
        addressed = (await hub_of(dure).get("/hub/support/plan/wants/addressed"))["wants"]
        assert sorted(w["entity"]["id"] for w in addressed) == ["energy_record", "quality_result"]

        # withdrawn: said so, no button any more, and the supplier no longer reads it
        moved = await portal.post(listed[1]["withdraw"], {}, csrf_of(page))
        assert moved.headers["location"] == f"/c/oem{WANTS}"
        again = wants_on(await portal.get(WANTS))
        assert [(w["state"], w["cells"][3], w["withdraw"] is None) for w in again] == [
            ("open", "진행 중", False),
            ("withdrawn", "철회함", True),
        ]
        addressed = (await hub_of(dure).get("/hub/support/plan/wants/addressed"))["wants"]
        assert [w["entity"]["id"] for w in addressed] == ["quality_result"]
        # withdrawing it again: the hub's refusal, said on the page
        twice = await portal.post(listed[1]["withdraw"], {}, csrf_of(page), status=409)
        assert text_of(twice.text, "problem")


async def test_the_hubs_refusal_is_said_beside_the_field_and_what_was_typed_stays(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h, with_customer(h) as oem:
        _, portal = await hosted_member(h, "oem")
        page = await portal.get(WANTS)
        nobody = {"entity": "quality_result", "to": "members", "why": "입고 검사 줄이기 위해", "template": ""}
        refused = await portal.post(WANTS, nobody, csrf_of(page), status=400)
        assert text_of(refused.text, "error-members") and 'id="error-why"' not in refused.text
        assert "입고 검사 줄이기 위해</textarea>" in refused.text and 'value="members" checked' in refused.text
        empty = {"entity": "quality_result", "to": "tier", "tier": "2차", "why": "   ", "template": ""}
        refused = await portal.post(WANTS, empty, csrf_of(page), status=400)
        assert text_of(refused.text, "error-why") and 'id="error-members"' not in refused.text
        english = await portal.client.post(
            WANTS, data=empty | {"csrf": csrf_of(page)}, headers={"Accept-Language": "en"}
        )
        assert english.status_code == 400 and re.search(r"[A-Za-z]{4,}", text_of(english.text, "error-why"))
        assert (await hub_of(oem).get("/hub/support/plan/wants"))["wants"] == []
        # a field the form never has is refused whole
        await portal.post(WANTS, empty | {"why": "이유", "extra": "x"}, csrf_of(page), status=400)
        assert (await hub_of(oem).get("/hub/support/plan/wants"))["wants"] == []


async def test_a_viewer_reads_wants_but_cannot_state_or_withdraw_and_forms_need_the_token(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h, with_customer(h) as oem:
        stated = await hub_of(oem).post(
            "/hub/support/plan/wants", {"entity": "quality_result", "why": "품질", "from": {"tier": "2차"}}
        )
        _, admin = await hosted_member(h, "oem")
        _, viewer = await hosted_member(h, "oem", role="viewer")
        page = await viewer.get(WANTS)
        listed = wants_on(page)
        assert len(listed) == 1 and listed[0]["withdraw"] is None and 'id="want-form"' not in page
        assert "열람자는 요청을 보기만 할 수 있습니다" in text_of(page, "read-only")
        form = {"entity": "energy_record", "to": "tier", "tier": "2차", "why": "탄소", "template": ""}
        await viewer.post(WANTS, form, csrf_of(page), status=403)
        await viewer.post(f"{WANTS}/{stated['id']}/withdraw", {}, csrf_of(page), status=403)

        await admin.post(WANTS, form, None, status=403)
        await admin.post(WANTS, form, "forged", status=403)
        await admin.post(f"{WANTS}/{stated['id']}/withdraw", {}, None, status=403)
        mine = (await hub_of(oem).get("/hub/support/plan/wants"))["wants"]
        assert [(w["id"], w["state"]) for w in mine] == [(stated["id"], "open")]


async def test_another_members_want_and_an_unknown_one_are_not_found_alike(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h, with_customer(h) as oem:
        theirs = await hub_of(oem).post(
            "/hub/support/plan/wants", {"entity": "quality_result", "why": "품질", "from": {"tier": "2차"}}
        )
        _, dure = await hosted_member(h, "dure")
        page = await dure.get(WANTS)
        for want in (theirs["id"], "urn:uuid:00000000-0000-4000-8000-000000000000"):
            refused = await dure.post(f"{WANTS}/{want}/withdraw", {}, csrf_of(page), status=404)
            assert want not in refused.text.split("</header>", 1)[1]
        mine = (await hub_of(oem).get("/hub/support/plan/wants"))["wants"]
        assert [w["state"] for w in mine] == ["open"]


async def test_an_unreachable_hub_is_said_on_the_plan_and_the_wants(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        _, portal = await hosted_member(h, "dure")
        page = await portal.get(WANTS)
        h.space.router.down.add(httpx.URL(HUB_URL).netloc.decode())
        for path in (PLAN, WANTS):
            answer = await portal.client.get(path, headers={"Accept-Language": "ko"})
            assert answer.status_code == 502 and "허브에 연결할 수 없습니다" in text_of(answer.text, "problem"), path
        form = {"entity": "energy_record", "to": "tier", "tier": "1차", "why": "탄소", "template": ""}
        refused = await portal.post(WANTS, form, csrf_of(page), status=502)
        assert "허브에 연결할 수 없습니다" in text_of(refused.text, "problem") and "탄소</textarea>" in refused.text


async def test_the_plan_and_the_wants_speak_korean_and_english(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h, with_customer(h) as oem:
        await hub_of(oem).post(
            "/hub/support/plan/wants",
            {
                "entity": "quality_result",
                "why": "입고 검사",
                "from": {"tier": "2차"},
                "template": "quality-to-customer",
            },
        )
        _, dure = await hosted_member(h, "dure")
        _, customer = await hosted_member(h, "oem")
        vocabulary = english_words() - {"ksic"}  # 업종(KSIC): Koreans name the classification so too
        for portal, path in ((dure, PLAN), (customer, WANTS)):
            korean = Visible.text(await portal.get(path))
            assert english_in(korean, vocabulary) == set() and "urn:" not in korean, (path, korean)
            english = await portal.client.get(path, headers={"Accept-Language": "en"})
            # what people wrote stays as written: the customer's name, its chain, its reason
            shown = Visible.text(english.text, "en")
            for written in (CUSTOMER, "현대차", "입고 검사"):
                shown = shown.replace(written, "")
            assert not re.search(r"[가-힣]{2,}", shown) and "urn:" not in shown, (path, shown)

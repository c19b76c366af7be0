"""``/hub/support/plan`` in-process: members declare what they want of their partners; a want reaches the members
it is addressed to — by their tier in the asker's chain, or by name — with the asker's name, and no one else; a
member's plan says who asked for what and why, in the language asked for; the operator reads any member's plan."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.hub_space import Company, HubSpace, company, hub_space

pytestmark = pytest.mark.anyio
PLAN = "/hub/support/plan"
WANTS = f"{PLAN}/wants"


@dataclass
class Chain:
    hub: HubSpace
    oem: Company  # 현대모터, OEM of the chain 현대모터
    t1: Company  # 한빛정밀, its 1차
    t2: Company  # 대성금속, its 2차
    other: Company  # 기아부품, 1차 of another chain
    applications: dict[str, str]  # application id by participant id

    def me(self, member: Company, **headers: str) -> dict[str, str]:
        return self.hub.as_member(member) | headers


def chain_facts(name: str, chain: str, tier: str, size: str = "중소기업") -> dict[str, Any]:
    return {"name": name, "tiers": [{"chain": chain, "tier": tier}], "size": size}


@pytest.fixture
async def chain(tmp_path: Path) -> AsyncIterator[Chain]:
    async with hub_space(tmp_path) as hub:
        members = [company(1), company(2), company(3), company(4)]
        facts = [
            chain_facts("현대모터", "현대모터", "OEM", "대기업"),
            chain_facts("한빛정밀", "현대모터", "1차"),
            chain_facts("대성금속", "현대모터", "2차"),
            chain_facts("기아부품", "기아", "1차"),
        ]
        applications = {}
        for member, given in zip(members, facts, strict=True):
            filed = await hub.applied(member, **given)
            approved = await hub.operator.post(f"/hub/applications/{filed['id']}/approve")
            assert approved.status_code == 200, approved.text
            applications[member.id] = filed["id"]
        yield Chain(hub, *members, applications)


async def post_want(c: Chain, member: Company, **body: Any) -> dict[str, Any]:
    answer = await c.hub.raw.post(WANTS, json=body, headers=c.me(member))
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def addressed(c: Chain, member: Company) -> list[dict[str, Any]]:
    answer = await c.hub.raw.get(f"{WANTS}/addressed", headers=c.me(member))
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["wants"]
    return found


QUALITY = {"entity": "quality_result", "why": "수입검사를 줄이려고 합니다", "template": "quality-to-customer"}


async def test_a_want_by_tier_reaches_that_tier_of_the_askers_chain_with_the_askers_name(chain: Chain) -> None:
    made = await post_want(chain, chain.oem, **QUALITY, **{"from": {"tier": "1차"}})
    assert made["state"] == "open" and made["from"] == {"chain": "현대모터", "tier": "1차"}
    assert made["entity"] == {"id": "quality_result", "ko": "품질 검사 결과", "en": "Quality result"}
    assert made["template"]["id"] == "quality-to-customer" and made["createdAt"].endswith("+09:00")

    seen = await addressed(chain, chain.t1)
    assert [(w["id"], w["asker"]["name"], w["reached"], w["why"]) for w in seen] == [
        (made["id"], "현대모터", "tier", "수입검사를 줄이려고 합니다")
    ]
    assert "from" not in seen[0]  # whom else a want names is the asker's business
    assert await addressed(chain, chain.t2) == []  # another tier of the same chain
    assert await addressed(chain, chain.other) == []  # the same tier of another chain
    assert await addressed(chain, chain.oem) == []  # its own
    mine = (await chain.hub.raw.get(WANTS, headers=chain.me(chain.oem))).json()["wants"]
    assert [w["id"] for w in mine] == [made["id"]]
    assert (await chain.hub.raw.get(WANTS, headers=chain.me(chain.t1))).json()["wants"] == []


async def test_a_want_by_name_reaches_the_members_named_and_no_one_else(chain: Chain) -> None:
    made = await post_want(
        chain, chain.t1, entity="product_footprint", why="고객사 CBAM 보고", **{"from": {"members": [chain.t2.id]}}
    )
    assert made["from"] == {"members": [{"id": chain.t2.id, "name": "대성금속"}]}
    seen = await addressed(chain, chain.t2)
    assert [(w["asker"]["name"], w["reached"], w["entity"]["id"]) for w in seen] == [
        ("한빛정밀", "name", "product_footprint")
    ]
    for member in (chain.oem, chain.other, chain.t1):
        assert await addressed(chain, member) == []


async def test_only_the_asker_withdraws_its_want_and_another_member_is_told_it_does_not_exist(chain: Chain) -> None:
    made = await post_want(chain, chain.oem, **QUALITY, **{"from": {"tier": "1차"}})
    theirs = await chain.hub.raw.delete(f"{WANTS}/{made['id']}", headers=chain.me(chain.t1))
    unknown = await chain.hub.raw.delete(f"{WANTS}/urn:uuid:nothing", headers=chain.me(chain.t1))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"] == "not-found"
    assert theirs.json()["error"]["message"] == f"There is no want {made['id']}"
    assert "없습니다" in theirs.json()["error"]["details"]["message_ko"]
    assert len(await addressed(chain, chain.t1)) == 1  # still open

    withdrawn = await chain.hub.raw.delete(f"{WANTS}/{made['id']}", headers=chain.me(chain.oem))
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert await addressed(chain, chain.t1) == []
    again = await chain.hub.raw.delete(f"{WANTS}/{made['id']}", headers=chain.me(chain.oem))
    assert again.status_code == 409
    kept = (await chain.hub.raw.get(WANTS, params={"state": "withdrawn"}, headers=chain.me(chain.oem))).json()
    assert [w["id"] for w in kept["wants"]] == [made["id"]]
    assert (await chain.hub.raw.get(WANTS, params={"state": "open"}, headers=chain.me(chain.oem))).json() == {
        "wants": []
    }


@pytest.mark.parametrize(
    ("body", "at"),
    [
        ({**QUALITY, "from": {"tier": "1차"}, "urgent": True}, "urgent"),
        ({**QUALITY, "entity": "inspection_result", "from": {"tier": "1차"}}, "entity"),
        ({**QUALITY, "why": " ", "from": {"tier": "1차"}}, "why"),
        ({**QUALITY, "template": "quality", "from": {"tier": "1차"}}, "template"),
        ({**QUALITY, "from": {"tier": "1st"}}, "from.tier"),
        ({**QUALITY, "from": {"tier": "1차", "chain": "기아"}}, "from.chain"),  # not a chain it serves
        ({**QUALITY, "from": {"tier": "1차", "members": []}}, "from"),
        ({**QUALITY, "from": {"members": ["urn:uuid:00000000-0000-4000-8000-000000000099"]}}, "from.members[0]"),
        ({**QUALITY, "from": {"members": ["not an id"]}}, "from.members[0]"),
        ({**QUALITY}, "from"),
        ([], "$"),
    ],
)
async def test_a_want_it_cannot_read_is_refused_where_it_is_in_both_languages(chain: Chain, body: Any, at: str) -> None:
    answer = await chain.hub.raw.post(WANTS, json=body, headers=chain.me(chain.oem))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["position"] == at and error["message"] and error["details"]["message_ko"]
    assert (await chain.hub.raw.get(WANTS, headers=chain.me(chain.oem))).json() == {"wants": []}


async def test_a_member_cannot_ask_itself_and_a_want_names_only_members(chain: Chain) -> None:
    itself = await chain.hub.raw.post(
        WANTS, json={**QUALITY, "from": {"members": [chain.oem.id]}}, headers=chain.me(chain.oem)
    )
    assert itself.status_code == 400 and itself.json()["error"]["position"] == "from.members[0]"
    applicant = company(9)
    await chain.hub.applied(applicant, name="신청만한회사")  # applied, never approved
    named = await chain.hub.raw.post(
        WANTS, json={**QUALITY, "from": {"members": [applicant.id]}}, headers=chain.me(chain.oem)
    )
    assert named.status_code == 400 and named.json()["error"]["position"] == "from.members[0]"


async def test_a_suspended_member_may_not_use_the_plan_and_its_wants_reach_no_one(chain: Chain) -> None:
    await post_want(chain, chain.oem, **QUALITY, **{"from": {"tier": "1차"}})
    suspended = await chain.hub.operator.post(
        f"/hub/applications/{chain.applications[chain.oem.id]}/suspend", json={"reason": "점검"}
    )
    assert suspended.status_code == 200, suspended.text
    assert await addressed(chain, chain.t1) == []
    for method, path in (("GET", PLAN), ("GET", WANTS), ("GET", f"{WANTS}/addressed"), ("POST", WANTS)):
        answer = await chain.hub.raw.request(method, path, json=QUALITY, headers=chain.me(chain.oem))
        assert answer.status_code == 403, (path, answer.text)
    assert (await chain.hub.raw.get(PLAN)).status_code == 401
    assert (await chain.hub.raw.get(WANTS)).status_code == 401


async def test_my_plan_says_who_asked_for_what_and_why_in_the_language_asked_for(chain: Chain) -> None:
    await post_want(chain, chain.oem, **QUALITY, **{"from": {"tier": "1차"}})
    english = await chain.hub.raw.get(PLAN, headers=chain.me(chain.t1, **{"Accept-Language": "en-GB,en;q=0.9"}))
    assert english.status_code == 200, english.text
    plan = english.json()
    assert plan["language"] == "en" and plan["member"] == {"id": chain.t1.id, "name": "한빛정밀"}
    first = plan["steps"][0]
    assert first["id"] == "answer-quality-request" and first["rank"] == 1
    assert first["why"].startswith("현대모터 asked for your Quality result: “수입검사를 줄이려고 합니다”.")
    assert first["effort"]["text"] == "about 1 day, no extra cost"
    assert [s["id"] for s in first["skills"]] == ["quality-spc", "dataspace-onboarding"]
    assert first["trace"][0]["held"] is True
    assert first["trace"][0]["explained"] == [
        "data partners asked for: Quality result → ‘requested_of_it has quality_result’ holds"
    ]
    assert plan["asks"] == [
        {
            "entity": {"id": "quality_result", "ko": "품질 검사 결과", "en": "Quality result"},
            "asker": "현대모터",
            "why": "수입검사를 줄이려고 합니다",
        }
    ]
    assert plan["facts"]["assessed"] == {"value": "no", "known": True} and plan["sources"] == []
    assert len(plan["steps"]) == 3 and len({s["id"] for s in plan["steps"]}) == 3

    korean = (await chain.hub.raw.get(PLAN, params={"lang": "ko"}, headers=chain.me(chain.t1))).json()
    assert korean["language"] == "ko" and korean["steps"][0]["why"].startswith("현대모터이(가) 품질 검사 결과을(를)")
    plain = (await chain.hub.raw.get(PLAN, headers=chain.me(chain.t1))).json()
    assert plain["language"] == "ko"  # Korean first when nothing is asked
    wrong = await chain.hub.raw.get(PLAN, params={"lang": "fr"}, headers=chain.me(chain.t1))
    assert wrong.status_code == 400 and wrong.json()["error"]["position"] == "lang"
    # A member not asked for anything is not told it was.
    others = (await chain.hub.raw.get(PLAN, params={"lang": "en"}, headers=chain.me(chain.t2))).json()
    assert "answer-quality-request" not in [s["id"] for s in others["steps"]] and others["asks"] == []


async def test_the_operator_reads_a_members_plan_by_participant_or_application_id(chain: Chain) -> None:
    await post_want(chain, chain.oem, **QUALITY, **{"from": {"tier": "1차"}})
    by_pid = await chain.hub.operator.get(f"{PLAN}/members/{chain.t1.id}", params={"lang": "en"})
    assert by_pid.status_code == 200, by_pid.text
    by_application = await chain.hub.operator.get(f"{PLAN}/members/{chain.applications[chain.t1.id]}?lang=en")
    mine = await chain.hub.raw.get(PLAN, params={"lang": "en"}, headers=chain.me(chain.t1))
    assert by_pid.json() == by_application.json() == mine.json()
    unknown = await chain.hub.operator.get(f"{PLAN}/members/urn:uuid:nobody")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not-found"
    as_member = await chain.hub.raw.get(f"{PLAN}/members/{chain.t1.id}", headers=chain.me(chain.oem))
    assert as_member.status_code == 401


def mangled(rng: random.Random) -> Any:
    """A want changed in one to three places: keys dropped or added, values of every JSON type, long, empty."""
    junk: list[Any] = [None, True, 0, -1, 2**63, 1.5, "", " ", "x" * 5000, "\u0000", [], {}, ["1차"], {"tier": None}]
    body: dict[str, Any] = {**QUALITY, "from": {"tier": "1차"}}
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(["entity", "why", "template", "from", "extra", "from.tier", "from.chain", "from.members"])
        if "." in key:
            outer, inner = key.split(".")
            body[outer] = dict(body[outer]) if isinstance(body.get(outer), dict) else {}
            body[outer][inner] = rng.choice(junk)
        elif rng.random() < 0.3:
            body.pop(key, None)
        else:
            body[key] = rng.choice(junk)
    return body if rng.random() < 0.9 else rng.choice(junk)


async def test_mangled_wants_are_refused_in_the_one_error_shape_never_with_a_server_error(chain: Chain) -> None:
    rng = random.Random(18)
    made = 0
    for _ in range(60):
        answer = await chain.hub.raw.post(WANTS, json=mangled(rng), headers=chain.me(chain.oem))
        assert answer.status_code in (201, 400), answer.text
        if answer.status_code == 201:
            made += 1
            continue
        error = answer.json()["error"]
        assert error["code"] == "invalid-input" and error["message"] and "position" in error
    mine = (await chain.hub.raw.get(WANTS, headers=chain.me(chain.oem))).json()["wants"]
    assert len(mine) == made < 30  # nothing half-written; most were refused

"""Programs taken up through the hub's API, in-process: a member says what became of a listed program and reads its
own, each new state kept with when; another member's take-up is never seen; a retired or unknown program is not
found; a state or field the hub does not know is refused where it is wrong, in Korean and English; a suspended
member and a stranger say nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.hub_space import Company, HubSpace, hub_space
from tests.test_support_experts_api import added, member_of, program_doc

pytestmark = pytest.mark.anyio
MINE = "/hub/support/programs/uptake/mine"


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as space:
        yield space


async def say(hub: HubSpace, member: Company, program_id: str, body: Any, status: int = 200) -> dict[str, Any]:
    path = f"/hub/support/programs/{program_id}/uptake"
    answer = await hub.raw.post(path, json=body, headers=hub.as_member(member))
    assert answer.status_code == status, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def mine(hub: HubSpace, member: Company) -> list[dict[str, Any]]:
    answer = await hub.raw.get(MINE, headers=hub.as_member(member))
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["uptake"]
    return found


async def test_a_member_says_and_reads_its_own_take_up_with_each_state_and_when(hub: HubSpace) -> None:
    a = await member_of(hub, 1)
    program = await added(hub.operator, "/hub/support/programs", program_doc("스마트공장 구축"))
    before = hub.clock.now()
    made = await say(hub, a, program["id"], {"state": "applied", "note": "3월 접수"})
    first_at = made["updatedAt"]
    assert first_at.endswith("+09:00") and before <= datetime.fromisoformat(first_at) <= hub.clock.now()
    assert made["program"] == {"id": program["id"], "name": {"ko": "스마트공장 구축", "en": "스마트공장 구축 (en)"},
                               "retired": False}  # fmt: skip
    assert made["state"] == {"code": "applied", "ko": "신청함", "en": "applied"} and made["note"] == "3월 접수"
    assert made["history"] == [{"state": "applied", "at": first_at}] and made["updatedAt"] == first_at

    hub.clock.advance(days=30)
    later = hub.clock.now()
    await say(hub, a, program["id"], {"state": "granted"})
    [kept] = await mine(hub, a)
    later_at = kept["updatedAt"]
    assert datetime.fromisoformat(later_at) >= later >= datetime.fromisoformat(first_at) + timedelta(days=30)
    assert kept["state"]["code"] == "granted" and kept["note"] is None and kept["updatedAt"] == later_at
    assert kept["history"] == [{"state": "applied", "at": first_at}, {"state": "granted", "at": later_at}]

    hub.clock.advance(days=1)
    await say(hub, a, program["id"], {"state": "granted"})  # the same again: no new step, nothing changed
    [again] = await mine(hub, a)
    assert again == kept


async def test_another_members_take_up_is_never_seen(hub: HubSpace) -> None:
    a, b = await member_of(hub, 1), await member_of(hub, 2, name="다온산업", brn="110-81-00010")
    one = await added(hub.operator, "/hub/support/programs", program_doc("하나"))
    two = await added(hub.operator, "/hub/support/programs", program_doc("둘"))
    await say(hub, a, one["id"], {"state": "applied"})
    await say(hub, b, one["id"], {"state": "declined"})
    await say(hub, b, two["id"], {"state": "withdrawn"})
    assert [(u["program"]["id"], u["state"]["code"]) for u in await mine(hub, a)] == [(one["id"], "applied")]
    theirs = {(u["program"]["id"], u["state"]["code"]) for u in await mine(hub, b)}
    assert theirs == {(one["id"], "declined"), (two["id"], "withdrawn")}


async def test_a_retired_or_unknown_program_is_not_found_alike(hub: HubSpace) -> None:
    a = await member_of(hub, 1)
    program = await added(hub.operator, "/hub/support/programs", program_doc("끝난 사업"))
    await say(hub, a, program["id"], {"state": "applied"})
    retired = await hub.operator.post(f"/hub/support/programs/{program['id']}/retire")
    assert retired.status_code == 200
    gone = await say(hub, a, program["id"], {"state": "granted"}, status=404)
    never = await say(hub, a, "no-such-program", {"state": "granted"}, status=404)
    assert gone["error"]["code"] == never["error"]["code"] == "not-found"
    assert gone["error"]["message"].replace(program["id"], "X") == never["error"]["message"].replace(
        "no-such-program", "X"
    )
    [kept] = await mine(hub, a)  # what was said before stays the member's, the program marked retired
    assert kept["state"]["code"] == "applied" and kept["program"]["retired"] is True


@pytest.mark.parametrize(
    ("body", "position"),
    [
        ({"state": "won"}, "state"),
        ({"state": 3}, "state"),
        ({}, "state"),
        ({"state": "applied", "amount": 5}, "amount"),
        ({"state": "applied", "note": " "}, "note"),
        (["applied"], "$"),
    ],
)
async def test_what_the_hub_does_not_understand_is_refused_where_it_is_wrong(
    hub: HubSpace, body: Any, position: str
) -> None:
    a = await member_of(hub, 1)
    program = await added(hub.operator, "/hub/support/programs", program_doc("지원"))
    error = (await say(hub, a, program["id"], body, status=400))["error"]
    assert (error["code"], error.get("position")) == ("invalid-input", position)
    assert error["message"] and error["details"]["message_ko"] != error["message"]
    assert await mine(hub, a) == []


async def test_a_suspended_member_and_a_stranger_say_nothing(hub: HubSpace) -> None:
    a = await member_of(hub, 1)
    program = await added(hub.operator, "/hub/support/programs", program_doc("지원"))
    suspended = await hub.operator.post(
        f"/hub/applications/{a.application_id}/suspend",  # type: ignore[attr-defined]
        json={"reason": "계약 위반"},
    )
    assert suspended.status_code == 200
    await say(hub, a, program["id"], {"state": "applied"}, status=403)
    assert (await hub.raw.get(MINE, headers=hub.as_member(a))).status_code == 403
    assert (await hub.raw.get(MINE)).status_code == 401
    assert (
        await hub.raw.post(f"/hub/support/programs/{program['id']}/uptake", json={"state": "applied"})
    ).status_code == 401

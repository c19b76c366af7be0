"""The benchmarks' API on an in-process hub: who may call what (members by their tokens, the operator by the API
key, a suspended member refused), the aggregates-only agreement before any value is taken, a batch checked whole
(unknown indicator, wrong unit, a unit converted, out of range, twice, a period replaced), releases within the
budget, published and suppressed cells, a member's position — and no answer to anyone that holds another
member's value."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sangsaeng.identity.keys import generate_key
from tests.hub_space import Company, HubSpace, company, hub_space

pytestmark = pytest.mark.anyio
BASE = "/hub/support/benchmarks"


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as space:
        yield space


def year(hub: HubSpace) -> str:
    return str(hub.clock.now().year)


async def member(hub: HubSpace, number: int, region: str = "경상남도", ksic: str = "C30") -> Company:
    made = company(number)
    application = await hub.applied(made, region=region, ksic=[ksic])
    answer = await hub.operator.post(f"/hub/applications/{application['id']}/approve")
    assert answer.status_code == 200, answer.text
    return made


async def agreed(hub: HubSpace, made: Company) -> None:
    terms = await hub.raw.get(f"{BASE}/terms", headers=hub.as_member(made))
    assert terms.status_code == 200, terms.text
    answer = await hub.raw.post(
        f"{BASE}/agreement", json={"terms": terms.json()["version"]}, headers=hub.as_member(made)
    )
    assert answer.status_code == 200 and answer.json()["agreed"] is True, answer.text


async def contribute(hub: HubSpace, made: Company, *items: dict[str, Any]) -> Any:
    return await hub.raw.post(f"{BASE}/contributions", json={"contributions": list(items)}, headers=hub.as_member(made))


def oee(value: float, period: str, unit: str = "%") -> dict[str, Any]:
    return {"indicator": "oee", "period": period, "value": value, "unit": unit}


async def test_members_and_the_operator_only_each_at_their_own_routes(hub: HubSpace) -> None:
    made = await member(hub, 1)
    period = year(hub)
    for method, path in (
        ("GET", "/terms"),
        ("GET", "/agreement"),
        ("POST", "/agreement"),
        ("POST", "/contributions"),
        ("GET", "/contributions"),
        ("GET", f"/position?period={period}"),
        ("GET", f"/cells?period={period}"),
    ):
        nobody = await hub.raw.request(method, BASE + path, json={})
        assert nobody.status_code == 401, (path, nobody.text)
        stranger = await hub.raw.request(method, BASE + path, json={}, headers=hub.as_member(made, generate_key()))
        assert stranger.status_code == 401, (path, stranger.text)
    for method, path in (("POST", "/releases"), ("GET", f"/ledger?period={period}")):
        as_member = await hub.raw.request(method, BASE + path, json={"period": period}, headers=hub.as_member(made))
        assert as_member.status_code == 401, (path, as_member.text)
        wrong_key = await hub.raw.request(method, BASE + path, json={"period": period}, headers={"X-API-Key": "x"})
        assert wrong_key.status_code == 401
    answer = await hub.operator.get(f"{BASE}/cells", params={"period": period})
    assert answer.status_code == 200 and answer.json() == {"period": period, "cells": []}


async def test_a_suspended_member_is_refused_as_in_the_catalog(hub: HubSpace) -> None:
    made = company(1)
    application = await hub.approved(made)
    await agreed(hub, made)
    await hub.operator.post(f"/hub/applications/{application['id']}/suspend", json={"reason": "계약 위반"})
    for path in ("/terms", "/agreement", "/contributions", f"/cells?period={year(hub)}"):
        answer = await hub.raw.get(BASE + path, headers=hub.as_member(made))
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"]["details"]["message_ko"]


async def test_no_value_is_taken_before_the_aggregates_only_agreement(hub: HubSpace) -> None:
    made = await member(hub, 1)
    period = year(hub)
    refused = await contribute(hub, made, oee(70, period))
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert "aggregates-only" in error["message"] and "집계 전용" in error["details"]["message_ko"]
    assert error["hint"] and error["details"]["hint_ko"]
    terms = (await hub.raw.get(f"{BASE}/terms", headers=hub.as_member(made))).json()
    assert "집계" in terms["text"]["ko"] and "Aggregates-only" in terms["text"]["en"]
    assert {i["id"] for i in terms["indicators"]} >= {"energy-per-unit", "defect-ppm", "oee", "on-time-delivery"}
    wrong = await hub.raw.post(f"{BASE}/agreement", json={"terms": "1999.1"}, headers=hub.as_member(made))
    assert wrong.status_code == 400 and wrong.json()["error"]["position"] == "terms"
    extra = await hub.raw.post(
        f"{BASE}/agreement", json={"terms": terms["version"], "also": 1}, headers=hub.as_member(made)
    )
    assert extra.status_code == 400
    before = (await hub.raw.get(f"{BASE}/agreement", headers=hub.as_member(made))).json()
    assert before["agreed"] is False and before["current"] == terms["version"]
    await agreed(hub, made)
    mine = (await hub.raw.get(f"{BASE}/agreement", headers=hub.as_member(made))).json()
    assert mine["agreed"] is True and mine["agreedAt"].endswith("+09:00")  # shown in the hub's zone, Asia/Seoul
    assert (await contribute(hub, made, oee(70, period))).status_code == 200


@pytest.mark.parametrize(
    ("item", "position", "code"),
    [
        ({"indicator": "yield", "period": "P", "value": 1, "unit": "%"}, "contributions[1].indicator", "invalid-input"),
        (
            {"indicator": "oee", "period": "2026-Q5", "value": 1, "unit": "%"},
            "contributions[1].period",
            "invalid-input",
        ),
        ({"indicator": "oee", "period": "2999", "value": 1, "unit": "%"}, "contributions[1].period", "invalid-input"),
        ({"indicator": "oee", "period": "Y", "value": 101, "unit": "%"}, "contributions[1].value", "invalid-input"),
        ({"indicator": "oee", "period": "Y", "value": "70", "unit": "%"}, "contributions[1].value", "invalid-input"),
        ({"indicator": "oee", "period": "Y", "value": True, "unit": "%"}, "contributions[1].value", "invalid-input"),
        ({"indicator": "energy-per-unit", "period": "Y", "value": 1, "unit": "kg"}, "contributions[1].unit", None),
        ({"indicator": "energy-per-unit", "period": "Y", "value": 1, "unit": "zorks"}, "contributions[1].unit", None),
        ({"indicator": "oee", "period": "Y", "value": 1, "unit": "%", "note": "x"}, "contributions[1].note", None),
        ({"indicator": "oee", "period": "Y", "value": 1}, "contributions[1].unit", None),
        ({"indicator": "defect-ppm", "period": "Y", "value": 2, "unit": "%"}, "contributions[1]", None),  # twice
    ],
)
async def test_a_batch_is_checked_whole_and_refused_at_its_first_problem(
    hub: HubSpace, item: dict[str, Any], position: str, code: str | None
) -> None:
    made = await member(hub, 1)
    await agreed(hub, made)
    period = year(hub)
    item = {k: (period if v == "Y" else v) for k, v in item.items()}
    first = {"indicator": "defect-ppm", "period": period, "value": 150, "unit": "ppm"}
    answer = await contribute(hub, made, first, item)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["position"] == position and error["details"]["message_ko"]
    assert code is None or error["code"] == code
    kept = (await hub.raw.get(f"{BASE}/contributions", headers=hub.as_member(made))).json()
    assert kept == {"contributions": []}  # nothing half-written


async def test_units_convert_and_a_period_given_again_is_replaced(hub: HubSpace) -> None:
    made = await member(hub, 1)
    await agreed(hub, made)
    period = year(hub)
    answer = await contribute(
        hub,
        made,
        {"indicator": "energy-per-unit", "period": period, "value": 1500, "unit": "Wh/unit"},
        {"indicator": "defect-ppm", "period": period, "value": 0.2, "unit": "%"},
        {"indicator": "co2e-per-unit", "period": period, "value": 350, "unit": "g CO2e/개"},
    )
    assert answer.status_code == 200, answer.text
    mine = (await hub.raw.get(f"{BASE}/contributions", headers=hub.as_member(made))).json()["contributions"]
    values = {c["indicator"]["id"]: c["value"] for c in mine}
    assert values == pytest.approx({"energy-per-unit": 1.5, "defect-ppm": 2000, "co2e-per-unit": 0.35})
    given = {c["indicator"]["id"]: c["given"] for c in mine}
    assert given["energy-per-unit"] == {"value": 1500, "unit": "Wh/unit"}
    again = await contribute(
        hub, made, {"indicator": "energy-per-unit", "period": period, "value": 2, "unit": "kWh/개"}
    )
    assert again.status_code == 200
    mine = (await hub.raw.get(f"{BASE}/contributions", headers=hub.as_member(made))).json()["contributions"]
    assert sorted((c["indicator"]["id"], c["value"]) for c in mine) == sorted(
        [("energy-per-unit", 2.0), ("defect-ppm", pytest.approx(2000)), ("co2e-per-unit", pytest.approx(0.35))]
    )


async def test_releases_publish_what_passes_suppress_the_rest_and_stop_at_the_budget(hub: HubSpace) -> None:
    period = year(hub)
    # Twelve members in one sector and region, and one alone in another region.
    values = {n: 40.0 + 3.1 * n + 0.0123 * n for n in range(1, 13)}
    members = {}
    for n, value in values.items():
        members[n] = await member(hub, n)
        await agreed(hub, members[n])
        assert (await contribute(hub, members[n], oee(value, period))).status_code == 200
    alone = await member(hub, 20, region="서울")
    await agreed(hub, alone)
    assert (await contribute(hub, alone, oee(77.777, period))).status_code == 200

    first = await hub.operator.post(f"{BASE}/releases", json={"period": period})
    assert first.status_code == 201, first.text
    assert first.json()["released"] == [{"indicator": "oee", "epsilon": pytest.approx(4.0)}]
    cells = (await hub.raw.get(f"{BASE}/cells", params={"period": period}, headers=hub.as_member(alone))).json()
    by_place = {(c["sector"] and c["sector"]["code"], c["region"] and c["region"]["code"]): c for c in cells["cells"]}
    assert by_place[("C30", "KR-48")]["published"] is True
    band = by_place[("C30", "KR-48")]["contributors"]  # a noisy count's band: never below k, whatever the noise
    assert band["from"] >= 10 and (band["to"] is None or band["to"] > band["from"])
    assert by_place[("C30", "KR-48")]["region"]["name"] == {"ko": "경상남도", "en": "South Gyeongsang"}
    seoul = by_place[("C30", "KR-11")]
    assert seoul["published"] is False and seoul["suppressed"]["rule"] == "threshold"
    assert "10" in seoul["suppressed"]["reason"]["ko"] and "fewer than 10" in seoul["suppressed"]["reason"]["en"]
    assert set(seoul) >= {"indicator", "level", "sector", "region"} and "quartiles" not in seoul
    assert by_place[(None, None)]["published"] is True and by_place[(None, None)]["contributors"]["from"] >= 10

    position = await hub.raw.get(f"{BASE}/position", params={"period": period}, headers=hub.as_member(members[12]))
    assert position.status_code == 200
    [mine] = position.json()["positions"]
    assert mine["band"]["id"] in ("bottom-25", "25-50", "50-75", "top-25") and mine["band"]["label"]["ko"]
    assert mine["against"]["level"] == "sector-region"
    lonely = (await hub.raw.get(f"{BASE}/position", params={"period": period}, headers=hub.as_member(alone))).json()
    assert lonely["positions"][0]["against"]["level"] in ("sector", "all")  # its own cells are suppressed

    second = await hub.operator.post(f"{BASE}/releases", json={"period": period})
    assert second.status_code == 201 and second.json()["seq"] == 2
    third = await hub.operator.post(f"{BASE}/releases", json={"period": period})
    assert third.status_code == 409, third.text
    assert third.json()["error"]["details"]["message_ko"]
    ledger = (await hub.operator.get(f"{BASE}/ledger", params={"period": period})).json()
    [entry] = ledger["indicators"]
    assert entry["spent"] == pytest.approx(sum(r["epsilon"] for r in entry["releases"])) == pytest.approx(8.0)
    assert entry["left"] == pytest.approx(0) and [r["seq"] for r in entry["releases"]] == [1, 2]
    after = (await hub.operator.get(f"{BASE}/cells", params={"period": period})).json()
    assert {c["release"] for c in after["cells"]} == {2}  # the refused release left the second one's cells


async def test_no_answer_to_anyone_holds_another_members_value(hub: HubSpace) -> None:
    period = year(hub)
    secret = 61.234567  # the value only member 1 may ever read back
    members = {}
    for n in range(1, 13):
        members[n] = await member(hub, n)
        await agreed(hub, members[n])
        value = secret if n == 1 else 40.0 + 2.5 * n
        assert (await contribute(hub, members[n], oee(value, period))).status_code == 200
    assert (await hub.operator.post(f"{BASE}/releases", json={"period": period})).status_code == 201

    def other() -> dict[str, str]:  # a token is used once
        return hub.as_member(members[2])

    answers = [
        await hub.raw.get(f"{BASE}/contributions", headers=other()),
        await hub.raw.get(f"{BASE}/contributions", params={"period": period}, headers=other()),
        await hub.raw.get(f"{BASE}/position", params={"period": period}, headers=other()),
        await hub.raw.get(f"{BASE}/cells", params={"period": period}, headers=other()),
        await hub.raw.get(f"{BASE}/cells", params={"period": period, "indicator": "oee"}, headers=other()),
        await hub.operator.get(f"{BASE}/cells", params={"period": period}),
        await hub.operator.get(f"{BASE}/ledger", params={"period": period}),
        await hub.operator.get("/hub/applications"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert "61.23" not in answer.text, answer.request.url
    mine = (await hub.raw.get(f"{BASE}/contributions", headers=other())).json()["contributions"]
    assert [c["value"] for c in mine] == [45.0]
    own = (await hub.raw.get(f"{BASE}/contributions", headers=hub.as_member(members[1]))).text
    assert "61.234567" in own  # the test can fail: the value is there to be found where it belongs
    # The API offers no way to name another member: no route takes a participant id.
    paths = json.dumps([r.path for r in hub.app.routes if getattr(r, "path", "").startswith(BASE)])  # type: ignore[attr-defined]
    assert "{" not in paths


async def test_a_position_moves_with_releases_only_not_with_a_peers_new_value(hub: HubSpace) -> None:
    """A position is the member's own value against published quartiles: a peer changing its value between
    releases, however far, cannot be read off it."""
    period = year(hub)
    members = {}
    for n in range(1, 13):
        members[n] = await member(hub, n)
        await agreed(hub, members[n])
        assert (await contribute(hub, members[n], oee(40.0 + 3 * n, period))).status_code == 200
    assert (await hub.operator.post(f"{BASE}/releases", json={"period": period})).status_code == 201

    async def position() -> Any:
        answer = await hub.raw.get(f"{BASE}/position", params={"period": period}, headers=hub.as_member(members[6]))
        assert answer.status_code == 200
        return answer.json()

    before = await position()
    for value in (0.0, 100.0):
        assert (await contribute(hub, members[1], oee(value, period))).status_code == 200
        assert await position() == before

"""What the hub refuses of an application — each a 4xx in the one error shape, in Korean and English, with
nothing kept — and how it renews a member's credential before it ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from sangsaeng.identity.keys import generate_key
from tests.hub_space import HubSpace, company, hub_space

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path, unsolicited_rate=1.0, unsolicited_burst=30) as space:
        yield space


@pytest.mark.parametrize(
    ("changes", "position", "korean"),
    [
        ({"brn": "220-81-62518"}, "company.brn", "검증번호"),
        ({"brn": "22081"}, "company.brn", "사업자등록번호"),
        ({"ksic": ["C40"]}, "company.ksic[0]", "중분류"),
        ({"region": "Tokyo"}, "company.region", "시·도"),
        ({"size": "huge"}, "company.size", "기업 규모"),
        ({"tiers": [{"chain": "현대차", "tier": "first"}]}, "company.tiers[0].tier", "차수"),
    ],
)
async def test_a_wrong_fact_is_refused_where_it_is_in_both_languages(
    hub: HubSpace, changes: dict[str, Any], position: str, korean: str
) -> None:
    answer = await hub.raw.post("/hub/applications", json=company(1).application(hub.id, hub.clock, **changes))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid-input" and error["position"] == position and error["hint"]
    assert korean in error["details"]["message_ko"] and error["details"]["hint_ko"]
    assert (await hub.operator.get("/hub/applications")).json()["applications"] == []


async def test_a_proof_signed_by_another_key_is_refused(hub: HubSpace) -> None:
    member = company(2)
    body = member.application(hub.id, hub.clock)
    body["proof"] = member.token(hub.id, hub.clock, generate_key())
    answer = await hub.raw.post("/hub/applications", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["position"] == "proof"
    assert "키 소유 증명" in answer.json()["error"]["details"]["message_ko"]
    # …and so is a proof addressed to another hub, and the same proof twice.
    body["proof"] = member.token("urn:uuid:another-hub", hub.clock)
    assert (await hub.raw.post("/hub/applications", json=body)).status_code == 400
    body["proof"] = member.token(hub.id, hub.clock)
    assert (await hub.raw.post("/hub/applications", json=body)).status_code == 201
    again = member.application(hub.id, hub.clock)
    again["proof"] = body["proof"]
    assert (await hub.raw.post("/hub/applications", json=again)).status_code == 400
    assert len((await hub.operator.get("/hub/applications")).json()["applications"]) == 1


async def test_one_connector_applies_once(hub: HubSpace) -> None:
    member = company(3)
    await hub.applied(member)
    twice = await hub.raw.post("/hub/applications", json=member.application(hub.id, hub.clock))
    assert twice.status_code == 409 and "이미" in twice.json()["error"]["details"]["message_ko"]


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"company": "한빛"},
        {"participant": {}},
        {"company": {}, "participant": {}, "proof": "x"},
    ],
)
async def test_applications_of_another_shape_are_refused_with_a_4xx(hub: HubSpace, body: Any) -> None:
    answer = await hub.raw.post("/hub/applications", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["details"]["message_ko"]


async def test_bad_keys_endpoints_and_bodies_are_refused(hub: HubSpace) -> None:
    member = company(4)
    body = member.application(hub.id, hub.clock)
    body["participant"]["publicKey"] = {"kty": "RSA", "n": "x"}
    answer = await hub.raw.post("/hub/applications", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["position"] == "participant.publicKey"
    body = member.application(hub.id, hub.clock)
    body["participant"]["endpoint"] = "http://user@127.0.0.1:9/dsp"
    answer = await hub.raw.post("/hub/applications", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["position"] == "participant.endpoint"
    huge = b'{"company": "' + b"x" * (5 << 20) + b'"}'
    answer = await hub.raw.post("/hub/applications", content=huge, headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too-large"
    deep = b"[" * 1000 + b"]" * 1000
    answer = await hub.raw.post("/hub/applications", content=deep, headers={"content-type": "application/json"})
    assert answer.status_code == 400
    broken = await hub.raw.post("/hub/applications", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400


async def test_applications_are_limited_per_address(hub: HubSpace) -> None:
    answers = [(await hub.raw.post("/hub/applications", json={})).status_code for _ in range(31)]
    assert answers[:30] == [400] * 30 and answers[30] == 429
    hub.clock.advance(seconds=2)
    assert (await hub.raw.post("/hub/applications", json={})).status_code == 400


async def test_a_credential_is_renewed_when_fewer_than_30_days_remain(hub: HubSpace) -> None:
    member = company(5)
    await hub.approved(member)
    [first] = (await hub.raw.post("/hub/members/me/credentials", headers=hub.as_member(member))).json()["credentials"]
    hub.clock.advance(days=59)  # 31 days left: not yet
    [same] = (await hub.raw.post("/hub/members/me/credentials", headers=hub.as_member(member))).json()["credentials"]
    assert same == first
    hub.clock.advance(days=2)  # 29 days left
    renewed = (await hub.raw.post("/hub/members/me/credentials", headers=hub.as_member(member))).json()["credentials"]
    assert len(renewed) == 2 and renewed[0] == first
    old, new = (jwt.decode(t, options={"verify_signature": False}) for t in renewed)
    assert new["jti"] != old["jti"] and new["status"] == old["status"] and new["exp"] > old["exp"]
    hub.clock.advance(days=30)  # the first has ended: only the renewal is handed out
    assert (await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))).json()["credentials"] == [
        renewed[1]
    ]

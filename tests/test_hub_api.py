"""The hub in-process: a company applies with proof of its key, the operator approves, declines, suspends and
reinstates, the member fetches its credentials, and every decision is in the hub's log, which verifies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sangsaeng.hub.documents import signed, status
from sangsaeng.identity import credentials
from sangsaeng.identity.hub import HubDirectory, HubPin
from sangsaeng.identity.keys import generate_key, public_jwk, public_key_from_jwk
from sangsaeng.policy.decide import RequestContext, decide
from sangsaeng.policy.model import parse_policy
from tests.hub_space import HubSpace, company, hub_space

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubSpace]:
    async with hub_space(tmp_path) as space:
        yield space


async def documents(hub: HubSpace) -> tuple[dict, dict]:  # type: ignore[type-arg]
    found = (await hub.raw.get("/.well-known/sangsaeng-hub")).json()
    key = public_key_from_jwk(found["publicKey"])
    answers = [await hub.raw.get(path) for path in ("/hub/directory", "/hub/status")]
    for answer in answers:
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/jwt")
        assert answer.headers["cache-control"] == "max-age=60"
    now = hub.clock.now()
    return (
        signed.read(answers[0].text, key, signed.DIRECTORY, found["id"], now),
        signed.read(answers[1].text, key, signed.STATUS, found["id"], now),
    )


def entry(directory: dict, pid: str) -> dict | None:  # type: ignore[type-arg]
    return next((p for p in directory["participants"] if p["id"] == pid), None)


def key_of_directory(directory: dict):  # type: ignore[no-untyped-def, type-arg]
    keys = {p["id"]: public_key_from_jwk(p["publicKey"]) for p in directory["participants"]}
    return keys.get


async def test_discovery_names_the_hub_its_key_and_its_documents(hub: HubSpace) -> None:
    found = (await hub.raw.get("/.well-known/sangsaeng-hub")).json()
    assert found["id"] == hub.id and found["name"] == "상생 허브" and found["refresh"] == 60
    assert found["directory"] == "http://127.0.0.1:9100/hub/directory"
    assert found["status"] == "http://127.0.0.1:9100/hub/status"
    directory, listed = await documents(hub)
    assert [p["id"] for p in directory["participants"]] == [hub.id]  # the hub is a participant of its own directory
    assert not status.is_set(status.decode(listed["bits"]), 0)
    assert len(status.decode(listed["bits"])) * 8 >= 131_072


async def test_apply_approve_and_the_members_credential_verifies_and_satisfies_a_tier_policy(
    hub: HubSpace, tmp_path: Path
) -> None:
    member = company(1)
    application = await hub.applied(member)
    assert application["state"] == "applied" and application["company"]["brn"] == "2208162517"
    assert application["names"]["region"] == {"ko": "경상남도", "en": "South Gyeongsang"}
    before, _ = await documents(hub)
    assert entry(before, member.id) is None  # not listed before approval

    # The applicant follows its application with a token of its key; another key is not it.
    mine = await hub.raw.get(f"/hub/applications/{application['id']}", headers=hub.as_member(member))
    assert mine.status_code == 200 and mine.json()["state"] == "applied"
    stranger = await hub.raw.get(
        f"/hub/applications/{application['id']}", headers=hub.as_member(member, generate_key())
    )
    assert stranger.status_code == 401
    queue = (await hub.operator.get("/hub/applications", params={"state": "applied"})).json()["applications"]
    assert [a["id"] for a in queue] == [application["id"]]

    approved = await hub.operator.post(f"/hub/applications/{application['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    after, _ = await documents(hub)
    assert after["seq"] > before["seq"]
    listed = entry(after, member.id)
    assert listed is not None and listed["status"] == "active"
    assert listed["attributes"] == {"tier": ["1차"], "sector": ["C30"], "region": ["KR-48"], "size": ["sme"]}
    assert listed["endpoint"] == f"http://127.0.0.1:{member.port}/dsp"

    got = await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))
    assert got.status_code == 200, got.text
    [token] = got.json()["credentials"]
    credential = credentials.read(token, key_of_directory(after), hub.clock.now())
    assert credential.issuer == hub.id and credential.subject == member.id
    assert credential.attributes["membership"] == (hub.id,) and credential.attributes["size"] == ("sme",)

    # A connector trusting the hub (its directory and status list, verified with the pinned hub key, as a joined
    # connector holds them) gives the caller the credential's tier; a policy asking for 1차 permits it.
    found = (await hub.raw.get("/.well-known/sangsaeng-hub")).json()
    follower = HubDirectory(HubPin.of(str(hub.raw.base_url), found["id"], found["publicKey"]), tmp_path, hub.clock.now)
    for path, accept in (("/hub/directory", follower.accept_directory), ("/hub/status", follower.accept_status)):
        assert accept((await hub.raw.get(path)).text), follower.last_error
    now = hub.clock.now()
    attributes = credentials.attributes_of([token], member.id, [hub.id], follower.key_of, now, follower.status_of)
    assert attributes["tier"] == frozenset({"1차"})
    # Without the hub's status list a hub credential does not count: revocation could not be checked.
    assert credentials.attributes_of([token], member.id, [hub.id], key_of_directory(after), now) == {}
    policy = parse_policy(
        {
            "permission": [
                {"action": "use", "constraint": [{"leftOperand": "tier", "operator": "eq", "rightOperand": "1차"}]}
            ]
        }
    )
    assert decide(policy, RequestContext(consumer=member.id, now=hub.clock.now(), attributes=attributes)).permit
    assert not decide(policy, RequestContext(consumer=member.id, now=hub.clock.now(), attributes={})).permit


async def test_decline_with_a_reason_and_never_listed(hub: HubSpace) -> None:
    member = company(2)
    application = await hub.applied(member)
    no_reason = await hub.operator.post(f"/hub/applications/{application['id']}/decline", json={})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["details"]["message_ko"]
    declined = await hub.operator.post(
        f"/hub/applications/{application['id']}/decline", json={"reason": "사업자 확인 불가"}
    )
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert declined.json()["reason"] == "사업자 확인 불가"
    directory, _ = await documents(hub)
    assert entry(directory, member.id) is None
    refused = await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))
    assert refused.status_code == 403 and "거절됨" in refused.json()["error"]["details"]["message_ko"]


async def test_suspend_revokes_and_reinstate_issues_new_credentials(hub: HubSpace) -> None:
    member = company(3)
    application = await hub.approved(member)
    [first] = (await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))).json()["credentials"]
    first_idx = first_claims(first)["status"]["idx"]

    suspended = await hub.operator.post(f"/hub/applications/{application['id']}/suspend", json={"reason": "계약 위반"})
    assert suspended.status_code == 200 and suspended.json()["state"] == "suspended"
    directory, listed = await documents(hub)
    assert entry(directory, member.id)["status"] == "suspended"  # type: ignore[index]
    bits = status.decode(listed["bits"])
    assert status.is_set(bits, first_idx)
    # The credential still verifies by its signature; its status bit says it is revoked.
    assert credentials.read(first, key_of_directory(directory), hub.clock.now()).subject == member.id
    refused = await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))
    assert refused.status_code == 403

    reinstated = await hub.operator.post(f"/hub/applications/{application['id']}/reinstate")
    assert reinstated.status_code == 200 and reinstated.json()["state"] == "approved"
    [fresh] = (await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))).json()["credentials"]
    fresh_idx = first_claims(fresh)["status"]["idx"]
    assert fresh != first and fresh_idx != first_idx
    directory, listed = await documents(hub)
    bits = status.decode(listed["bits"])
    assert status.is_set(bits, first_idx) and not status.is_set(bits, fresh_idx)  # revoked bits stay revoked
    assert entry(directory, member.id)["status"] == "active"  # type: ignore[index]


def first_claims(token: str) -> dict:  # type: ignore[type-arg]
    import jwt

    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("state_steps", "step", "words"),
    [
        ([], "suspend", "신청됨"),
        ([], "reinstate", "신청됨"),
        (["approve"], "approve", "승인됨"),
        (["approve"], "decline", "승인됨"),
        (["decline"], "approve", "거절됨"),
        (["approve", "suspend"], "suspend", "정지됨"),
    ],
)
async def test_wrong_state_transitions_are_refused_with_the_state_in_words(
    hub: HubSpace, state_steps: list[str], step: str, words: str
) -> None:
    application = await hub.applied(company(4))
    for taken in state_steps:
        answer = await hub.operator.post(f"/hub/applications/{application['id']}/{taken}", json={"reason": "r"})
        assert answer.status_code == 200
    refused = await hub.operator.post(f"/hub/applications/{application['id']}/{step}", json={"reason": "r"})
    assert refused.status_code == 409
    assert words in refused.json()["error"]["details"]["message_ko"]
    assert refused.json()["error"]["details"]["state"] in refused.json()["error"]["message"].split(" is ")[1]


async def test_the_operator_api_needs_the_key(hub: HubSpace) -> None:
    application = await hub.applied(company(5))
    assert (await hub.raw.get("/hub/applications")).status_code == 401
    assert (await hub.raw.post(f"/hub/applications/{application['id']}/approve")).status_code == 401
    wrong = await hub.raw.post(f"/hub/applications/{application['id']}/approve", headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    unknown = await hub.operator.post("/hub/applications/urn:uuid:nothing/approve")
    assert unknown.status_code == 404 and unknown.json()["error"]["details"]["message_ko"]


async def test_every_decision_is_in_the_hubs_log_and_the_log_verifies(hub: HubSpace) -> None:
    first, second = company(6), company(7)
    one = await hub.approved(first)
    two = await hub.applied(second)
    await hub.operator.post(f"/hub/applications/{two['id']}/decline", json={"reason": "중복 신청"})
    await hub.operator.post(f"/hub/applications/{one['id']}/suspend", json={"reason": "점검"})
    await hub.operator.post(f"/hub/applications/{one['id']}/reinstate")
    audit = hub.app.state.services.connector.audit
    verified = await audit.verify()
    assert verified["valid"], verified
    async with hub.app.state.services.connector.store.begin() as tx:
        entries = [e for e in await tx.audit.entries() if e.kind.startswith("hub.")]
    assert [(e.kind, e.counterparty) for e in entries] == [
        ("hub.applied", first.id),
        ("hub.approve", first.id),
        ("hub.applied", second.id),
        ("hub.decline", second.id),
        ("hub.suspend", first.id),
        ("hub.reinstate", first.id),
    ]
    assert '"reason":"중복 신청"' in entries[3].entry


async def test_key_rotation_lists_the_next_key_then_promotes_it(hub: HubSpace) -> None:
    member = company(8)
    await hub.approved(member)
    next_key = generate_key()
    body = {"nextKey": public_jwk(next_key.public_key()), "proof": member.token(hub.id, hub.clock, next_key)}
    wrong = {**body, "proof": member.token(hub.id, hub.clock)}  # signed by the current key, not the next
    refused = await hub.raw.post("/hub/members/me/keys", json=wrong, headers=hub.as_member(member))
    assert refused.status_code == 400 and refused.json()["error"]["position"] == "proof"
    announced = await hub.raw.post("/hub/members/me/keys", json=body, headers=hub.as_member(member))
    assert announced.status_code == 200, announced.text
    directory, _ = await documents(hub)
    assert entry(directory, member.id)["nextKey"] == body["nextKey"]  # type: ignore[index]
    # Tokens of either key are the member's now.
    assert (
        await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member, next_key))
    ).status_code == 200
    promoted = await hub.raw.post("/hub/members/me/keys/promote", headers=hub.as_member(member, next_key))
    assert promoted.status_code == 200
    directory, _ = await documents(hub)
    listed = entry(directory, member.id)
    assert listed is not None and listed["publicKey"] == body["nextKey"] and "nextKey" not in listed
    assert (await hub.raw.get("/hub/members/me/credentials", headers=hub.as_member(member))).status_code == 401

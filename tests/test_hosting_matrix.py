"""The tenants' attack matrix (``tests/test_tenants_matrix.py``) on a hub that hosts a, b and c: every route of the
hub's app — the tenants' management, protocol, data-plane and portal routes, and the hub's own — called by a with
b's ids and at b's prefix, and the mirror. And the hub's own routes at its root (``/hub/…``), called with a
tenant's credentials (its API key, a token signed by its key for the hub) and another tenant's ids: the same
answer as for ids no one has, and the other tenants' state unchanged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests import test_tenants_matrix as matrix
from tests.hosting_space import HubHosting, hosting_hub

pytestmark = pytest.mark.anyio

# The hub's path parameters: an application (a member's own, or anyone's for the operator), a decision, a hosted
# connector's name and a member's self-assessment; the plan's: a member (the operator's reading of its plan) and a
# want (its asker's). None is a tenant's own record inside its context; the hub answers for them at its root.
matrix.KINDS.update(
    {
        "application": "application",
        "action": "action",
        "name": "hosted",
        "assessment_id": "assessment",
        "member": "member",
        "want": "want",
    }
)
# Support's: a member's request for an expert is its own; experts, programs and published cases are the directory's,
# read by every member (editing another's case is refused as unknown: tests/test_support_experts_api.py).
# (``case_id`` the tenants' matrix already names: the module's KINDS are shared by both matrices in one process.)
matrix.KINDS.update({"request_id": "expert-request", "expert_id": "directory", "program_id": "directory"})
EXPERT = {
    "name": "박전문",
    "organisation": "경남스마트제조혁신센터",
    "sectors": ["C30"],
    "regions": ["경남"],
    "skills": ["mes"],
    "languages": ["ko"],
    "availability": {"state": "available"},
    "contact": {"name": "박전문", "email": "park@example.kr", "phone": "055-000-0000"},
}
matrix.OWN_DEFAULTS.update({"action": "approve"})


async def hub_sides(h: HubHosting) -> dict[str, matrix.Side]:
    sides = await matrix.trade(h.space)
    expert = ""
    for name, side in sides.items():
        made = h.signed_up[name]
        # a hosted name is a one-letter word here: masked in every answer it would mask every "a" (the tenants'
        # own attack has no use for it: the hub's routes answer 404 under /c/), so only the hub's attack names it
        side.ids.update({"application": [made["application"]], "action": [], "hosted": [], "member": [side.tenant.id]})
        # each hosted member starts a self-assessment on the hub, so that another's id is tried on its routes
        bearer = side.tenant.context.connector.peer.bearer(h.hub.settings.participant_id)
        started = await h.space.anyone.post(
            "/hub/support/assessment/start", headers={"Authorization": f"Bearer {bearer}"}
        )
        assert started.status_code == 201, started.text
        side.ids["assessment"] = [started.json()["id"]]
        expert = expert or (await h.operator.post("/hub/support/experts", json=EXPERT)).json()["id"]
        bearer = side.tenant.context.connector.peer.bearer(h.hub.settings.participant_id)
        asked = await h.space.anyone.post(
            f"/hub/support/experts/{expert}/requests",
            json={"message": "MES 도입 상담"},
            headers={"Authorization": f"Bearer {bearer}"},
        )
        assert asked.status_code == 201, asked.text
        side.ids["expert-request"] = [asked.json()["id"]]
        side.ids["directory"] = []
        side.ids["want"] = [await _want_of_c(h, side)] if name != "c" else []
    return sides


async def _want_of_c(h: HubHosting, side: matrix.Side) -> str:
    """A want the tenant addresses to c by name (c is no side of an attack: a and b never see each other's)."""
    bearer = side.tenant.context.connector.peer.bearer(h.hub.settings.participant_id)
    assert h.space.anyone is not None
    asked = await h.space.anyone.post(
        "/hub/support/plan/wants",
        json={"entity": "quality_result", "why": "matrix", "from": {"members": [h.space.tenants["c"].id]}},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert asked.status_code == 201, asked.text
    want: str = asked.json()["id"]
    return want


async def attack_the_hub(h: HubHosting, sides: dict[str, matrix.Side], attacker: str, victim: str) -> int:
    """The hub's own routes at its root, with the attacker's credentials made for the hub: the victim's ids
    answered as unknown ones, nothing of any other tenant changed."""
    me, them = sides[attacker], sides[victim]
    mine_ids, their_ids = {**me.ids, "hosted": [attacker]}, {**them.ids, "hosted": [victim]}
    hub_id = h.hub.settings.participant_id
    mine = me.tenant.context.connector
    credentials = replace(me.credentials, dsp=lambda: mine.peer.bearer(hub_id))
    bystanders = [t for n, t in h.space.tenants.items() if n != attacker]
    before = await matrix.settled(bystanders)
    calls = [c for c in matrix.calls_of(h.space) if c.template.startswith(("/hub", "/.well-known/sangsaeng-hub"))]
    assert any("{application}" in c.template for c in calls) and any("{name}" in c.template for c in calls)
    assert any("{assessment_id}" in c.template for c in calls)
    compared = 0
    for call in calls:
        own = {slot: (me.ids[kind] or [matrix.OWN_DEFAULTS.get(kind, "x")])[0] for slot, kind in call.slots.items()}
        for slot, kind in call.slots.items():
            for value in [v for v in their_ids[kind] if v not in mine_ids[kind]][:3]:
                foreign = await matrix.send(h.space, "", call, {**own, slot: value}, credentials)
                fresh = matrix.unknown_like(value)
                unknown = await matrix.send(h.space, "", call, {**own, slot: fresh}, credentials)
                assert foreign[0] < 500, (call, value, foreign)
                if kind == "hosted":  # a one-letter name: masking it would mask every "b"; nor is it echoed
                    assert foreign == unknown, (call, foreign, unknown)
                else:
                    assert matrix.masked(foreign, value) == matrix.masked(unknown, fresh), (call, foreign, unknown)
                compared += 1
        answer = await matrix.send(h.space, "", call, own, credentials)
        assert answer[0] < 500, (call, answer)
        for other in (them.tenant.id, f"/c/{them.tenant.name}", *them.ids["application"]):
            # the signed directory lists every member (it is public); a's own export holds its trades with b
            if call.template not in ("/hub/directory", "/hub/hosted/{name}/export"):
                assert other not in answer[2], (call, other, answer[:2])
    after = await matrix.settled(bystanders)
    for tenant in bystanders:
        assert matrix.changes(before[tenant.name], after[tenant.name]) == {}, tenant.name
    return compared


async def test_attack_matrix_on_a_hub_hosting_sqlite_tenants(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a", "b", "c"]) as h:
        sides = await hub_sides(h)
        for attacker, victim in (("a", "b"), ("b", "a")):
            assert await matrix.attack(h.space, sides, attacker, victim) > 150
            assert await attack_the_hub(h, sides, attacker, victim) >= 2

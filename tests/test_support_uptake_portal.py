"""Programs taken up on a member's own portal (``portal/support/programs.py``), in-process with a connector the hub
hosts: each matched program shows what the member said became of it; the form tells the hub and the page shows the
new state; the hub's refusal of a state stands beside that program's form in the reader's words; a retired program
is not found; a viewer sees no form and its post is refused, as is one without the session's token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hosting_space import hosting_hub
from tests.tenants_space import csrf_of
from tests.test_portal_assessment import hosted_member, hub_of, text_of
from tests.test_portal_support_experts import PROGRAMS, added, english, program_doc

pytestmark = pytest.mark.anyio
UPTAKE = f"{PROGRAMS}/uptake"


async def test_the_member_says_what_became_of_a_program_and_sees_it(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        fit = await added(h, "/hub/support/programs", program_doc("스마트공장 구축", {"amountKrw": 50_000_000}))
        other = await added(h, "/hub/support/programs", program_doc("제조 AI 바우처", {"amountKrw": 20_000_000}))
        tenant, portal = await hosted_member(h, "dure")

        page = await portal.get(PROGRAMS)
        assert text_of(page, f"uptake-{fit['id']}") == "참여 상태: 아직 알리지 않음"
        assert f'id="take-{fit["id"]}"' in page

        moved = await portal.post(UPTAKE, {"program": fit["id"], "state": "applied"}, csrf_of(page))
        assert moved.headers["location"] == f"/c/dure{PROGRAMS}#program-{fit['id']}"
        [kept] = (await hub_of(tenant).get("/hub/support/programs/uptake/mine"))["uptake"]
        assert (kept["program"]["id"], kept["state"]["code"]) == (fit["id"], "applied")

        await portal.post(UPTAKE, {"program": fit["id"], "state": "granted"}, csrf_of(page))
        page = await portal.get(PROGRAMS)
        assert text_of(page, f"uptake-{fit['id']}") == "참여 상태: 선정됨"
        assert text_of(page, f"uptake-{other['id']}") == "참여 상태: 아직 알리지 않음"
        assert '<option value="granted" selected>' in page
        page_en = await english(portal, PROGRAMS)
        assert text_of(page_en, f"uptake-{fit['id']}") == "Your take-up: Granted"


async def test_refusals_stand_beside_the_form_and_only_those_who_may_act_see_it(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        fit = await added(h, "/hub/support/programs", program_doc("스마트공장 구축", {"amountKrw": 50_000_000}))
        tenant, admin = await hosted_member(h, "dure")
        page = await admin.get(PROGRAMS)

        refused = await admin.post(UPTAKE, {"program": fit["id"], "state": "won"}, csrf_of(page), 400)
        assert "'won'은(는) 지원사업 참여 상태가 아닙니다" in text_of(refused.text, f"error-{fit['id']}")
        assert "applied, granted, declined, withdrawn" in text_of(refused.text, f"error-{fit['id']}")
        assert (await hub_of(tenant).get("/hub/support/programs/uptake/mine"))["uptake"] == []

        await admin.post(UPTAKE, {"program": fit["id"], "state": "applied"}, None, 403)
        await admin.post(UPTAKE, {"program": fit["id"], "state": "applied"}, "forged", 403)
        await admin.post(UPTAKE, {"program": fit["id"], "state": "applied", "x": "1"}, csrf_of(page), 400)
        await admin.post(UPTAKE, {"program": "no-such", "state": "applied"}, csrf_of(page), 404)

        _, viewer = await hosted_member(h, "dure", role="viewer")
        seen = await viewer.get(PROGRAMS)
        assert text_of(seen, f"uptake-{fit['id']}") == "참여 상태: 아직 알리지 않음"  # it reads, it does not act
        assert 'action="/c/dure/portal/support/programs/uptake"' not in seen
        await viewer.post(UPTAKE, {"program": fit["id"], "state": "applied"}, csrf_of(seen), 403)

        assert (await h.operator.post(f"/hub/support/programs/{fit['id']}/retire")).status_code == 200
        await admin.post(UPTAKE, {"program": fit["id"], "state": "applied"}, csrf_of(page), 404)

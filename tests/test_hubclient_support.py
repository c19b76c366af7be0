"""A member asks its hub's support routes with its own key (``hubclient/support.py``): answers as JSON, the hub's
refusals with its words in both languages and the field they name, an unreachable hub as such."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sangsaeng.errors import PeerError
from sangsaeng.hubclient.support import HubRefused, HubSupport, NoHub
from sangsaeng.settings import Settings
from tests.hub_space import HUB_URL, company, hub_space

pytestmark = pytest.mark.anyio


async def test_a_member_asks_and_is_answered_or_refused_in_its_language(tmp_path: Path) -> None:
    async with hub_space(tmp_path) as hub:
        member = company(1)
        await hub.approved(member)
        settings = Settings.model_construct(participant_id=member.id, hub_url=HUB_URL, hub_id=hub.id)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hub.app)) as http:
            asking = HubSupport(settings, member.key, http, hub.clock.now)
            month = hub.clock.now().strftime("%Y-%m")
            taken = await asking.post("/hub/support/activity", {"month": month, "partners": 2})
            assert taken["partners"] == 2
            assert [r["partners"] for r in (await asking.get("/hub/support/activity/me"))["reports"]] == [2]
            with pytest.raises(HubRefused) as refused:
                await asking.post("/hub/support/activity", {"month": month, "partnerNames": ["현대모터"]})
            assert refused.value.answered == 400 and refused.value.position == "$.partnerNames"
            korean, english = refused.value.said("ko"), refused.value.said("en")
            assert "항목" in korean[0] and "fields" in english[0] and korean != english
            with pytest.raises(HubRefused) as unknown:
                await asking.get("/hub/support/nothing-here")
            assert unknown.value.answered == 404
    async with httpx.AsyncClient() as http:
        gone = Settings.model_construct(participant_id=member.id, hub_url="http://127.0.0.1:9", hub_id="urn:x")
        with pytest.raises(PeerError) as down:
            await HubSupport(gone, member.key, http, hub.clock.now).get("/hub/support/activity/me")
        assert not isinstance(down.value, HubRefused) and "could not be reached" in down.value.message
        with pytest.raises(NoHub):
            HubSupport(Settings.model_construct(participant_id=member.id), member.key, http, hub.clock.now)

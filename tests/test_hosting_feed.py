"""The hub feeds the connectors it hosts: no hosted connector fetches the hub's documents or credentials itself
(for 500 tenants that was 25 requests a second to the hub's own routes), and a decision reaches every hosted
partner at once — a suspended tenant is refused by its hosted partners from the moment the hub decided."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from sangsaeng.hub.hosting.feeding import HostedFeed
from sangsaeng.tenants.host import ROOT
from tests.hosting_space import hosting_hub

pytestmark = pytest.mark.anyio


async def test_hosted_connectors_fetch_nothing_and_hear_of_a_suspension_at_once(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a", "b"]) as h:
        host = h.space.host
        for name in ("a", "b"):
            context = host.contexts[name]
            assert context.fed
            assert not [t for t in context._tasks if t.get_name() == f"hub {name}"]  # its own fetch of the hub's
        assert not host.contexts[ROOT].fed
        b = host.contexts["b"].connector
        assert b.directory.is_active(host.contexts["a"].connector.participant_id)
        made = h.signed_up["a"]
        suspended = await h.operator.post(f"/hub/applications/{made['application']}/suspend", json={"reason": "점검"})
        assert suspended.status_code == 200, suspended.text
        deadline = time.monotonic() + 5
        while b.directory.is_active(made["participantId"]):  # handed at once, not at the next hub_refresh
            assert time.monotonic() < deadline, "the hosted partner still takes the suspended member"
            await asyncio.sleep(0.02)
        reinstated = await h.operator.post(f"/hub/applications/{made['application']}/reinstate")
        assert reinstated.status_code == 200, reinstated.text
        a = host.contexts["a"].connector
        deadline = time.monotonic() + 5
        while not (b.directory.is_active(made["participantId"]) and a.wallet.tokens()):
            assert time.monotonic() < deadline, "the reinstated member was not fed its directory and credentials"
            await asyncio.sleep(0.02)


async def test_the_feed_renews_what_it_hands_and_survives_a_tenant_it_cannot_feed(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a"]) as h:
        feed = h.space.host.contexts[ROOT].own(HostedFeed, lambda: pytest.fail("no feed"))
        rounds = feed.rounds
        h.space.host.contexts["a"].connector.wallet._write([])  # lost its credentials
        await feed.feed(credentials=True)
        assert feed.rounds == rounds + 1 and h.space.host.contexts["a"].connector.wallet.tokens()

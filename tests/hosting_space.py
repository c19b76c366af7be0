"""A hub in-process that hosts connectors (``hub/hosting``): signed up through its API, served under ``/c/<name>``,
shaped as ``tests/tenants_space.py``'s ``Space`` so that the tenant tests' machinery runs on it unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sangsaeng.identity.directory import Participant
from sangsaeng.identity.keys import public_jwk
from sangsaeng.settings import Settings
from sangsaeng.setup import Initialized
from sangsaeng.web.app import create_app
from tests.helpers import FakeClock, Router
from tests.hub_space import HUB_URL, init_hub
from tests.tenants_space import Space, Tenant


def facts(name: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "brn": "220-81-62517",
        "ksic": ["C30"],
        "region": "경상남도",
        "size": "중소기업",
        "tiers": [{"chain": "현대차", "tier": "2차"}],
        "contact": {"name": "김담당", "email": "kim@example.co.kr", "phone": "055-123-4567"},
    } | changes


@dataclass
class HubHosting:
    space: Space
    hub: Initialized
    clock: FakeClock
    operator: httpx.AsyncClient  # the hub's API key, at the hub's root
    signed_up: dict[str, dict[str, Any]]  # each sign-up's answer, by name

    async def sign_up(self, name: str, **body: Any) -> dict[str, Any]:
        answer = await self.operator.post("/hub/hosted", json={"company": facts(name.title()), "name": name, **body})
        assert answer.status_code == 201, answer.text
        made: dict[str, Any] = answer.json()
        self.signed_up[name] = made
        return made


def tenant_of(space: Space, made: dict[str, Any], stack_clients: list[httpx.AsyncClient]) -> Tenant:
    context = space.host.contexts[made["name"]]
    c = context.connector
    participant = Participant(
        c.participant_id, c.settings.name, public_jwk(c.key.public_key()), c.protocol_url, made["url"] + "/data"
    )
    init = Initialized(Settings(data_dir=c.settings.data_dir), made["apiKey"], participant)
    transport = httpx.ASGITransport(app=space.app)
    api = httpx.AsyncClient(transport=transport, base_url=made["url"], headers={"X-API-Key": made["apiKey"]})
    raw = httpx.AsyncClient(transport=transport, base_url=made["url"])
    stack_clients += [api, raw]
    return Tenant(made["name"], init, context, api, raw)


@asynccontextmanager
async def hosting_hub(root: Path, names: list[str], **extra: object) -> AsyncIterator[HubHosting]:
    """A hub at ``HUB_URL`` hosting connectors ``names`` (signed up through its API, in that order)."""
    made = init_hub(root / "hub", **extra)
    clock = FakeClock()
    router = Router()
    app = create_app(Settings(data_dir=made.settings.data_dir), transport=router, clock=clock)
    router.add(HUB_URL, app)
    space = Space(root, router, app.state.host, app)
    transport = httpx.ASGITransport(app=app)
    clients: list[httpx.AsyncClient] = []
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        operator = httpx.AsyncClient(transport=transport, base_url=HUB_URL, headers={"X-API-Key": made.api_key})
        space.anyone = httpx.AsyncClient(transport=transport, base_url=HUB_URL)
        clients += [operator, space.anyone]
        hosting = HubHosting(space, made, clock, operator, {})
        try:
            for name in names:
                space.tenants[name] = tenant_of(space, await hosting.sign_up(name), clients)
            yield hosting
        finally:
            for client in clients:
                await client.aclose()

"""A hub in-process for the hub's tests, and companies that apply to it with keys of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from sangsaeng.identity import tokens
from sangsaeng.identity.keys import generate_key, public_jwk
from sangsaeng.settings import Settings
from sangsaeng.setup import Initialized, init_connector
from sangsaeng.web.app import create_app
from tests.helpers import FakeClock

HUB_URL = "http://127.0.0.1:9100"


@dataclass
class Company:
    """An applicant: its connector's id and key (no connector is needed to apply)."""

    id: str
    key: Ed25519PrivateKey
    port: int

    def token(self, hub_id: str, clock: FakeClock, key: Ed25519PrivateKey | None = None) -> str:
        return tokens.issue(key or self.key, self.id, hub_id, clock.now())

    def facts(self, **changes: Any) -> dict[str, Any]:
        return {
            "name": "한빛정밀",
            "brn": "220-81-62517",
            "ksic": ["C30"],
            "region": "경상남도",
            "size": "중소기업",
            "tiers": [{"chain": "현대차", "tier": "1차"}],
            "contact": {"name": "김담당", "email": "kim@hanbit.co.kr", "phone": "055-123-4567"},
        } | changes

    def application(self, hub_id: str, clock: FakeClock, **changes: Any) -> dict[str, Any]:
        return {
            "company": self.facts(**changes),
            "participant": {
                "id": self.id,
                "publicKey": public_jwk(self.key.public_key()),
                "endpoint": f"http://127.0.0.1:{self.port}/dsp",
                "dataEndpoint": f"http://127.0.0.1:{self.port}/data",
            },
            "proof": self.token(hub_id, clock),
        }


def company(number: int) -> Company:
    return Company(f"urn:uuid:00000000-0000-4000-8000-{number:012d}", generate_key(), 9200 + number)


@dataclass
class HubSpace:
    made: Initialized
    app: FastAPI
    clock: FakeClock
    operator: httpx.AsyncClient  # with the hub's API key
    raw: httpx.AsyncClient  # no credentials

    @property
    def id(self) -> str:
        return self.made.settings.participant_id

    def as_member(self, member: Company, key: Ed25519PrivateKey | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {member.token(self.id, self.clock, key)}"}

    async def applied(self, member: Company, **changes: Any) -> dict[str, Any]:
        answer = await self.raw.post("/hub/applications", json=member.application(self.id, self.clock, **changes))
        assert answer.status_code == 201, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def approved(self, member: Company) -> dict[str, Any]:
        application = await self.applied(member)
        answer = await self.operator.post(f"/hub/applications/{application['id']}/approve")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found


def init_hub(data_dir: Path, **extra: object) -> Initialized:
    return init_connector(
        data_dir,
        "urn:uuid:11111111-1111-4111-8111-111111111111",
        "상생 허브",
        port=9100,
        extra={"kind": "hub", **extra},
    )


@asynccontextmanager
async def hub_space(root: Path, **extra: object) -> AsyncIterator[HubSpace]:
    made = init_hub(root / "hub", **extra)
    clock = FakeClock()
    app = create_app(Settings(data_dir=made.settings.data_dir), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=HUB_URL, headers={"X-API-Key": made.api_key}) as operator,
        httpx.AsyncClient(transport=transport, base_url=HUB_URL) as raw,
    ):
        yield HubSpace(made, app, clock, operator, raw)

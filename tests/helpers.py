"""Test helpers: connectors in-process (Datasette style) whose peer clients reach each other without a network."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
from fastapi import FastAPI

from sangsaeng.connector import Connector
from sangsaeng.identity.directory import Participant, upsert_participant
from sangsaeng.settings import Settings
from sangsaeng.setup import Initialized, init_connector
from sangsaeng.web.app import create_app


class FakeClock:
    """The real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


class Router(httpx.AsyncBaseTransport):
    """Routes requests to in-process apps by host:port; anything else fails as an unreachable host would.

    It also records every request body that crosses it, for conformance checks.
    """

    def __init__(self) -> None:
        self.apps: dict[str, httpx.ASGITransport] = {}
        self.down: set[str] = set()
        self.sent: list[tuple[str, str, Any]] = []
        self.received: list[tuple[str, int, Any]] = []
        self.sent_to: list[str] = []  # the host:port of each entry in ``sent``

    def add(self, base_url: str, app: FastAPI) -> None:
        self.apps[httpx.URL(base_url).netloc.decode()] = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.netloc.decode()
        if host not in self.apps or host in self.down:
            raise httpx.ConnectError(f"no route to {host}", request=request)
        content = await request.aread()
        if content and request.headers.get("content-type", "").startswith("application/json"):
            self.sent.append((request.method, request.url.path, json.loads(content)))
            self.sent_to.append(host)
        response = await self.apps[host].handle_async_request(request)
        if response.headers.get("content-type", "").startswith("application/json"):
            content = await response.aread()
            if content:
                self.received.append((request.url.path, response.status_code, json.loads(content)))
            # A fresh response over the bytes read, so the caller can still stream it.
            return httpx.Response(
                response.status_code, headers=response.headers, stream=httpx.ByteStream(content), request=request
            )
        return response


@dataclass
class Party:
    init: Initialized
    app: FastAPI
    clock: FakeClock
    api: httpx.AsyncClient  # management API, authenticated
    raw: httpx.AsyncClient  # no credentials

    @property
    def id(self) -> str:
        return self.init.participant.id

    @property
    def connector(self) -> Connector:
        found: Connector = self.app.state.services.connector
        return found

    @property
    def settings(self) -> Settings:
        return self.init.settings


@dataclass
class Dataspace:
    root: Path
    router: Router
    parties: dict[str, Party] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return self.root / "directory.json"


@asynccontextmanager
async def dataspace(
    root: Path,
    names: list[str],
    extra: dict[str, dict[str, object]] | None = None,
    guests: list[Participant] | None = None,
    state: dict[str, str] | None = None,
) -> AsyncIterator[Dataspace]:
    """Connectors that share a directory, served in-process, each reaching the others through ``Router``.
    ``state``: a database URL for some of them (the default: each keeps its state where ``init`` puts it)."""
    router = Router()
    space = Dataspace(root, router)
    inits = {
        name: init_connector(
            root / name,
            f"urn:sangsaeng:participant:{name}",
            name.title(),
            port=9000 + index,
            directory=root / "directory.json",
            extra=(extra or {}).get(name),
            database_url=(state or {}).get(name, ""),
        )
        for index, name in enumerate(names)
    }
    for guest in guests or []:  # participants without a connector here, e.g. a test acting as a peer
        upsert_participant(root / "directory.json", guest)
    async with AsyncExitStack() as stack:
        for name, made in inits.items():
            clock = FakeClock()
            app = create_app(Settings(data_dir=made.settings.data_dir), transport=router, clock=clock)
            router.add(made.settings.public_url, app)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            api = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=transport, base_url=made.settings.public_url, headers={"X-API-Key": made.api_key}
                )
            )
            raw = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=made.settings.public_url)
            )
            space.parties[name] = Party(made, app, clock, api, raw)
        yield space


async def poll(api: httpx.AsyncClient, path: str, done: Any, timeout: float = 10.0) -> Any:
    """Poll a management path until ``done(body)``; fail with the last body when the deadline passes."""
    last: Any = None
    with anyio.move_on_after(timeout):
        while True:
            response = await api.get(path)
            last = response.json()
            if response.status_code == 200 and done(last):
                return last
            await anyio.sleep(0.01)
    raise AssertionError(f"{path} did not settle in {timeout}s; last: {last}")


def offer_policy(consumer: str, **constraints: Any) -> dict[str, Any]:
    """A permission for ``consumer`` with extra constraints given as leftOperand=rightOperand (lteq for
    dateTime and count, isAnyOf for lists, eq otherwise)."""
    items = [{"leftOperand": "participant", "operator": "eq", "rightOperand": consumer}]
    for left, right in constraints.items():
        operator = "lteq" if left in ("dateTime", "count") else ("isAnyOf" if isinstance(right, list) else "eq")
        items.append({"leftOperand": left, "operator": operator, "rightOperand": right})
    return {"permission": [{"action": "use", "constraint": items}]}


async def publish(provider: Party, csv_text: str, policy: dict[str, Any]) -> tuple[str, str]:
    response = await provider.api.post(
        "/api/datasets",
        params={"title": "inspections", "filename": "data.csv"},
        content=csv_text.encode(),
    )
    assert response.status_code == 201, response.text
    dataset_id = response.json()["id"]
    offer = await provider.api.post("/api/offers", json={"datasetId": dataset_id, "policy": policy})
    assert offer.status_code == 201, offer.text
    return dataset_id, offer.json()["id"]


async def negotiate(
    consumer: Party, provider: Party, dataset_id: str, offer_id: str, purpose: str | None = None
) -> Any:
    started = await consumer.api.post(
        "/api/negotiations",
        json={"peer": provider.id, "datasetId": dataset_id, "offerId": offer_id, "purpose": purpose},
    )
    assert started.status_code == 201, started.text
    return await poll(
        consumer.api, f"/api/negotiations/{started.json()['id']}", lambda n: n["state"] in ("FINALIZED", "TERMINATED")
    )


async def start_transfer(consumer: Party, agreement_id: str) -> Any:
    started = await consumer.api.post("/api/transfers", json={"agreementId": agreement_id})
    assert started.status_code == 201, started.text
    return await poll(
        consumer.api,
        f"/api/transfers/{started.json()['id']}",
        lambda t: t["ready"] or t["state"] in ("TERMINATED", "COMPLETED"),
    )


SAMPLE_CSV = (
    "lot_no,part_no,measured,result,inspector\n"
    "L1,BRK-1,54.01,PASS,김민준\n"
    "L1,BRK-1,53.92,FAIL,이서연\n"
    "L2,SUS-7,12.40,PASS,박지훈\n"
)

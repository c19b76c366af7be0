"""Participant contexts in one process for the tenant tests: one app (``create_host_app``), contexts at
``/c/<name>`` that trade with each other through the protocol like any connectors, and snapshots of a context's
whole state (every table, every file of its data directory)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from sangsaeng.portal import auth
from sangsaeng.settings import Settings
from sangsaeng.setup import Initialized, init_connector
from sangsaeng.store.sql import sync_url
from sangsaeng.store.tables import metadata
from sangsaeng.tenants.context import Context
from sangsaeng.tenants.host import Host
from sangsaeng.web.app import create_host_app
from tests.helpers import FakeClock, Router

BASE = "http://127.0.0.1:9300"
PASSWORD = "a long enough password 12"


@dataclass
class Tenant:
    name: str
    init: Initialized
    context: Context
    api: httpx.AsyncClient  # its management API, with its key
    raw: httpx.AsyncClient  # no credentials, at its prefix
    portal: httpx.AsyncClient | None = None  # signed in as its admin

    @property
    def id(self) -> str:
        return self.init.participant.id

    @property
    def url(self) -> str:
        return self.init.settings.public_url


@dataclass
class Space:
    root: Path
    router: Router
    host: Host
    app: FastAPI
    tenants: dict[str, Tenant] = field(default_factory=dict)
    anyone: httpx.AsyncClient | None = None  # no credentials, at the host's root


@asynccontextmanager
async def hosted(root: Path, names: list[str], database_url: str = "") -> AsyncIterator[Space]:
    """Contexts ``names`` of one app; on PostgreSQL each in its own schema ``t_<name>`` of one database."""
    router = Router()
    host = Host(transport=router)
    inits = {}
    for name in names:
        extra: dict[str, object] = {"state_schema": f"t_{name}"} if database_url else {}
        inits[name] = init_connector(
            root / name,
            f"urn:sangsaeng:participant:{name}",
            name.title(),
            public_url=f"{BASE}/c/{name}",
            directory=root / "directory.json",
            database_url=database_url,
            extra=extra,
        )
    for name, made in inits.items():
        host.build(name, Settings(data_dir=made.settings.data_dir), FakeClock())
    app = create_host_app(host)
    router.add(BASE, app)
    space = Space(root, router, host, app)
    transport = httpx.ASGITransport(app=app)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        for name, made in inits.items():
            url = made.settings.public_url
            api = httpx.AsyncClient(transport=transport, base_url=url, headers={"X-API-Key": made.api_key})
            raw = httpx.AsyncClient(transport=transport, base_url=url)
            space.tenants[name] = Tenant(name, made, host.contexts[name], api, raw)
            await stack.enter_async_context(api)
            await stack.enter_async_context(raw)
        space.anyone = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=BASE))
        yield space


async def sign_in(space: Space, tenant: Tenant, name: str, role: str = "admin") -> httpx.AsyncClient:
    """A browser signed in to ``tenant``'s portal (its cookies are kept per path, as a browser keeps them)."""
    c = tenant.context.connector
    await auth.add_user(c.store, name, PASSWORD, role, c.now())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=space.app), base_url=tenant.url)
    page = await client.get("/portal/login")
    answer = await client.post("/portal/login", data={"csrf": csrf_of(page.text), "name": name, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/c/{tenant.name}/portal/"
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def snapshot(tenant: Tenant) -> dict[str, Any]:
    """Everything ``tenant`` keeps: every row of every table of its state, every file of its data directory (the
    SQLite database itself aside: its rows are read)."""
    settings = tenant.context.settings
    engine = sa.create_engine(sync_url(settings.state_url).replace("postgresql://", "postgresql+psycopg://", 1))
    if settings.state_schema:
        engine = engine.execution_options(schema_translate_map={None: settings.state_schema})
    tables: dict[str, Any] = {}
    try:
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                rows = connection.execute(sa.select(table)).mappings().all()
                tables[table.name] = sorted(json.dumps(dict(r), default=str, sort_keys=True) for r in rows)
    finally:
        engine.dispose()
    files = {
        str(p.relative_to(settings.data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(settings.data_dir.rglob("*"))
        if p.is_file() and not p.name.startswith("state.db")
    }
    return {"tables": tables, "files": files}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    """Per table (and ``files``): the rows gone and the rows new."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for name in before["tables"].keys() | after["tables"].keys():
        was, now = set(before["tables"].get(name, [])), set(after["tables"].get(name, []))
        if was != now:
            found[name] = (sorted(was - now), sorted(now - was))
    was_files = {f"{k} {v}" for k, v in before["files"].items()}
    now_files = {f"{k} {v}" for k, v in after["files"].items()}
    if was_files != now_files:
        found["files"] = (sorted(was_files - now_files), sorted(now_files - was_files))
    return found

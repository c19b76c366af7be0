"""``create_app(settings)``: the one composition root. Server, CLI, demo and tests all build connectors here;
``create_host_app(host)`` serves several participant contexts from one process (``tenants/``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from sangsaeng import __version__
from sangsaeng.clock import Clock
from sangsaeng.hub.api import routes as hub_routes
from sangsaeng.hub.catalog.service import HubCatalog
from sangsaeng.hub.hosting import routes as hosting_routes
from sangsaeng.hub.service.hub import Hub
from sangsaeng.portal import site
from sangsaeng.portal.guard import SecurityHeaders
from sangsaeng.portal.hub import site as hub_portal
from sangsaeng.settings import Settings
from sangsaeng.support import wiring as support
from sangsaeng.tenants.build import build_connector as build_connector  # the CLI's and benchmarks' way to one
from sangsaeng.tenants.host import ROOT, Host
from sangsaeng.web import audit, data, errors, limits, management, protocol, streams, transfers, users
from sangsaeng.web.contexts import Contexts

log = structlog.get_logger(__name__)

DESCRIPTION = """\
A Sangsaeng connector: publish datasets under offers, negotiate agreements and transfer data with other
connectors over the Eclipse Dataspace Protocol 2025-1.

- **management** (`/api`, API key in `X-API-Key`): datasets, offers, catalogs of peers, negotiations,
  agreements, transfers.
- **protocol** (`/dsp`, self-issued EdDSA JWT): DSP 2025-1 catalog, contract negotiation, transfer process.
- **data plane** (`/data/{transfer}`, transfer token): the data of a started transfer.
"""


def create_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """One connector, served at the root."""
    host = Host.single(settings, transport, clock)
    app = serve(host, settings, title=settings.name or settings.participant_id)
    root = host.contexts[ROOT]
    app.state.services = root.services  # for tests and tools that hold the app; routes read the scope
    if settings.kind == "hub":  # a connector that also admits members: its routes answer in its root context only
        hub = Hub.of(root.connector)
        root.own(Hub, lambda: hub)
        root.own(HubCatalog, lambda: hub.catalog)  # the portal's search page reads the same index
        root.workers.append(hub)  # its directory read and its crawl started with the root context
        hub_routes.install(app, hub)
        hub_portal.install(app)  # its pages: apply, review, members, search (portal/hub/)
        hosting_routes.install(app, host)  # and the connectors it hosts, under /c/<name>
        support.attach(app, hub)  # SME support: assessment, plan, experts, benchmarks (support/)
    return app


def create_host_app(host: Host, settings: Settings | None = None) -> FastAPI:
    """Every context of ``host``, each under ``/c/<name>``; contexts may be added and removed while it serves.
    ``settings``: the process's request limits (else the first context's, else the defaults)."""
    first = next(iter(host.contexts.values()), None)
    limited = settings or (first.settings if first is not None else Settings.model_construct())
    return serve(host, limited, title=f"{len(host.contexts)} participant contexts")


def serve(host: Host, settings: Settings, title: str) -> FastAPI:
    """The one app for every context of ``host``: routes are built once; each request finds its context."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await host.start()
        try:
            yield
        finally:
            await host.stop()

    # FastAPIOffline: the API docs' scripts come from the package, not a CDN a factory network cannot reach.
    app = FastAPIOffline(
        title=f"Sangsaeng connector — {title}",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.host = host
    errors.install(app)
    app.add_middleware(protocol.Witnessing)
    app.include_router(protocol.discovery)
    app.include_router(protocol.router)
    app.include_router(management.router)
    app.include_router(transfers.router)
    app.include_router(data.router)
    app.include_router(audit.router)
    app.include_router(streams.router)
    app.include_router(users.router)
    app.include_router(audit.protocol)
    site.install(app)
    # Outermost of ours: a request over its limits is refused before any session, route or log sees it.
    app.add_middleware(
        limits.RequestLimits,
        limits=limits.Limits(
            protocol_bytes=settings.max_protocol_body,
            json_bytes=settings.max_json_body,
            upload_bytes=settings.max_upload_body,
            json_depth=settings.max_json_depth,
        ),
    )
    app.add_middleware(SecurityHeaders)  # outside the limits: their 413 gets the headers too
    app.add_middleware(Contexts, host=host)  # before all: which connector the request is for
    return app

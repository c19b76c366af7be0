"""``create_app(settings)``: the one composition root. Server, CLI, demo and tests all build connectors here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import structlog
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from sangsaeng import __version__
from sangsaeng.audit.log import AuditLog
from sangsaeng.clock import Clock, SystemClock
from sangsaeng.connector import Connector
from sangsaeng.datasets.configured import open_store
from sangsaeng.dsp.outbox import Outbox
from sangsaeng.dsp.peer import PeerClient
from sangsaeng.errors import ConfigurationError
from sangsaeng.identity.credentials import Wallet
from sangsaeng.identity.directory import load_directory
from sangsaeng.identity.keys import load_private_key, public_jwk
from sangsaeng.portal import site
from sangsaeng.portal.guard import SecurityHeaders
from sangsaeng.services import Services
from sangsaeng.settings import Settings
from sangsaeng.store import migrate
from sangsaeng.store.sql import SqlStore
from sangsaeng.usecases import replay
from sangsaeng.web import audit, data, errors, limits, management, protocol, streams, transfers, users

log = structlog.get_logger(__name__)

DESCRIPTION = """\
A Sangsaeng connector: publish datasets under offers, negotiate agreements and transfer data with other
connectors over the Eclipse Dataspace Protocol 2025-1.

- **management** (`/api`, API key in `X-API-Key`): datasets, offers, catalogs of peers, negotiations,
  agreements, transfers.
- **protocol** (`/dsp`, self-issued EdDSA JWT): DSP 2025-1 catalog, contract negotiation, transfer process.
- **data plane** (`/data/{transfer}`, transfer token): the data of a started transfer.
"""


def build_connector(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None, clock: Clock | None = None
) -> Connector:
    if not settings.participant_id:
        raise ConfigurationError(
            "this connector has no participant id", hint="run `sangsaeng init` or set SANGSAENG_PARTICIPANT_ID"
        )
    clock = clock or SystemClock()
    key = load_private_key(settings.key_path)
    directory = load_directory(settings.directory_path)
    datasets = open_store(settings)
    migrate.upgrade(settings.state_url)
    wallet = Wallet(settings.credentials_path)
    return Connector(
        settings=settings,
        participant_id=settings.participant_id,
        key=key,
        directory=directory,
        store=SqlStore(settings.state_url),
        clock=clock,
        peer=PeerClient(
            settings.participant_id,
            key,
            clock,
            transport=transport,
            credentials=wallet.tokens,
            answer_bytes=settings.max_peer_answer,
        ),
        wallet=wallet,
        datasets=datasets,
    )


def create_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    connector = build_connector(settings, transport, clock)
    connector.audit = AuditLog(connector)
    connector.peer.heads = (connector.audit.header, connector.audit.witness)
    services = Services.of(connector)
    outbox = Outbox(connector, {s.kind: s for s in (services.negotiations, services.transfers)})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await connector.audit.start()
        await connector.audit.record(
            "connector.started",
            key=public_jwk(connector.key.public_key())["x"],  # a changed key shows in the log
            endpoint=connector.protocol_url,
        )
        await connector.audit.head()
        worker = asyncio.create_task(outbox.run(), name="outbox")
        janitor = asyncio.create_task(_forget_old_tokens(connector), name="replay-janitor")
        log.info("connector.started", participant=connector.participant_id, endpoint=connector.protocol_url)
        try:
            yield
        finally:
            janitor.cancel()
            await outbox.stop()
            worker.cancel()
            await asyncio.gather(worker, janitor, return_exceptions=True)
            await connector.audit.stop()
            await connector.peer.close()
            await connector.store.close()

    # FastAPIOffline: the API docs' scripts come from the package, not a CDN a factory network cannot reach.
    app = FastAPIOffline(
        title=f"Sangsaeng connector — {settings.name or settings.participant_id}",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.outbox = outbox
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
    return app


async def _forget_old_tokens(connector: Connector) -> None:
    """Seen token ids are kept until their tokens expire, then dropped (they can no longer be replayed)."""
    while True:
        await asyncio.sleep(60)
        try:
            await replay.forget_before(connector, connector.now() - timedelta(seconds=30))
        except Exception:
            log.exception("replay_janitor.failed")

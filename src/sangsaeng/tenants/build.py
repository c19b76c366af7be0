"""Building one connector from its settings: identity, directory, state (migrated), datasets, services."""

from __future__ import annotations

import httpx

from sangsaeng.audit.log import AuditLog
from sangsaeng.clock import Clock, SystemClock
from sangsaeng.connector import Connector, Quota
from sangsaeng.datasets.configured import open_store
from sangsaeng.dsp.outbox import Outbox
from sangsaeng.dsp.peer import PeerClient
from sangsaeng.errors import ConfigurationError
from sangsaeng.hubclient.pinned import open_directory
from sangsaeng.identity.credentials import Wallet
from sangsaeng.identity.keys import load_private_key
from sangsaeng.services import Services
from sangsaeng.settings import Settings
from sangsaeng.store import migrate
from sangsaeng.store.sql import Engines, SqlStore
from sangsaeng.tenants.context import Context


def build_connector(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
    engines: Engines | None = None,
) -> Connector:
    """The connector of ``settings``, its state brought to the newest schema. ``engines``: the process's shared
    PostgreSQL pools (a host's contexts share one per database, each in its own schema)."""
    if not settings.participant_id:
        raise ConfigurationError(
            "this connector has no participant id", hint="run `sangsaeng init` or set SANGSAENG_PARTICIPANT_ID"
        )
    clock = clock or SystemClock()
    key = load_private_key(settings.key_path)
    directory = open_directory(settings, clock.now)  # the hub's, when it joined one
    datasets = open_store(settings)
    migrate.upgrade(settings.state_url, settings.state_schema or None)
    wallet = Wallet(settings.credentials_path)
    return Connector(
        settings=settings,
        participant_id=settings.participant_id,
        key=key,
        directory=directory,
        store=SqlStore(settings.state_url, schema=settings.state_schema or None, engines=engines),
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


def build_context(
    name: str,
    prefix: str,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
    engines: Engines | None = None,
    quota: Quota | None = None,
) -> Context:
    """One context, built and not yet started. ``quota``: what its host lets it keep and ask (a hub's tenant)."""
    connector = build_connector(settings, transport, clock, engines)
    connector.quota = quota or Quota()
    connector.audit = AuditLog(connector)
    connector.peer.heads = (connector.audit.header, connector.audit.witness)
    services = Services.of(connector)
    outbox = Outbox(connector, {s.kind: s for s in (services.negotiations, services.transfers)})
    return Context(name, prefix, services, outbox)

"""The connector's use cases, wired once to one connector: what the HTTP edges (the REST and protocol APIs in
``web/``, the portal in ``portal/``) call; neither opens a transaction itself. Both edges take it from the request's
participant context (``ServicesDep``) and neither imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from sangsaeng.accounts.sessions import PortalSessions
from sangsaeng.catalog.service import CatalogService
from sangsaeng.connector import Connector
from sangsaeng.dataplane.pull import PullClient
from sangsaeng.dsp.ratelimit import TokenBuckets
from sangsaeng.negotiation.service import NegotiationService
from sangsaeng.received.service import Receiving
from sangsaeng.transfer.service import TransferService
from sangsaeng.usecases.agreements import Agreements
from sangsaeng.usecases.audit import AuditQueries
from sangsaeng.usecases.catalog import Catalog
from sangsaeng.usecases.exchange import Exchange
from sangsaeng.usecases.intake import Intake
from sangsaeng.usecases.streams import Streams
from sangsaeng.usecases.views import Views


@dataclass
class Services:
    connector: Connector
    catalog: CatalogService
    negotiations: NegotiationService
    transfers: TransferService
    pulls: PullClient  # the consumer's side of the data plane
    unsolicited: TokenBuckets = field(init=False)  # per member, for messages that start work on our side
    # What people do, each once for every door, each deciding who may (usecases/, accounts/):
    agreements: Agreements = field(init=False)
    exchange: Exchange = field(init=False)  # negotiations and transfers
    offers: Catalog = field(init=False)  # our datasets and offers
    intake: Intake = field(init=False)  # data coming in: files, ingests, derived data, streams, words, credentials
    audit: AuditQueries = field(init=False)
    streams: Streams = field(init=False)  # machine streams' state and rejected messages
    views: Views = field(init=False)  # what the portal's overview pages read together
    received: Receiving = field(init=False)  # partners' data kept here: refreshed on demand, read locally
    accounts: PortalSessions = field(init=False)  # portal users, sessions, lockouts, passwords

    def __post_init__(self) -> None:
        settings = self.connector.settings
        self.unsolicited = TokenBuckets(settings.unsolicited_rate, settings.unsolicited_burst)
        c = self.connector
        self.agreements = Agreements(c)
        self.exchange = Exchange(c, self.negotiations, self.transfers, self.pulls)
        self.offers = Catalog(c, self.catalog)
        self.intake = Intake(c, self.catalog)
        self.audit = AuditQueries(c)
        self.views = Views(c)
        self.streams = Streams(c)
        self.received = Receiving(c, self.transfers, self.pulls)
        self.accounts = PortalSessions(c)

    @classmethod
    def of(cls, connector: Connector) -> Services:
        return cls(
            connector=connector,
            catalog=CatalogService(connector),
            negotiations=NegotiationService(connector),
            transfers=TransferService(connector),
            pulls=PullClient(connector),
        )


CONTEXT = "sangsaeng.context"  # the ASGI scope's key of the request's participant context (``tenants/``)


def services(request: Request) -> Services:
    """The services of the connector the request is for: its participant context's, which the routing middleware
    put in the scope (``web/contexts.py``). One app serves every context a process hosts."""
    found: Services = request.scope[CONTEXT].services
    return found


ServicesDep = Annotated[Services, Depends(services)]

"""The connector's use cases, wired once to one connector: what the HTTP edges (the REST and protocol APIs in
``web/``, the portal in ``portal/``) call. Both edges take it from the app (``ServicesDep``) and neither imports
the other for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from sangsaeng.catalog.service import CatalogService
from sangsaeng.connector import Connector
from sangsaeng.dataplane.pull import PullClient
from sangsaeng.dsp.ratelimit import TokenBuckets
from sangsaeng.negotiation.service import NegotiationService
from sangsaeng.transfer.service import TransferService


@dataclass
class Services:
    connector: Connector
    catalog: CatalogService
    negotiations: NegotiationService
    transfers: TransferService
    pulls: PullClient  # the consumer's side of the data plane
    unsolicited: TokenBuckets = field(init=False)  # per member, for messages that start work on our side

    def __post_init__(self) -> None:
        settings = self.connector.settings
        self.unsolicited = TokenBuckets(settings.unsolicited_rate, settings.unsolicited_burst)

    @classmethod
    def of(cls, connector: Connector) -> Services:
        return cls(
            connector=connector,
            catalog=CatalogService(connector),
            negotiations=NegotiationService(connector),
            transfers=TransferService(connector),
            pulls=PullClient(connector),
        )


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]

"""The hub of one process: its use cases on the hub's own connector (the root context), built once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sangsaeng.connector import Connector
from sangsaeng.hub.service.membership import Membership
from sangsaeng.hub.service.publishing import Publishing
from sangsaeng.hub.store import migrate


@dataclass
class Hub:
    connector: Connector
    membership: Membership = field(init=False)
    publishing: Publishing = field(init=False)

    def __post_init__(self) -> None:
        self.membership = Membership(self.connector)
        self.publishing = Publishing(self.connector)

    @classmethod
    def of(cls, connector: Connector) -> Hub:
        """The hub on ``connector``, its tables brought to the newest revision first."""
        settings = connector.settings
        migrate.upgrade(settings.state_url, settings.state_schema or None)
        return cls(connector)

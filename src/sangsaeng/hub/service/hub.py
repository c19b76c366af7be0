"""The hub of one process: its use cases on the hub's own connector (the root context), built once — membership,
the published documents, the hub's own directory (its members, from its store) and the federated catalog, whose
crawl runs every ``hub_crawl_every`` seconds while the hub serves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from sangsaeng.connector import Connector
from sangsaeng.hub.catalog.crawl import Crawler, CrawlSettings, Report, peer_fetch
from sangsaeng.hub.catalog.index import SqliteIndex
from sangsaeng.hub.catalog.model import Member
from sangsaeng.hub.catalog.pgindex import PostgresIndex
from sangsaeng.hub.catalog.service import HubCatalog
from sangsaeng.hub.members.ksic import name_of
from sangsaeng.hub.members.regions import REGIONS
from sangsaeng.hub.service.directory import MembersDirectory
from sangsaeng.hub.service.membership import Membership
from sangsaeng.hub.service.publishing import Publishing
from sangsaeng.hub.store import migrate
from sangsaeng.identity.directory import participant_of
from sangsaeng.roles import Principal, require
from sangsaeng.settings import Settings
from sangsaeng.store.sql.engine import sync_url

log = structlog.get_logger(__name__)

INDEX_FILE = "hub-catalog.db"


@dataclass
class Hub:
    connector: Connector
    membership: Membership = field(init=False)
    publishing: Publishing = field(init=False)
    directory: MembersDirectory = field(init=False)
    catalog: HubCatalog = field(init=False)
    _index: SqliteIndex | PostgresIndex = field(init=False)
    _crawling: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _task: asyncio.Task[None] | None = field(init=False, default=None)
    listeners: list[Callable[[], Awaitable[None]]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        c, s = self.connector, self.connector.settings
        self.publishing = Publishing(c)
        self.directory = MembersDirectory(participant_of(self.publishing.own_entry(), "the hub"), c.participant_id)
        c.directory = self.directory  # the hub verifies, reaches and crawls its members as its store lists them
        self.membership = Membership(c, changed=self.follow)
        self._index = index_of(s)
        crawl = CrawlSettings(concurrency=s.hub_crawl_concurrency, timeout=s.hub_crawl_timeout)
        crawler = Crawler(self.crawl_members, peer_fetch(c), self._index, c.clock, crawl)
        self.catalog = HubCatalog(self._index, crawler)

    @classmethod
    def of(cls, connector: Connector) -> Hub:
        """The hub on ``connector``, its tables brought to the newest revision first."""
        settings = connector.settings
        migrate.upgrade(settings.state_url, settings.state_schema or None)
        return cls(connector)

    async def follow(self) -> None:
        """The hub's own directory read again from its store (after each decision that changes it), then whoever
        listens told (the connectors the hub hosts are fed the new documents)."""
        await self.directory.reload(self.connector)
        for listener in self.listeners:
            try:
                await listener()
            except Exception:  # a listener's failure does not undo the decision, nor stop the others
                log.exception("hub.listener.failed", listener=getattr(listener, "__qualname__", repr(listener)))

    def crawl_members(self) -> list[Member]:
        """The active members, with the words the hub adds for search: their sector's and region's names."""
        return [
            Member(
                m.participant_id,
                m.name,
                m.endpoint,
                tier=tuple(attributes.get("tier", ())),
                sector=tuple(attributes.get("sector", ())),
                region=tuple(attributes.get("region", ())),
                words=_words(attributes),
            )
            for m, attributes in self.directory.active_records()
        ]

    async def crawl(self, principal: Principal) -> Report:
        """One crawl now (the operator's); waits for a crawl already running rather than running two at once."""
        require(principal, "hub.review")
        return await self._crawl()

    async def _crawl(self) -> Report:
        assert self.catalog.crawler is not None
        async with self._crawling:
            report = await self.catalog.crawler.crawl()
        log.info(
            "hub.crawled",
            indexed=len(report.indexed),
            unchanged=len(report.unchanged),
            failed=len(report.failed),
            waiting=len(report.waiting),
            forgotten=len(report.forgotten),
        )
        return report

    async def _crawl_every(self, seconds: float) -> None:
        while True:
            try:
                await self._crawl()
            except Exception:  # the index itself failed: say so and try again next time
                log.exception("hub.crawl.pass_failed")
            await asyncio.sleep(seconds)

    async def start(self) -> None:
        """The directory read, then the crawl started (every ``hub_crawl_every`` seconds)."""
        await self.follow()
        every = self.connector.settings.hub_crawl_every
        self._task = asyncio.create_task(self._crawl_every(every), name="hub crawl")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._index.close()


def index_of(settings: Settings) -> SqliteIndex | PostgresIndex:
    """The catalog's index beside the hub's state: in its PostgreSQL database (and schema) when it has one, else in
    a SQLite file of the data directory."""
    if settings.database_url and not sync_url(settings.database_url).startswith("sqlite"):
        return PostgresIndex(settings.database_url, settings.state_schema or None)
    return SqliteIndex(settings.data_dir / INDEX_FILE)


def _words(attributes: dict[str, list[str]]) -> tuple[str, ...]:
    words: list[str] = []
    for code in attributes.get("sector", ()):
        named = name_of(code)
        words += [named.ko, named.en]
    for code in attributes.get("region", ()):
        region = REGIONS.get(code)
        if region is not None:
            words += [region.ko, region.en]
    return tuple(words)

"""The crawl: the hub reads its members' DSP catalogs with its own identity, politely and incrementally.

Politely: at most ``concurrency`` members are asked at once, each answer has ``timeout`` seconds, and a member that
failed is asked again only after a backoff that doubles with each failure in a row (``backoff`` to
``backoff_cap``). A member down, slow or answering garbage fails alone: the index keeps what it had for it, and
its state says when it was last seen and what went wrong. Incrementally: a member is asked with the entity tag of
its last catalog (a Sangsaeng connector answers 304, a few bytes), and a catalog read again with the same content
(same digest) is not indexed again.

``fetch(member, tag)`` is how a member is asked: ``peer_fetch(connector)`` over the hub's own peer client (its
participant key signs each request), or any callable in tests.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson

from sangsaeng.catalog.service import fetch_catalog_since
from sangsaeng.clock import Clock
from sangsaeng.connector import Connector
from sangsaeng.hub.catalog.index import SearchIndex
from sangsaeng.hub.catalog.model import Member, MemberState, NotACatalog, read_catalog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    """A member's answer: its catalog, or None when it said the catalog is the one ``tag`` names."""

    catalog: Any
    tag: str | None = None


Fetch = Callable[[Member, str | None], Awaitable[Fetched]]


@dataclass(frozen=True)
class CrawlSettings:
    concurrency: int = 8
    timeout: float = 20.0  # seconds for one member's whole catalog
    backoff: float = 60.0  # seconds before the first retry of a failed member; doubled per failure in a row
    backoff_cap: float = 6 * 3600.0
    max_datasets: int = 20_000  # a member's catalog with more is refused (the index keeps what it had)


@dataclass
class Report:
    """What one pass did, member by member."""

    indexed: list[str] = field(default_factory=list)  # read and (re-)indexed
    unchanged: list[str] = field(default_factory=list)  # 304, or the same content
    failed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # in backoff, not asked
    forgotten: list[str] = field(default_factory=list)  # no longer members


def _fingerprint(member: Member) -> str:
    facts = [member.name, member.endpoint, member.tier, member.sector, member.region, member.words]
    return hashlib.sha256(orjson.dumps(facts)).hexdigest()


class Crawler:
    def __init__(
        self,
        members: Callable[[], Sequence[Member]],
        fetch: Fetch,
        index: SearchIndex,
        clock: Clock,
        settings: CrawlSettings | None = None,
    ) -> None:
        self.members, self.fetch, self.index, self.clock = members, fetch, index, clock
        self.settings = settings or CrawlSettings()

    async def crawl(self) -> Report:
        """One pass over every member due to be asked."""
        report = Report()
        members = list(self.members())
        states = self.index.states()
        gone = set(states) - {m.id for m in members}
        if gone:
            self.index.forget(gone)
            report.forgotten = sorted(gone)
        now = self.clock.now().timestamp()
        due = []
        for member in members:
            state = states.get(member.id) or MemberState(member.id)
            (due.append((member, state)) if state.next_try <= now else report.waiting.append(member.id))
        limiter = anyio.CapacityLimiter(max(1, self.settings.concurrency))

        async def one(member: Member, state: MemberState) -> None:
            async with limiter:
                await self._member(member, state, report)

        async with anyio.create_task_group() as group:
            for member, state in due:
                group.start_soon(one, member, state)
        return report

    async def _member(self, member: Member, state: MemberState, report: Report) -> None:
        moved = state.fingerprint != _fingerprint(member)  # its directory entry changed: index it afresh
        try:
            with anyio.fail_after(self.settings.timeout):
                fetched = await self.fetch(member, None if moved else state.tag)
            now = self.clock.now().timestamp()
            if fetched.catalog is None:
                self._seen(state, now, fetched.tag or state.tag)
                self.index.save_state(state)
                report.unchanged.append(member.id)
                return
            digest = hashlib.sha256(orjson.dumps(fetched.catalog, option=orjson.OPT_SORT_KEYS)).hexdigest()
            if digest == state.digest and not moved:
                self._seen(state, now, fetched.tag)
                self.index.save_state(state)
                report.unchanged.append(member.id)
                return
            read = read_catalog(member, fetched.catalog, self.settings.max_datasets)
        except TimeoutError:
            self._failed(member, state, f"no whole answer within {self.settings.timeout:g} s", report)
            return
        except NotACatalog as exc:
            self._failed(member, state, f"its answer is not a catalog the hub can index: {exc}", report)
            return
        except Exception as exc:  # a member's failure is its own: the crawl goes on, the index keeps its entries
            self._failed(member, state, f"{type(exc).__name__}: {str(exc)[:300]}", report)
            return
        self._seen(state, now, fetched.tag)
        state.digest, state.fingerprint = digest, _fingerprint(member)
        state.datasets, state.skipped, state.unlisted = len(read.entries), read.skipped, read.unlisted
        self.index.replace(member, read.entries, state)
        report.indexed.append(member.id)

    def _seen(self, state: MemberState, now: float, tag: str | None) -> None:
        state.last_seen, state.failures, state.next_try, state.tag = now, 0, 0.0, tag
        state.last_error = state.last_error_at = None

    def _failed(self, member: Member, state: MemberState, error: str, report: Report) -> None:
        now = self.clock.now().timestamp()
        state.failures += 1
        wait = min(self.settings.backoff_cap, self.settings.backoff * 2 ** (state.failures - 1))
        state.last_error, state.last_error_at, state.next_try = error, now, now + wait
        log.info("hub.crawl.failed member=%s failures=%d error=%s", member.id, state.failures, error)
        if member.id in self.index.states():
            self.index.save_state(state)
        else:  # never read yet: its state is kept with no entries
            self.index.replace(member, [], state)
        report.failed.append(member.id)

    async def run(self, every: float) -> None:
        """Crawl, wait ``every`` seconds, again, until cancelled (the hub starts it with its lifespan)."""
        while True:
            try:
                await self.crawl()
            except Exception:  # the index itself failed: say so and try again next time
                log.exception("hub.crawl.pass_failed")
            await anyio.sleep(every)


def peer_fetch(connector: Connector) -> Fetch:
    """Ask members through a connector's peer client: the hub's own participant key signs each request, pages are
    followed under the member's endpoint only, answers are bounded (``catalog/service.py``)."""

    async def fetch(member: Member, tag: str | None) -> Fetched:
        catalog, new_tag = await fetch_catalog_since(connector, member.id, tag)
        return Fetched(catalog, new_tag)

    return fetch

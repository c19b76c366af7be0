"""One participant context: everything one connector holds while it runs, and how a request finds its own.

The app is built once for every context; the edges take the request's context from its ASGI scope
(``services.CONTEXT``), put there by the routing middleware (``web/contexts.py``)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, TypeVar, cast

import structlog

from sangsaeng.connector import Connector
from sangsaeng.dsp.outbox import Outbox
from sangsaeng.dsp.ratelimit import TokenBuckets
from sangsaeng.errors import InvalidInput, TooManyRequests
from sangsaeng.hubclient.follow import follow
from sangsaeng.hubclient.member import refresh_credentials
from sangsaeng.i18n.refusals import refused_as
from sangsaeng.identity.hub import HubDirectory
from sangsaeng.identity.keys import public_jwk
from sangsaeng.services import CONTEXT, Services
from sangsaeng.settings import Settings
from sangsaeng.usecases import activity, replay

log = structlog.get_logger(__name__)

T = TypeVar("T")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # one URL path segment and, dashes made underscores, a SQL name
PREFIX = "/c/"


def checked_name(name: str) -> str:
    if not NAME.match(name):
        raise InvalidInput(
            f"{name!r} is not a participant context's name",
            hint="a name is 1–63 lower-case letters, digits and dashes, starting with a letter or digit",
        )
    return name


def prefix_of(name: str) -> str:
    return PREFIX + checked_name(name)


class Worker(Protocol):
    """Something a context runs while it serves (the hub's crawl): started after the context's own workers, stopped
    before them."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class Context:
    """One connector among those a process hosts. ``prefix`` is "" for a connector served at the root."""

    name: str
    prefix: str
    services: Services
    outbox: Outbox
    # What an edge keeps per connector and makes at first use (the portal's remembered titles, the data plane's
    # slots), by its type: the edges sit above this package, so it names none of their types.
    _kept: dict[type[Any], Any] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    _requests: TokenBuckets | None = None  # its rate, when its host caps it (made at the first request)
    # Its hub's documents and its credentials are handed to it by the process that hosts it (a hub's tenant, fed
    # by ``hub/hosting``'s one reading for all): it runs no fetch of its own, which for 500 tenants on one event
    # loop was 25 requests a second to the hub's own routes.
    fed: bool = False

    @property
    def connector(self) -> Connector:
        return self.services.connector

    @property
    def settings(self) -> Settings:
        return self.services.connector.settings

    def own(self, kind: type[T], make: Callable[[], T]) -> T:
        """This context's one ``kind``, made by ``make`` the first time it is asked for."""
        found = self._kept.get(kind)
        if found is None:
            found = self._kept[kind] = make()
        return cast(T, found)

    def over_rate(self) -> TooManyRequests | None:
        """One more request to this context, counted when its host caps its rate (``Quota.requests_per_minute``, a
        token bucket holding a minute's worth): None when it may go on, else the refusal (429, when to come back)."""
        per_minute = self.connector.quota.requests_per_minute
        if per_minute is None:
            return None
        if self._requests is None:
            self._requests = TokenBuckets(per_minute / 60, per_minute)
        verdict = self._requests.take(self.name, self.connector.now().timestamp())
        if verdict.allowed:
            return None
        return refused_as(
            TooManyRequests,
            "hosting",
            "requests.too-many",
            extra={"retryAfter": verdict.retry_after},
            name=self.name,
            limit=per_minute,
            seconds=verdict.retry_after,
        )

    async def start(self) -> None:
        """Its workers: the audit log's writer, the outbox, the replay janitor, and the hub's directory fetcher
        when it trusts a hub."""
        c = self.connector
        await c.audit.start()
        await c.audit.record(
            "connector.started",
            key=public_jwk(c.key.public_key())["x"],  # a changed key shows in the log
            endpoint=c.protocol_url,
        )
        await c.audit.head()
        self._tasks = [
            asyncio.create_task(self.outbox.run(), name=f"outbox {self.name}"),
            asyncio.create_task(_forget_old_tokens(c), name=f"replay-janitor {self.name}"),
        ]
        if isinstance(c.directory, HubDirectory) and not self.fed:

            async def credentials() -> int:  # the member's own, renewed when due, into its wallet
                return await refresh_credentials(c.settings, c.key, c.wallet, c.peer.http, c.now())

            following = follow(c.directory, c.peer.http, credentials)
            self._tasks.append(asyncio.create_task(following, name=f"hub {self.name}"))
        if isinstance(c.directory, HubDirectory) and c.settings.hub_share_activity:
            self._tasks.append(asyncio.create_task(_report_activity(c), name=f"hub activity {self.name}"))
        for worker in self.workers:
            await worker.start()
        log.info("connector.started", context=self.name, participant=c.participant_id, endpoint=c.protocol_url)

    async def stop(self) -> None:
        """Its workers stopped, its log flushed, its connections closed (a shared database pool stays open)."""
        c = self.connector
        for worker in reversed(self.workers):
            await worker.stop()
        await self.outbox.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await c.audit.stop()
        await c.peer.close()
        await c.store.close()


def context_of(scope: Any) -> Context:
    """The request's context (the routing middleware put it in the scope)."""
    found: Context = scope[CONTEXT]
    return found


def route_path(scope: Any) -> str:
    """The path within the context: ``/c/a/portal/`` is ``/portal/`` to context ``a`` (ASGI keeps the whole path
    in ``path`` and the part the app is mounted at in ``root_path``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


async def _report_activity(connector: Connector) -> None:
    """This month's counts to the hub every ``hub_activity_every`` seconds (``hub_share_activity``)."""
    while True:
        await asyncio.sleep(connector.settings.hub_activity_every)
        try:
            await activity.report_to_hub(connector)
        except Exception:  # the hub down or a store hiccup: the next round sends the month again
            log.exception("hub.activity.failed")


async def _forget_old_tokens(connector: Connector) -> None:
    """Seen token ids are kept until their tokens expire, then dropped (they can no longer be replayed)."""
    while True:
        await asyncio.sleep(60)
        try:
            await replay.forget_before(connector, connector.now() - timedelta(seconds=30))
        except Exception:
            log.exception("replay_janitor.failed")

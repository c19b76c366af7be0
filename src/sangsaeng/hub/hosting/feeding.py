"""The hub feeds the connectors it hosts: its signed directory and status list every ``hub_refresh`` seconds and at
once after every decision that changes them, and each one's credentials (renewed when due) every few hours and after
a decision — one reading for all, in the hub's process, instead of each hosted connector asking the hub's own routes
over HTTP (for 500 tenants, 25 requests a second on one event loop).

A suspended hosted member is refused by every hosted partner from the decision on (the documents are handed at
once), and by partners elsewhere within their own ``hub_refresh``."""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog

from sangsaeng.errors import SangsaengError
from sangsaeng.hub.hosting.tenancy import Hosting

log = structlog.get_logger(__name__)

CREDENTIALS_EVERY = 6 * 3600.0  # a credential lives for weeks (``hub_credential_days``); renewals are due days ahead


class HostedFeed:
    """A worker of the hub's root context (``Context.workers``)."""

    def __init__(self, hosting: Hosting, every: float, credentials_every: float = CREDENTIALS_EVERY) -> None:
        self.hosting = hosting
        self.every = every
        self.credentials_every = credentials_every
        self._now = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0

    async def changed(self) -> None:
        """A decision changed the directory (the hub's listener): feed everyone now, credentials too."""
        self._now.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hub hosted feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def feed(self, credentials: bool) -> None:
        """One round: the documents to everyone; with ``credentials``, each one's credentials too."""
        try:
            await self.hosting.spread()
        except Exception:  # the hub's own store failed: the next round tries again
            log.exception("hub.hosted.feed.documents_failed")
        if credentials:
            for context in self.hosting.host.named():
                try:
                    await self.hosting.hand_credentials(context, renew=True)
                except SangsaengError:  # suspended, or not a member yet (a sign-up in progress): none to hand
                    continue
                except Exception:
                    log.exception("hub.hosted.feed.credentials_failed", tenant=context.name)
        self.rounds += 1

    async def _run(self) -> None:
        last = float("-inf")
        while True:
            decided = self._now.is_set()
            self._now.clear()
            due = decided or time.monotonic() - last >= self.credentials_every
            await self.feed(credentials=due)
            if due:
                last = time.monotonic()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.every):
                    await self._now.wait()

"""A process's participant contexts, by name: added and removed while it serves (the hub adds tenants at run
time), started and stopped together with the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import httpx
import structlog

from sangsaeng.clock import Clock
from sangsaeng.connector import Quota
from sangsaeng.errors import Conflict, NotFound
from sangsaeng.settings import Settings
from sangsaeng.store.sql import Engines
from sangsaeng.tenants.build import build_context
from sangsaeng.tenants.context import Context, checked_name, prefix_of

log = structlog.get_logger(__name__)
ROOT = ""  # the name of the one context of a single-connector app, served at the root


class Host:
    """Contexts by name. ``Host.single(settings)`` serves one connector at the root, as ``create_app`` always
    did; otherwise each context ``name`` is served under ``/c/name``. A hub is both: its own connector at the
    root and, once ``hosting`` is set, the connectors it hosts under ``/c/name``."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.contexts: dict[str, Context] = {}
        self.transport = transport  # how contexts reach other connectors (tests route them in-process)
        self.engines = Engines()  # one pool per PostgreSQL database, whatever the number of contexts
        self.running = False
        self.root: Context | None = None
        self.hosting = False  # a root context that also hosts named ones (the hub)
        self.feeds = False  # the named ones get their hub's documents and credentials from the root (``Context.fed``)
        self.clock: Clock | None = None  # the clock of contexts added later (tests move it)
        # Run once every context has started (the hub finishes the hosted connectors it could not open before);
        # a failure is logged, never stops the others or the start.
        self.started: list[Callable[[], Awaitable[None]]] = []

    @classmethod
    def single(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None, clock: Clock | None = None
    ) -> Host:
        host = cls(transport)
        host.clock = clock
        host.root = build_context(ROOT, "", settings, transport, clock)  # its own pool, as before
        host.contexts[ROOT] = host.root
        return host

    def get(self, name: str) -> Context | None:
        """The named context served under ``/c/name`` (never the root one)."""
        if name == ROOT or (self.root is not None and not self.hosting):
            return None
        return self.contexts.get(name)

    def named(self) -> list[Context]:
        """The contexts served under ``/c/name``."""
        return [c for n, c in self.contexts.items() if n != ROOT]

    def build(self, name: str, settings: Settings, clock: Clock | None = None, quota: Quota | None = None) -> Context:
        """Build context ``name`` (not started: ``start`` starts it with the others); ``quota``: its caps."""
        if self.root is not None and not self.hosting:
            raise Conflict("this app serves one connector at its root; it hosts no other")
        checked_name(name)
        if name in self.contexts:
            raise Conflict(f"a context named {name!r} is hosted already", hint="remove it first, or choose another")
        self._refuse_shared_state(name, settings)
        context = build_context(
            name, prefix_of(name), settings, self.transport, clock or self.clock, self.engines, quota
        )
        context.fed = self.feeds
        self.contexts[name] = context
        return context

    async def add(
        self, name: str, settings: Settings, clock: Clock | None = None, quota: Quota | None = None
    ) -> Context:
        """Build context ``name`` (its migrations off the event loop) and start it if the host runs."""
        context = await anyio.to_thread.run_sync(lambda: self.build(name, settings, clock, quota))
        if self.running:
            await context.start()
        return context

    async def remove(self, name: str) -> None:
        """Stop serving context ``name``: its workers stop, its state stays where it is."""
        context = self.contexts.pop(name, None) if self.get(name) is not None else None
        if context is None:
            raise NotFound(f"no context named {name!r} is hosted")
        if self.running:
            await context.stop()
        else:
            await context.connector.store.close()

    async def start(self) -> None:
        for context in list(self.contexts.values()):
            await context.start()
        self.running = True
        for then in self.started:
            try:
                await then()
            except Exception:
                log.exception("host.started.failed", step=getattr(then, "__qualname__", repr(then)))

    async def stop(self) -> None:
        self.running = False
        for context in list(self.contexts.values()):
            await context.stop()
        await self.engines.dispose()

    def _refuse_shared_state(self, name: str, settings: Settings) -> None:
        """Two contexts on one state database (one SQLite file, one PostgreSQL schema) would read each other's
        records: refused, as is one data directory for two."""
        for other in self.contexts.values():
            theirs = other.settings
            same_dir = _resolved(theirs.data_dir) == _resolved(settings.data_dir)
            same_state = (theirs.state_url, theirs.state_schema) == (settings.state_url, settings.state_schema)
            same_datasets = bool(settings.datasets) and theirs.datasets == settings.datasets
            if same_dir or same_state or same_datasets:
                raise Conflict(
                    f"context {name!r} would share its data directory, state database or datasets with {other.name!r}",
                    hint="give each context its own data directory, and on one PostgreSQL database its own"
                    " state_schema",
                )


def _resolved(path: Path) -> Path:
    return path.expanduser().resolve()

"""Which ports a transaction reaches: one attribute per record kind, set by each adapter's transaction."""

from __future__ import annotations

from sangsaeng.store.ports.agreements import Agreements
from sangsaeng.store.ports.audit import AuditLog
from sangsaeng.store.ports.datasets import Datasets
from sangsaeng.store.ports.negotiations import Negotiations
from sangsaeng.store.ports.offers import Catalog, Offers
from sangsaeng.store.ports.outbox import Outbox
from sangsaeng.store.ports.received import ReceivedCopies
from sangsaeng.store.ports.replay import ReplayGuard
from sangsaeng.store.ports.transfers import Transfers
from sangsaeng.store.ports.users import Sessions, SignInFailures, Users
from sangsaeng.store.ports.vocabulary import Vocabulary


class Ports:
    __slots__ = ()

    negotiations: Negotiations
    agreements: Agreements
    transfers: Transfers
    datasets: Datasets
    offers: Offers
    catalog: Catalog
    audit: AuditLog
    outbox: Outbox
    users: Users
    sessions: Sessions
    sign_in_failures: SignInFailures
    replay_guard: ReplayGuard
    vocabulary: Vocabulary
    received: ReceivedCopies


PORTS = tuple(Ports.__annotations__)

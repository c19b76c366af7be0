"""One SQL transaction: every port's adapter on the same connection, so writes to several kinds commit together."""

from __future__ import annotations

from sangsaeng.store.ports import Tx
from sangsaeng.store.sql.agreements import SqlAgreements
from sangsaeng.store.sql.audit import SqlAuditLog
from sangsaeng.store.sql.common import Connection
from sangsaeng.store.sql.datasets import SqlDatasets
from sangsaeng.store.sql.negotiations import SqlNegotiations
from sangsaeng.store.sql.offers import SqlCatalog, SqlOffers
from sangsaeng.store.sql.outbox import SqlOutbox
from sangsaeng.store.sql.received import SqlReceived
from sangsaeng.store.sql.replay import SqlReplayGuard
from sangsaeng.store.sql.transfers import SqlTransfers
from sangsaeng.store.sql.users import SqlSessions, SqlSignInFailures, SqlUsers
from sangsaeng.store.sql.vocabulary import SqlVocabulary


class SqlTx(Tx):
    __slots__ = (
        "conn",
        "negotiations",
        "agreements",
        "transfers",
        "datasets",
        "offers",
        "catalog",
        "audit",
        "outbox",
        "users",
        "sessions",
        "sign_in_failures",
        "replay_guard",
        "vocabulary",
        "received",
    )

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.negotiations = SqlNegotiations(conn)
        self.agreements = SqlAgreements(conn)
        self.transfers = SqlTransfers(conn)
        self.datasets = SqlDatasets(conn)
        self.offers = SqlOffers(conn)
        self.catalog = SqlCatalog(conn)
        self.audit = SqlAuditLog(conn)
        self.outbox = SqlOutbox(conn)
        self.users = SqlUsers(conn)
        self.sessions = SqlSessions(conn)
        self.sign_in_failures = SqlSignInFailures(conn)
        self.replay_guard = SqlReplayGuard(conn)
        self.vocabulary = SqlVocabulary(conn)
        self.received = SqlReceived(conn)

"""The transaction's flat names from before the ports (``tx.get_agreement(…)``), kept as thin delegations so that
callers and other branches keep working while they move to ``tx.<port>.<method>(…)``.

FLAT: remove this module (and ``FlatNames`` from ``Tx``) once no caller uses these names;
``tests/store_contract/test_boundary.py`` lists which remain and holds each to one delegation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sangsaeng.errors import Conflict
from sangsaeng.store.ports.kinds import Ports
from sangsaeng.store.records import (
    Agreement,
    CatalogEntry,
    Dataset,
    DatasetVersion,
    LogEntry,
    Negotiation,
    Offer,
    OutboxMessage,
    PortalSession,
    Source,
    Term,
    Transfer,
    User,
)


class FlatNames(Ports):
    __slots__ = ()

    # datasets, offers, the catalog
    async def add_dataset(self, dataset: Dataset) -> None:
        return await self.datasets.add(dataset)

    async def add_version(self, version: DatasetVersion) -> None:
        return await self.datasets.add_version(version)

    async def get_dataset(self, dataset_id: str) -> Dataset | None:
        return await self.datasets.get(dataset_id)

    async def list_datasets(self, offset: int = 0, limit: int = 100, *, offered_only: bool = False) -> list[Dataset]:
        return await self.datasets.page(offset, limit, offered_only=offered_only)

    async def count_datasets(self, *, offered_only: bool = False) -> int:
        return await self.datasets.count(offered_only=offered_only)

    async def add_sources(self, sources: Sequence[Source]) -> None:
        return await self.datasets.add_sources(sources)

    async def sources_of(self, dataset_id: str) -> list[Source]:
        return await self.datasets.sources_of(dataset_id)

    async def catalog_entries(self, offset: int = 0, limit: int | None = None) -> list[CatalogEntry]:
        return await self.catalog.entries(offset, limit)

    async def catalog_revision(self) -> int:
        return await self.catalog.revision()

    async def bump_catalog_revision(self) -> None:
        return await self.catalog.bump_revision()

    async def agreements_for(self, dataset_id: str) -> list[Agreement]:
        return await self.agreements.for_dataset(dataset_id)

    async def add_offer(self, offer: Offer) -> None:
        return await self.offers.add(offer)

    async def get_offer(self, offer_id: str) -> Offer | None:
        return await self.offers.get(offer_id)

    async def offers_for(self, dataset_ids: Sequence[str]) -> dict[str, list[Offer]]:
        return await self.offers.for_datasets(dataset_ids)

    async def list_offers(self) -> list[Offer]:
        return await self.offers.all()

    # users, sessions, failed sign-ins
    async def add_user(self, user: User) -> None:
        return await self.users.add(user)

    async def get_user(self, name: str) -> User | None:
        return await self.users.get(name)

    async def list_users(self) -> list[User]:
        return await self.users.all()

    async def set_password_hash(self, user_name: str, password_hash: str) -> None:
        return await self.users.set_password_hash(user_name, password_hash)

    async def add_session(self, session: PortalSession) -> None:
        return await self.sessions.add(session)

    async def get_session(self, id_hash: str) -> PortalSession | None:
        return await self.sessions.get(id_hash)

    async def save_session(self, session: PortalSession) -> None:
        return await self.sessions.save(session)

    async def delete_session(self, id_hash: str) -> bool:
        return await self.sessions.delete(id_hash)

    async def delete_sessions(self, user_name: str, *, keep: str | None = None) -> int:
        return await self.sessions.delete_of(user_name, keep=keep)

    async def sessions_of(self, user_name: str) -> list[PortalSession]:
        return await self.sessions.of(user_name)

    async def forget_sessions(self, now: datetime, idle_since: datetime) -> int:
        return await self.sessions.forget(now, idle_since)

    async def add_login_failure(self, scope: str, subject: str, at: datetime) -> int:
        return await self.sign_in_failures.add(scope, subject, at)

    async def drop_login_failure(self, failure_id: int) -> None:
        return await self.sign_in_failures.drop(failure_id)

    async def login_failures(
        self, scope: str, subject: str, since: datetime | None = None, before: int | None = None
    ) -> list[datetime]:
        return await self.sign_in_failures.of(scope, subject, since, before)

    async def clear_login_failures(self, scope: str, subject: str) -> int:
        return await self.sign_in_failures.clear(scope, subject)

    async def forget_login_failures(self, scope: str, before: datetime) -> int:
        return await self.sign_in_failures.forget(scope, before)

    # the company's vocabulary
    async def declare_term(self, term: Term) -> None:
        return await self.vocabulary.declare(term)

    async def terms(self, kind: str | None = None, field: str | None = None) -> list[Term]:
        return await self.vocabulary.terms(kind, field)

    async def forget_term(self, kind: str, field: str, written: str) -> bool:
        return await self.vocabulary.forget(kind, field, written)

    # the audit log
    async def append_log(self, entries: Sequence[LogEntry]) -> None:
        return await self.audit.append(entries)

    async def log_entries(
        self,
        offset: int = 0,
        limit: int | None = None,
        *,
        agreement_or_process: Sequence[str] = (),
        counterparty: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        newest_first: bool = False,
    ) -> list[LogEntry]:
        return await self.audit.entries(
            offset,
            limit,
            agreement_or_process=agreement_or_process,
            counterparty=counterparty,
            since=since,
            until=until,
            kind=kind,
            newest_first=newest_first,
        )

    async def log_leaves(self, size: int | None = None) -> list[str]:
        return await self.audit.leaves(size)

    async def log_size(self) -> int:
        return await self.audit.size()

    async def add_head(self, size: int, head: dict[str, Any], at: datetime) -> None:
        return await self.audit.add_head(size, head, at)

    async def log_heads(self) -> list[dict[str, Any]]:
        return await self.audit.heads()

    async def add_witnessed(self, participant: str, size: int, root: str, head: dict[str, Any], at: datetime) -> bool:
        return await self.audit.add_witnessed(participant, size, root, head, at)

    async def witnessed(self, participant: str | None = None) -> list[dict[str, Any]]:
        return await self.audit.witnessed(participant)

    # negotiations, agreements, transfers
    async def add_negotiation(self, negotiation: Negotiation) -> None:
        return await self.negotiations.add(negotiation)

    async def get_negotiation(self, negotiation_id: str, *, for_update: bool = False) -> Negotiation | None:
        return await self.negotiations.get(negotiation_id, for_update=for_update)

    async def find_negotiation(self, role: str, consumer_pid: str, counterparty: str) -> Negotiation | None:
        return await self.negotiations.find(role, consumer_pid, counterparty)

    async def save_negotiation(self, negotiation: Negotiation) -> None:
        return await self.negotiations.save(negotiation)

    async def list_negotiations(self, offset: int = 0, limit: int = 100) -> list[Negotiation]:
        return await self.negotiations.page(offset, limit)

    async def add_agreement(self, agreement: Agreement) -> None:
        return await self.agreements.add(agreement)

    async def get_agreement(self, agreement_id: str, *, for_update: bool = False) -> Agreement | None:
        return await self.agreements.get(agreement_id, for_update=for_update)

    async def save_agreement(self, agreement: Agreement) -> None:
        return await self.agreements.save(agreement)

    async def list_agreements(self, offset: int = 0, limit: int = 100) -> list[Agreement]:
        return await self.agreements.page(offset, limit)

    async def add_transfer(self, transfer: Transfer) -> None:
        return await self.transfers.add(transfer)

    async def get_transfer(self, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
        return await self.transfers.get(transfer_id, for_update=for_update)

    async def find_transfer(self, role: str, consumer_pid: str, counterparty: str) -> Transfer | None:
        return await self.transfers.find(role, consumer_pid, counterparty)

    async def save_transfer(self, transfer: Transfer) -> None:
        return await self.transfers.save(transfer)

    async def list_transfers(self, offset: int = 0, limit: int = 100) -> list[Transfer]:
        return await self.transfers.page(offset, limit)

    async def transfers_for(self, agreement_id: str) -> list[Transfer]:
        return await self.transfers.for_agreement(agreement_id)

    # the outbox
    async def enqueue(self, message: OutboxMessage) -> None:
        return await self.outbox.enqueue(message)

    async def due_messages(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        return await self.outbox.due(now, limit)

    async def save_message(self, message: OutboxMessage) -> None:
        return await self.outbox.save(message)

    async def get_message(self, message_id: str, *, for_update: bool = False) -> OutboxMessage | None:
        return await self.outbox.get(message_id, for_update=for_update)

    async def pending_messages(self, process_id: str) -> list[OutboxMessage]:
        return await self.outbox.pending(process_id)

    # the replay guard
    async def remember_token(self, jti: str, expires_at: datetime) -> bool:
        """Whether the token id is new (the port raises ``Conflict`` for a replay; this name answered False)."""
        try:
            await self.replay_guard.remember(jti, expires_at)
        except Conflict:
            return False
        return True

    async def forget_tokens_before(self, moment: datetime) -> int:
        return await self.replay_guard.forget_before(moment)

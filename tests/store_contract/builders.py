"""Records for the contract suites: valid by default, one field changed where a test says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sangsaeng.store.records import (
    Agreement,
    Dataset,
    DatasetVersion,
    LogEntry,
    Negotiation,
    Offer,
    OutboxMessage,
    PortalSession,
    Source,
    Transfer,
    User,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class Rollback(Exception):
    """Raised at the end of a transaction to leave nothing behind (one hypothesis example)."""


def negotiation(
    pid: str, consumer_pid: str | None = None, counterparty: str = "urn:p:oem", **changed: Any
) -> Negotiation:
    fields: dict[str, Any] = {
        "id": pid,
        "role": "provider",
        "provider_pid": pid,
        "consumer_pid": consumer_pid or f"c-{pid}",
        "counterparty": counterparty,
        "counterparty_address": "http://127.0.0.1:1/dsp",
        "state": "REQUESTED",
        "dataset_id": "urn:d:1",
        "offer": {"@id": "urn:o:1", "permission": [{"action": "use"}]},
        "purpose": "quality-analysis",
        "created_at": T0,
        "updated_at": T0,
    }
    return Negotiation(**{**fields, **changed})


def agreement(aid: str, **changed: Any) -> Agreement:
    fields: dict[str, Any] = {
        "id": aid,
        "negotiation_id": "urn:n:1",
        "dataset_id": "urn:d:1",
        "provider": "urn:p:s",
        "consumer": "urn:p:o",
        "body": {"@id": aid, "@type": "Agreement", "permission": [{"action": "use"}], "note": "상생"},
        "created_at": T0,
    }
    return Agreement(**{**fields, **changed})


def transfer(tid: str, **changed: Any) -> Transfer:
    fields: dict[str, Any] = {
        "id": tid,
        "role": "consumer",
        "counterparty": "urn:p:s",
        "counterparty_address": "http://127.0.0.1:1/dsp",
        "state": "INITIAL",
        "agreement_id": "urn:a:1",
        "format": "HttpData-PULL",
        "created_at": T0,
        "updated_at": T0,
        "consumer_pid": tid,
    }
    return Transfer(**{**fields, **changed})


def message(mid: str, process: str = "p1", at: datetime = T0, **changed: Any) -> OutboxMessage:
    fields: dict[str, Any] = {
        "id": mid,
        "process_kind": "negotiation",
        "process_id": process,
        "event": "ContractAgreementMessage",
        "url": "http://127.0.0.1:1/dsp/x",
        "audience": "urn:p:oem",
        "body": {"@type": "X", "note": "한글"},
        "next_attempt_at": at,
    }
    return OutboxMessage(**{**fields, **changed})


def dataset(did: str, at: datetime = T0, title: str = "수입검사", **changed: Any) -> Dataset:
    return Dataset(**{"id": did, "title": title, "description": "", "created_at": at, **changed})


def version(did: str, number: int, at: datetime = T0) -> DatasetVersion:
    return DatasetVersion(
        did, number, f"x/v{number}.parquet", [{"name": "a", "type": "int64"}], number * 10, 100, "0" * 64, at
    )


def source(did: str, position: int, agreement_id: str | None = "urn:a:1") -> Source:
    return Source(did, position, f"urn:d:src{position}", "urn:p:s", agreement_id, {"terms": {}}, T0, "derive", T0)


def offer(oid: str, did: str, at: datetime = T0, **changed: Any) -> Offer:
    return Offer(
        **{"id": oid, "dataset_id": did, "policy": {"permission": [{"action": "use"}]}, "created_at": at, **changed}
    )


def entry(index: int, at: datetime = T0, **changed: Any) -> LogEntry:
    return LogEntry(
        **{"index": index, "entry": f'{{"i":{index}}}', "leaf": f"{index:064x}", "at": at, "kind": "k", **changed}
    )


def user(name: str, role: str = "steward") -> User:
    return User(name, "argon2-hash", role, T0)


def session(key: str, user_name: str, created: datetime = T0, data: dict[str, Any] | None = None) -> PortalSession:
    return PortalSession(key, user_name, f"csrf-{key[0]}", created, created, created + timedelta(hours=8), data or {})

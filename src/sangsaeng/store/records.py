"""What the connector keeps: plain records, free of any database library (the pure core may import them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DatasetVersion:
    dataset_id: str
    version: int
    path: str  # relative to the data directory
    columns: list[dict[str, str]]  # [{"name": …, "type": …}]
    rows: int
    bytes: int
    sha256: str
    created_at: datetime
    entity: str | None = None  # the standard entity it holds, when ingested through a mapping
    origin: str | None = None  # SHA-256 over the source file and the mapping it was ingested with


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    description: str
    created_at: datetime
    latest: DatasetVersion | None = None
    co_generators: tuple[str, ...] = ()  # others who generated it with us (the Act: joint generation)
    listed_at_hub: bool = True  # the dataspace's hub may list it in its catalog search


@dataclass(frozen=True)
class Source:
    """Where a dataset's content came from, when not only from its generator: a dataset received (or one of
    ours), the agreement under which it was obtained and that agreement's terms, and what was done with it."""

    dataset_id: str  # the dataset made from the source
    position: int
    source_dataset_id: str
    provider: str
    agreement_id: str | None  # None: one of our own datasets
    policy: dict[str, Any]  # {"terms": the source agreement, "purpose": its declared purpose} ({} for our own)
    agreed_at: datetime | None
    operation: str  # copy, aggregate, join, derive
    created_at: datetime


@dataclass(frozen=True)
class CatalogEntry:
    """What a catalog shows of one dataset: no file details, every offer's policy."""

    dataset_id: str
    title: str
    description: str
    offers: list[tuple[str, dict[str, Any], dict[str, Any] | None]]  # (offer id, policy, access policy)
    entity: str | None = None  # the standard entity its latest version holds
    listed_at_hub: bool = True


@dataclass(frozen=True)
class Offer:
    id: str
    dataset_id: str
    policy: dict[str, Any]  # the contract policy: who may obtain the data, and on which terms
    created_at: datetime
    access_policy: dict[str, Any] | None = None  # who may see the offer; None: drawn from the contract policy


@dataclass
class Negotiation:
    id: str  # our own process id: providerPid when we provide, consumerPid when we consume
    role: str  # "provider" | "consumer"
    counterparty: str
    counterparty_address: str  # the peer's protocol endpoint (provider) or callbackAddress (consumer)
    state: str
    dataset_id: str
    offer: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    provider_pid: str | None = None
    consumer_pid: str | None = None
    purpose: str | None = None
    agreement_id: str | None = None
    reason: str | None = None
    attributes: dict[str, list[str]] | None = None  # the consumer's verified credential attributes (provider)


@dataclass
class Agreement:
    id: str
    negotiation_id: str
    dataset_id: str
    provider: str
    consumer: str
    body: dict[str, Any]
    created_at: datetime
    purpose: str | None = None
    provider_signature: dict[str, str] | None = None
    consumer_signature: dict[str, str] | None = None
    terminated_at: datetime | None = None
    uses: int = 0
    attributes: dict[str, list[str]] | None = None  # the consumer's verified credential attributes, at agreement
    fulfilled: dict[str, str] | None = None  # duty path → when the consumer said it was done (ISO 8601)


@dataclass
class Transfer:
    id: str  # our own process id
    role: str
    counterparty: str
    counterparty_address: str
    state: str
    agreement_id: str
    format: str
    created_at: datetime
    updated_at: datetime
    provider_pid: str | None = None
    consumer_pid: str | None = None
    data_endpoint: str | None = None
    data_token: str | None = None
    reason: str | None = None


@dataclass
class OutboxMessage:
    id: str
    process_kind: str  # "negotiation" | "transfer"
    process_id: str
    event: str  # the state-machine event the message carries, applied on acknowledgement
    url: str
    audience: str
    body: dict[str, Any]
    next_attempt_at: datetime
    attempts: int = 0
    status: str = "pending"  # pending | sent | failed
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LogEntry:
    index: int
    entry: str  # canonical JSON, exactly the bytes whose hash is the leaf
    leaf: str  # hex
    at: datetime
    kind: str
    counterparty: str | None = None
    agreement_id: str | None = None
    process_id: str | None = None


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str
    role: str  # admin, steward, viewer
    created_at: datetime


@dataclass(frozen=True)
class PortalSession:
    """A signed-in portal session. The browser holds a random id; only its SHA-256 is kept here."""

    id_hash: str
    user_name: str
    csrf: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the absolute end, fixed at sign-in; idleness is judged from last_seen_at
    data: dict[str, Any] = field(default_factory=dict)  # what pages keep between requests (a flash message)


@dataclass(frozen=True)
class Term:
    """A word of the company's files, declared once by a person and used for its next files: a unit the system
    did not know ("파이" is mm), a code value of one field ("보류" in quality_result.passed is ``false``), or the
    header of a column a field was read from ("검사치" is quality_result.value)."""

    kind: str  # "unit" | "code" | "header"
    field: str  # "" for a unit (one spelling in every file); "<entity>.<field>" for a code; "<entity>" for a header
    written: str  # as the files write it (NFKC-normalised, trimmed)
    meaning: str  # a unit spelling the system reads; one of the field's codes ("true"/"false" for yes/no); a field
    declared_by: str  # the portal user (or "api", "cli") who declared it
    declared_at: datetime


@dataclass(frozen=True)
class ReceivedFile:
    """One Parquet file of a received copy, in the dataset store."""

    key: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Received:
    """The consumer's own copy of what it received under one agreement: the files it keeps in its dataset store,
    and where they came from. ``dataset_id`` names the copy as a dataset of ours, whose lineage is the agreement."""

    id: str
    agreement_id: str
    transfer_id: str  # the transfer of the last refresh
    provider: str
    source_dataset_id: str  # the provider's dataset
    dataset_id: str  # the copy, one of our datasets (not offered unless someone offers it)
    files: tuple[ReceivedFile, ...]  # oldest first; a stream's copy grows by a file per refresh
    rows: int
    bytes: int
    sha256: str  # of the one file; of the files' hashes in order when there are several
    columns: list[dict[str, str]]  # [{"name": …, "type": …}]
    received_at: datetime  # when the last refresh arrived
    entity: str | None = None  # the standard entity the data holds, when the provider said
    position: str | None = None  # a stream's position token of the last part received (None: not a stream)
    refreshes: int = 1

"""Wire schemas of the management API (kept apart from records and protocol messages)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from sangsaeng.catalog.files import STREAMS, is_stream, live_size
from sangsaeng.store.records import Agreement, Dataset, Negotiation, Offer, Transfer


class Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class Column(BaseModel):
    name: str
    type: str


class DatasetOut(Camel):
    id: str
    title: str
    description: str
    version: int | None
    rows: int | None
    bytes: int | None
    sha256: str | None
    columns: list[Column]
    created_at: datetime = Field(serialization_alias="createdAt")
    entity: str | None = Field(None, description="The standard entity the latest version holds, if ingested")
    stream: str | None = Field(None, description="The machine stream it lands from, growing as it runs")
    listed_at_hub: bool = Field(
        True, serialization_alias="listedAtHub", description="Whether the dataspace's hub lists it in its search"
    )

    @classmethod
    def of(cls, d: Dataset, streams_dir: Path | None = None) -> DatasetOut:
        v = d.latest
        live = live_size(streams_dir, v.path) if v and streams_dir else None
        return cls(
            stream=v.path.removeprefix(STREAMS) if v and is_stream(v.path) else None,
            entity=v.entity if v else None,
            id=d.id,
            title=d.title,
            description=d.description,
            version=v.version if v else None,
            rows=live[0] if live else v.rows if v else None,
            bytes=live[1] if live else v.bytes if v else None,
            sha256=v.sha256 if v else None,
            columns=[Column(**c) for c in (v.columns if v else [])],
            created_at=d.created_at,
            listed_at_hub=d.listed_at_hub,
        )


class DatasetChangeIn(Camel):
    """What a dataset says of itself that its provider may change; only the hub listing for now."""

    listed_at_hub: StrictBool = Field(
        alias="listedAtHub", description="false: the dataspace's hub does not list it (our catalog says so)"
    )


class IngestOut(Camel):
    dataset: DatasetOut
    unchanged: bool = Field(description="The same file was ingested through the same mapping before: no new version")
    rows_written: int = Field(serialization_alias="rowsWritten")
    rows_rejected: int = Field(serialization_alias="rowsRejected")
    report: dict[str, Any] = Field(
        description="Rows read, kept and set aside; errors and notes counted per code; the first 100 findings in "
        "row order (POST /api/ingest/check pages through all of them)"
    )


class OfferIn(Camel):
    dataset_id: str = Field(alias="datasetId")
    policy: dict[str, Any] | None = Field(
        None, description="ODRL policy: permission / prohibition / obligation (POLICY.md); or give a template"
    )
    template: str | None = Field(None, description="A named template instead of a policy (GET /api/templates)")
    parameters: dict[str, Any] = Field(default_factory=dict, description="The template's parameters")
    id: str | None = Field(None, description="Offer id; generated when absent")
    access_policy: dict[str, Any] | None = Field(
        None,
        alias="accessPolicy",
        description="Who may see the offer in the catalog: an ODRL policy on 'use' about the caller only "
        "(participant, role, tier, sector, region, membership). Absent: those the policy could grant it to",
    )


class CredentialIn(Camel):
    token: str = Field(description="The credential (a signed JWT) an issuer gave this connector")


class DutyIn(Camel):
    duty: str = Field(description="The duty's path in the agreement, e.g. policy.permission[0].duty[0]")


class ExplainIn(Camel):
    offer_id: str | None = Field(None, alias="offerId", description="Explain an offer of this connector …")
    agreement_id: str | None = Field(None, alias="agreementId", description="… or an agreement …")
    policy: dict[str, Any] | None = Field(None, description="… or a policy given here")
    consumer: str = Field(description="The participant asking")
    purpose: str | None = None
    attributes: dict[str, list[str]] = Field(
        default_factory=dict, description="What its credentials would attest: role, tier, sector, region, membership"
    )
    fields: list[str] | None = Field(None, description="The fields it would read (default: all)")
    operation: str = Field("read", pattern="^(read|aggregate|derive|distribute)$")
    at: datetime | None = Field(None, description="When (default: now)")
    uses: int | None = Field(None, ge=0, description="Uses so far (default: the agreement's, or 0)")


class ExplainOut(Camel):
    permit: bool
    reasons: list[str]
    delivered_fields: list[str] | None = Field(serialization_alias="deliveredFields")
    withheld_fields: list[str] = Field(serialization_alias="withheldFields")
    masked_fields: list[str] = Field(serialization_alias="maskedFields")
    rows: list[dict[str, str]] | None = Field(description="Only rows where a field has a value; null: all rows")
    aggregate_only: bool = Field(serialization_alias="aggregateOnly")
    min_group_size: int | None = Field(serialization_alias="minGroupSize")
    duties: list[str]


class OfferOut(Camel):
    id: str
    dataset_id: str = Field(serialization_alias="datasetId")
    policy: dict[str, Any]
    created_at: datetime = Field(serialization_alias="createdAt")
    access_policy: dict[str, Any] | None = Field(
        serialization_alias="accessPolicy", description="The access policy given; null: drawn from the policy"
    )
    visible_to: dict[str, Any] = Field(
        serialization_alias="visibleTo",
        description="Who sees the offer in the catalog: {kind: everyone}, {kind: only, participants}, "
        "{kind: except, participants} or {kind: credentials} (decided by the access policy per caller)",
    )

    @classmethod
    def of(cls, o: Offer, visible_to: dict[str, Any]) -> OfferOut:
        return cls(
            id=o.id,
            dataset_id=o.dataset_id,
            policy=o.policy,
            created_at=o.created_at,
            access_policy=o.access_policy,
            visible_to=visible_to,
        )


class CatalogIn(Camel):
    peer: str = Field(description="The participant id of the connector to ask")


class NegotiationIn(Camel):
    peer: str = Field(description="The provider's participant id")
    dataset_id: str = Field(alias="datasetId")
    offer_id: str | None = Field(None, alias="offerId", description="An offer from the provider's catalog")
    offer: dict[str, Any] | None = Field(None, description="The offer itself, as the catalog lists it")
    purpose: str | None = Field(None, description="What the data will be used for, e.g. quality-analysis")


class NegotiationOut(Camel):
    id: str
    role: str
    state: str
    counterparty: str
    dataset_id: str = Field(serialization_alias="datasetId")
    provider_pid: str | None = Field(serialization_alias="providerPid")
    consumer_pid: str | None = Field(serialization_alias="consumerPid")
    agreement_id: str | None = Field(serialization_alias="agreementId")
    purpose: str | None
    reason: str | None
    offer: dict[str, Any]
    created_at: datetime = Field(serialization_alias="createdAt")
    updated_at: datetime = Field(serialization_alias="updatedAt")

    @classmethod
    def of(cls, n: Negotiation) -> NegotiationOut:
        return cls(
            id=n.id,
            role=n.role,
            state=n.state,
            counterparty=n.counterparty,
            dataset_id=n.dataset_id,
            provider_pid=n.provider_pid,
            consumer_pid=n.consumer_pid,
            agreement_id=n.agreement_id,
            purpose=n.purpose,
            reason=n.reason,
            offer=n.offer,
            created_at=n.created_at,
            updated_at=n.updated_at,
        )


class ReasonIn(Camel):
    reason: str = Field("terminated by the operator", max_length=2000)


class AgreementOut(Camel):
    id: str
    dataset_id: str = Field(serialization_alias="datasetId")
    provider: str
    consumer: str
    purpose: str | None
    uses: int
    terminated_at: datetime | None = Field(serialization_alias="terminatedAt")
    signed_by_both: bool = Field(serialization_alias="signedByBoth")
    agreement: dict[str, Any]
    created_at: datetime = Field(serialization_alias="createdAt")
    duties: list[dict[str, Any]] = Field(
        default_factory=list, description="What the consumer must do, with when it is due and whether overdue"
    )

    @classmethod
    def of(cls, a: Agreement, duties: list[dict[str, Any]] | None = None) -> AgreementOut:
        return cls(
            duties=duties or [],
            id=a.id,
            dataset_id=a.dataset_id,
            provider=a.provider,
            consumer=a.consumer,
            purpose=a.purpose,
            uses=a.uses,
            terminated_at=a.terminated_at,
            signed_by_both=a.provider_signature is not None and a.consumer_signature is not None,
            agreement=a.body,
            created_at=a.created_at,
        )


class TransferIn(Camel):
    agreement_id: str = Field(alias="agreementId")


class TransferOut(Camel):
    id: str
    role: str
    state: str
    counterparty: str
    agreement_id: str = Field(serialization_alias="agreementId")
    provider_pid: str | None = Field(serialization_alias="providerPid")
    consumer_pid: str | None = Field(serialization_alias="consumerPid")
    format: str
    ready: bool = Field(description="The data can be downloaded now")
    reason: str | None
    created_at: datetime = Field(serialization_alias="createdAt")
    updated_at: datetime = Field(serialization_alias="updatedAt")

    @classmethod
    def of(cls, t: Transfer) -> TransferOut:
        return cls(
            id=t.id,
            role=t.role,
            state=t.state,
            counterparty=t.counterparty,
            agreement_id=t.agreement_id,
            provider_pid=t.provider_pid,
            consumer_pid=t.consumer_pid,
            format=t.format,
            ready=t.role == "consumer" and t.state == "STARTED" and t.data_token is not None,
            reason=t.reason,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )


class Identity(Camel):
    participant_id: str = Field(serialization_alias="participantId")
    name: str
    protocol_endpoint: str = Field(serialization_alias="protocolEndpoint")
    public_key: dict[str, str] = Field(serialization_alias="publicKey")

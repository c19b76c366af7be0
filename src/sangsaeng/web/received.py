"""Management API for received data: the consumer's own copies, refreshed only when asked and read locally.

``POST /api/received/{agreement}/refresh`` is the one call here that reaches the provider (a use of the
agreement); the rest read the copy in the dataset store. ``GET /api/transfers/{id}/data`` stays the explicit
pull that relays the provider's answer without keeping it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import Field

from sangsaeng.roles import API_KEY
from sangsaeng.store.records import Received
from sangsaeng.web.deps import ServicesDep, api_key
from sangsaeng.web.management import Limit, Offset
from sangsaeng.web.schemas import Camel, Column

router = APIRouter(dependencies=[Depends(api_key)], tags=["received data"])  # under /api (web/transfers.py)


class ReceivedFileOut(Camel):
    key: str
    rows: int
    bytes: int
    sha256: str


class ReceivedOut(Camel):
    id: str
    agreement_id: str = Field(serialization_alias="agreementId")
    transfer_id: str = Field(serialization_alias="transferId", description="The transfer of the last refresh")
    provider: str
    source_dataset_id: str = Field(serialization_alias="sourceDatasetId", description="The provider's dataset")
    dataset_id: str = Field(
        serialization_alias="datasetId", description="The copy as one of our datasets: its rights name the agreement"
    )
    rows: int
    bytes: int
    sha256: str
    columns: list[Column]
    entity: str | None
    received_at: datetime = Field(serialization_alias="receivedAt")
    position: str | None = Field(description="A stream's position: the next refresh asks only for what is newer")
    refreshes: int
    files: list[ReceivedFileOut]

    @classmethod
    def of(cls, r: Received) -> ReceivedOut:
        return cls(
            id=r.id,
            agreement_id=r.agreement_id,
            transfer_id=r.transfer_id,
            provider=r.provider,
            source_dataset_id=r.source_dataset_id,
            dataset_id=r.dataset_id,
            rows=r.rows,
            bytes=r.bytes,
            sha256=r.sha256,
            columns=[Column(**c) for c in r.columns],
            entity=r.entity,
            received_at=r.received_at,
            position=r.position,
            refreshes=r.refreshes,
            files=[ReceivedFileOut(key=f.key, rows=f.rows, bytes=f.bytes, sha256=f.sha256) for f in r.files],
        )


class RefreshOut(Camel):
    received: ReceivedOut
    rows: int = Field(description="Rows this refresh brought")
    bytes: int = Field(description="Bytes of the provider's answer")
    whole: bool = Field(description="The copy was replaced whole (else a stream's new parts were added)")


@router.post(
    "/received/{agreement_id}/refresh",
    summary="Pull the agreement's data into our copy (a use of the agreement; a stream's copy gets what is new)",
)
async def refresh(agreement_id: str, svc: ServicesDep) -> RefreshOut:
    done = await svc.received.refresh(API_KEY, agreement_id)
    return RefreshOut(received=ReceivedOut.of(done.copy), rows=done.rows, bytes=done.bytes, whole=done.whole)


@router.get("/received", summary="Our copies of data received under agreements")
async def list_received(svc: ServicesDep, offset: Offset = 0, limit: Limit = 100) -> list[ReceivedOut]:
    return [ReceivedOut.of(r) for r in await svc.received.list(API_KEY, offset, limit)]


@router.get("/received/{agreement_id}", summary="Our copy of an agreement's data (404 before its first refresh)")
async def get_received(agreement_id: str, svc: ServicesDep) -> ReceivedOut:
    return ReceivedOut.of(await svc.received.held(API_KEY, agreement_id))


@router.get(
    "/received/{agreement_id}/data",
    summary="Our copy of an agreement's data, streamed from the dataset store (never from the provider)",
    response_class=StreamingResponse,
)
async def received_data(
    agreement_id: str,
    svc: ServicesDep,
    format: Annotated[Literal["csv", "parquet", "arrow", "xlsx"], Query()] = "csv",
) -> StreamingResponse:
    download = await svc.received.download(API_KEY, agreement_id, format)
    return StreamingResponse(
        download.chunks,
        media_type=download.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )

"""Data plane route: ``GET /data/{transfer}`` with the transfer token from the start message."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from sangsaeng.transfer.dataplane import SUFFIX, authorize, choose_media_type, read_ahead, stream
from sangsaeng.transfer.restrict import AggregateQuery, aggregate
from sangsaeng.web.deps import ServicesDep, data_token

router = APIRouter(tags=["data plane"])


@router.get("/data/{transfer_id}", response_class=StreamingResponse)
async def data(
    transfer_id: str,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(data_token)],
    accept: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    media_type = choose_media_type(accept)
    grant = await authorize(svc.connector, svc.transfers, transfer_id, token)
    chunks = read_ahead(stream(grant, media_type, svc.connector.settings.batch_rows))
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="data{SUFFIX[media_type]}"'},
    )


@router.post("/data/{transfer_id}/aggregate", summary="Aggregates of the transfer's dataset, small groups left out")
async def aggregate_data(
    transfer_id: str,
    query: AggregateQuery,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(data_token)],
) -> dict[str, Any]:
    grant = await authorize(svc.connector, svc.transfers, transfer_id, token, operation="aggregate")
    return await anyio.to_thread.run_sync(aggregate, grant.path, query, grant.columns, grant.restrictions)

"""Data plane route: ``GET /data/{transfer}`` with the transfer token from the start message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from sangsaeng.errors import SangsaengError
from sangsaeng.transfer.dataplane import SUFFIX, Grant, authorize, choose_media_type, describe, read_ahead, stream
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
    grant = await _authorized(svc, transfer_id, token, "read")
    counted = Counted(read_ahead(stream(grant, media_type, svc.connector.settings.batch_rows)))

    async def logged() -> None:
        await svc.connector.audit.record(
            "data.access",
            counterparty=grant.consumer,
            agreement=grant.agreement_id,
            process=transfer_id,
            operation="read",
            format=media_type,
            columns=grant.columns,
            restrictions=describe(grant.restrictions),
            rows=grant.rows_served,
            bytes=counted.bytes,
            complete=counted.finished,
        )

    return StreamingResponse(
        counted,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="data{SUFFIX[media_type]}"'},
        background=BackgroundTask(logged),
    )


async def _authorized(svc: ServicesDep, transfer_id: str, token: str | None, operation: str) -> Grant:
    """Authorize, logging a refusal with its reasons (an access that was allowed is logged when served)."""
    try:
        return await authorize(svc.connector, svc.transfers, transfer_id, token, operation)
    except SangsaengError as exc:
        svc.connector.audit.note(
            "data.refused",
            process=transfer_id,
            operation=operation,
            reason=exc.message,
            reasons=exc.details.get("reasons"),
        )
        raise


class Counted:
    """Passes chunks on, counting bytes, and telling whether the stream ran to its end."""

    def __init__(self, chunks: Iterator[bytes | memoryview]) -> None:
        self.chunks = chunks
        self.bytes = 0
        self.finished = False

    def __iter__(self) -> Iterator[bytes | memoryview]:
        for chunk in self.chunks:
            self.bytes += len(chunk) if isinstance(chunk, bytes) else chunk.nbytes
            yield chunk
        self.finished = True


@router.post("/data/{transfer_id}/aggregate", summary="Aggregates of the transfer's dataset, small groups left out")
async def aggregate_data(
    transfer_id: str,
    query: AggregateQuery,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(data_token)],
) -> dict[str, Any]:
    grant = await _authorized(svc, transfer_id, token, "aggregate")
    answer = await anyio.to_thread.run_sync(aggregate, grant.files, query, grant.columns, grant.restrictions)
    await svc.connector.audit.record(
        "data.access",
        counterparty=grant.consumer,
        agreement=grant.agreement_id,
        process=transfer_id,
        operation="aggregate",
        query=query.model_dump(by_alias=True, exclude_none=True),
        restrictions=describe(grant.restrictions),
        groups=len(answer["groups"]),
        suppressed=answer["suppressed"],
    )
    return answer

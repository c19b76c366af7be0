"""Management API for transfers (consumer and provider), and the consumer's relay of the provider's data plane.

The relay pulls through the data plane's client (``dataplane/pull.py``), which reaches only the data address
pinned at the transfer's start and treats whatever comes back as untrusted; here it only becomes an answer.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from sangsaeng.dataplane.pull import Refused, csv_relay, relay
from sangsaeng.dataplane.restrict import AggregateQuery
from sangsaeng.dataplane.serve import ARROW, CSV, SUFFIX, choose_media_type
from sangsaeng.dsp import transfer as tm
from sangsaeng.roles import API_KEY
from sangsaeng.store.records import Transfer
from sangsaeng.web import received
from sangsaeng.web.deps import ServicesDep, api_key
from sangsaeng.web.management import Limit, Offset
from sangsaeng.web.schemas import ReasonIn, TransferIn, TransferOut

router = APIRouter(prefix="/api", dependencies=[Depends(api_key)], tags=["management"])


@router.post("/transfers", status_code=201, summary="Start pulling the data of an agreement")
async def start_transfer(body: TransferIn, svc: ServicesDep) -> TransferOut:
    return TransferOut.of(await svc.exchange.start_transfer(API_KEY, body.agreement_id))


@router.get("/transfers")
async def list_transfers(svc: ServicesDep, offset: Offset = 0, limit: Limit = 100) -> list[TransferOut]:
    return [TransferOut.of(t) for t in await svc.exchange.list_transfers(API_KEY, offset, limit)]


@router.get("/transfers/{transfer_id}")
async def get_transfer(transfer_id: str, svc: ServicesDep) -> TransferOut:
    return TransferOut.of(await svc.exchange.transfer(API_KEY, transfer_id))


@router.get(
    "/transfers/{transfer_id}/data",
    summary="Download the data of a started transfer (Arrow stream, Parquet, CSV or JSON by Accept)",
    response_class=StreamingResponse,
)
async def download(
    transfer_id: str, svc: ServicesDep, accept: Annotated[str | None, Header()] = None
) -> StreamingResponse:
    t = await svc.exchange.ready(API_KEY, transfer_id, "data can be downloaded")
    media_type = choose_media_type(accept)
    # CSV is written here from the provider's Arrow, by our own writer: a provider that is not Sangsaeng may send
    # raw CSV, and what our client opens in a spreadsheet must carry no formula (see standard/exports.py).
    try:
        response = await svc.pulls.open(t, ARROW if media_type == CSV else media_type)
    except Refused as refused:
        raise refused.error from None
    filename = f"transfer{SUFFIX[media_type]}"
    if media_type == CSV:
        return await _csv_response(t, response, filename)
    # The type we asked for, not whatever the provider claims (text/html from our origin, say).
    answered = response.headers.get("content-type", "")
    same = answered.split(";")[0].strip().lower() == media_type
    return StreamingResponse(
        relay(t, response),
        media_type=answered if same else media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


async def _csv_response(t: Transfer, response: httpx.Response, filename: str) -> StreamingResponse:
    """Our CSV of the provider's Arrow answer; an answer that is not Arrow is a 502 before anything is sent."""
    return StreamingResponse(
        await csv_relay(t, response),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/transfers/{transfer_id}/aggregate",
    summary="Ask the provider for aggregates (group-by fields, measures) of the transfer's data",
)
async def aggregate_transfer(transfer_id: str, query: AggregateQuery, svc: ServicesDep) -> dict[str, Any]:
    t = await svc.exchange.ready(API_KEY, transfer_id, "aggregates can be asked for")
    return await svc.pulls.aggregate(t, query.model_dump(by_alias=True, exclude_none=True))


def _change(event: str, name: str) -> None:
    async def handler(transfer_id: str, svc: ServicesDep, body: ReasonIn | None = None) -> TransferOut:
        reason = body.reason if body else None
        return TransferOut.of(await svc.exchange.change_transfer(API_KEY, transfer_id, event, reason))

    handler.__name__ = f"{name}_transfer"
    router.post(f"/transfers/{{transfer_id}}/{name}", name=f"{name}_transfer")(handler)


_change(tm.COMPLETION, "complete")
_change(tm.SUSPENSION, "suspend")
_change(tm.START, "resume")
_change(tm.TERMINATION, "terminate")


# Our copies of received data, beside the relay that pulls without keeping (``web/received.py``).
router.include_router(received.router)

"""The audit log over HTTP: entries, heads, proofs and checks for the company itself (``/api/audit``, API key),
and the head and consistency proofs partners ask for (``/dsp/audit``, protocol token)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from sangsaeng.audit.log import entries_json
from sangsaeng.roles import API_KEY
from sangsaeng.web.deps import Caller, ServicesDep, UnsolicitedCaller, api_key
from sangsaeng.web.limits import MAX_POSITION

router = APIRouter(prefix="/api/audit", dependencies=[Depends(api_key)], tags=["audit"])
protocol = APIRouter(prefix="/dsp/audit", tags=["audit (partners)"])


@router.get("/entries", summary="Log entries, oldest first; filter by agreement, counter-party, time")
async def entries(
    svc: ServicesDep,
    offset: Annotated[int, Query(ge=0, le=MAX_POSITION)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    agreement: str | None = None,
    counterparty: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    found = await svc.audit.entries(API_KEY, offset, limit, agreement, counterparty, since, until)
    return entries_json(found)


@router.get("/head", summary="A signed head of the log as it is now")
async def head(svc: ServicesDep) -> dict[str, Any]:
    return await svc.connector.audit.head()


@router.get("/proof/inclusion", summary="That entry INDEX is in the log of SIZE entries")
async def inclusion(
    svc: ServicesDep,
    index: Annotated[int, Query(ge=0, le=MAX_POSITION)],
    size: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> dict[str, Any]:
    return await svc.connector.audit.inclusion(index, size)


@router.get("/proof/consistency", summary="That the log of FIRST entries is a prefix of the log of SECOND")
async def consistency(
    svc: ServicesDep,
    first: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    second: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> dict[str, Any]:
    return await svc.connector.audit.consistency(first, second)


@router.post("/verify", summary="Re-check the whole stored log: hashes, chain, signed heads")
async def verify(svc: ServicesDep) -> dict[str, Any]:
    return await svc.audit.verify(API_KEY)


@router.get("/witnessed", summary="Heads of partners' logs received with their protocol messages")
async def witnessed(svc: ServicesDep, participant: str | None = None) -> list[dict[str, Any]]:
    return await svc.audit.witnessed(API_KEY, participant)


@router.post("/check-peer", summary="Ask a partner to prove its log still extends every head of it we kept")
async def check_peer(svc: ServicesDep, peer: Annotated[str, Query()]) -> dict[str, Any]:
    return await svc.audit.check_peer(API_KEY, peer)


@router.get("/evidence", summary="An evidence bundle about one agreement, checkable offline with public keys")
async def evidence(svc: ServicesDep, agreement: Annotated[str, Query()]) -> Response:
    return Response(
        await svc.audit.evidence(API_KEY, agreement),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="evidence-{agreement.rsplit(":", 1)[-1]}.json"'},
    )


# ---- for partners --------------------------------------------------------------------------------------------
@protocol.get("/head", summary="This connector's current signed log head")
async def partner_head(svc: ServicesDep, _caller: Caller) -> dict[str, Any]:
    return await svc.connector.audit.head()


@protocol.get("/consistency", summary="A consistency proof between two sizes of this connector's log")
async def partner_consistency(
    svc: ServicesDep,
    _caller: UnsolicitedCaller,  # each proof reads and hashes the whole log: limited like other unasked work
    first: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    second: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> dict[str, Any]:
    return await svc.connector.audit.consistency(first, second)

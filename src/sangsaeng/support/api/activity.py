"""``/hub/support/activity``: members report their monthly counts and read their own; the operator reads totals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request

from sangsaeng.hub.api.routes import Member, Operator, hub_of
from sangsaeng.services import CONTEXT
from sangsaeng.support.service.activity import ActivityReports

router = APIRouter(prefix="/hub/support/activity", tags=["support"])


def reports(request: Request) -> ActivityReports:
    hub = hub_of(request)
    found: ActivityReports = request.scope[CONTEXT].own(
        ActivityReports, lambda: ActivityReports(hub.connector, hub.membership)
    )
    return found


Reports = Annotated[ActivityReports, Depends(reports)]


@router.post("")
async def report(service: Reports, member: Member, body: Annotated[Any, Body()] = None) -> dict[str, Any]:
    """One month's counts (docs/support/activity.md); an earlier report of the month is replaced."""
    return await service.receive(member, body)


@router.get("/me")
async def mine(service: Reports, member: Member) -> dict[str, Any]:
    return await service.mine(member)


@router.get("")
async def totals(
    service: Reports,
    operator: Operator,
    since: Annotated[str, Query(description="First month, YYYY-MM")] = "2020-01",
) -> dict[str, Any]:
    return await service.totals(operator, since)


def install(app: FastAPI) -> None:
    app.include_router(router)

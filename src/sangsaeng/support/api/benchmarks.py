"""``/hub/support/benchmarks/…``: sector benchmarks without disclosure (docs/support/benchmarks.md). Members call
with their self-issued tokens, the operator with the hub's API key; routes only translate, the use cases are
``support/service/benchmarks.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request

from sangsaeng.hub.api.routes import ApiKeyHeader, HubDep, Member, Operator, member, operator
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.roles import Principal
from sangsaeng.services import CONTEXT
from sangsaeng.support.service.benchmarks import Benchmarks

router = APIRouter(prefix="/hub/support/benchmarks", tags=["support: benchmarks"])
Period = Annotated[str, Query(max_length=16, description="A year (2026) or a quarter (2026-Q3)")]


def benchmarks_of(request: Request, hub: HubDep) -> Benchmarks:
    found: Benchmarks = request.scope[CONTEXT].own(Benchmarks, lambda: Benchmarks(hub.connector, hub.membership.reader))
    return found


Service = Annotated[Benchmarks, Depends(benchmarks_of)]


async def reader(request: Request, hub: HubDep, key: ApiKeyHeader) -> MemberRecord | Principal:
    """The operator (API key) or a member (its token): who may read the published cells."""
    if key is not None:
        return await operator(hub, key)
    return await member(request, hub)


Reader = Annotated[MemberRecord | Principal, Depends(reader)]


@router.get("/terms")
async def terms(service: Service, me: Member) -> dict[str, Any]:
    """The aggregates-only terms (Korean and English) and the indicators a member may contribute."""
    return service.terms(me)


@router.get("/agreement")
async def agreement(service: Service, me: Member) -> dict[str, Any]:
    """Whether the member agreed to the current terms, and when."""
    return await service.agreement(me)


@router.post("/agreement")
async def agree(service: Service, me: Member, body: Annotated[Any, Body()] = None) -> dict[str, Any]:
    """Agree to the terms: ``{"terms": "<version>"}``."""
    return await service.agree(me, body)


@router.post("/contributions")
async def contribute(service: Service, me: Member, body: Annotated[Any, Body()] = None) -> dict[str, Any]:
    """A batch of values: ``{"contributions": [{"indicator", "period", "value", "unit"}, …]}``; a value for an
    indicator and period given before replaces it."""
    return await service.contribute(me, body)


@router.get("/contributions")
async def mine(service: Service, me: Member, period: Period | None = None) -> dict[str, Any]:
    """The member's own values, of one period or all."""
    return await service.mine(me, period)


@router.get("/position")
async def position(service: Service, me: Member, period: Period) -> dict[str, Any]:
    """The member's band against its peers, per indicator, in its finest published cell."""
    return await service.position(me, period)


@router.get("/cells")
async def cells(
    service: Service,
    who: Reader,
    period: Period,
    indicator: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The cells of a period as last released: published ones with their statistics, suppressed ones with why."""
    return await service.cells(who, period, indicator)


@router.post("/releases", status_code=201)
async def release(service: Service, who: Operator, body: Annotated[Any, Body()] = None) -> dict[str, Any]:
    """Recompute every cell of a period (``{"period": "2026-Q3"}``) within the privacy budget."""
    return await service.release(who, body)


@router.get("/ledger")
async def ledger(service: Service, who: Operator, period: Period) -> dict[str, Any]:
    """The privacy budget's ledger of a period, per indicator."""
    return await service.ledger(who, period)


def install(app: FastAPI) -> None:
    app.include_router(router)

"""``/hub/support/plan``: a member's plan (its self-issued token), a member's plan for the operator (the API key),
and what members want of their partners (``/wants``). Routes only translate; ``support/service/plan.py`` decides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request

from sangsaeng.hub.api.routes import HubDep, Member, Operator
from sangsaeng.hub.hosting.routes import HostingDep
from sangsaeng.hub.service.hub import Hub
from sangsaeng.i18n import catalogs
from sangsaeng.services import CONTEXT
from sangsaeng.support.service.plan import PlanService, hosted_in

router = APIRouter(prefix="/hub/support/plan", tags=["support: plan"])
Lang = Annotated[str | None, Query(max_length=8, description="ko or en (else Accept-Language; else Korean)")]
AcceptLanguage = Annotated[str | None, Header(max_length=200)]


def plan_service(request: Request, hub: HubDep, hosting: HostingDep) -> PlanService:
    made: PlanService = request.scope[CONTEXT].own(PlanService, lambda: PlanService(hub, hosted_in(hosting)))
    return made


Service = Annotated[PlanService, Depends(plan_service)]


def _language(lang: str | None, accept: str | None) -> str:
    if lang is not None:
        return lang  # checked by the service, which refuses what it does not know
    return catalogs.choose(None, None, accept) if accept else "ko"


@router.get("", summary="My plan: the next three steps, each with why, effort, gain and the trace")
async def my_plan(plan: Service, me: Member, lang: Lang = None, accept_language: AcceptLanguage = None) -> Any:
    return await plan.my_plan(me, _language(lang, accept_language))


@router.get("/members/{member}", summary="A member's plan, for the operator (by participant or application id)")
async def member_plan(
    plan: Service, who: Operator, member: str, lang: Lang = None, accept_language: AcceptLanguage = None
) -> Any:
    return await plan.plan_of_member(who, member, _language(lang, accept_language))


@router.post("/wants", status_code=201, summary="Want data of my partners: by tier in my chain, or by name")
async def want(plan: Service, me: Member, body: Annotated[Any, Body()]) -> dict[str, Any]:
    return await plan.want(me, body)


@router.get("/wants", summary="My wants, oldest first (open, withdrawn, or both)")
async def mine(plan: Service, me: Member, state: Annotated[str | None, Query(max_length=16)] = None) -> dict[str, Any]:
    return {"wants": await plan.mine(me, state)}


@router.get("/wants/addressed", summary="What members asked of me, with who asked and why")
async def addressed(plan: Service, me: Member) -> dict[str, Any]:
    return {"wants": await plan.addressed(me)}


@router.delete("/wants/{want}", summary="Withdraw one of my wants")
async def withdraw(plan: Service, me: Member, want: str) -> dict[str, Any]:
    return await plan.withdraw(me, want)


def install(app: FastAPI, hub: Hub) -> None:
    """Mount the plan's routes (``hub``: the hub whose root context answers them; the dependency takes it from the
    request, as every hub route does)."""
    app.include_router(router)

"""``/hub/support/experts``, ``/hub/support/programs`` and ``/hub/support/cases`` (``docs/support/experts.md``):
the operator keeps experts and programs (its API key), members read them, get their matches, ask for an expert and
publish their own success cases (their self-issued tokens). Routes only translate; ``service/experts.py`` decides."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request

from sangsaeng.hub.api.routes import ApiKeyHeader, HubDep, Member, Operator, hub_of, member, operator
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.services import CONTEXT
from sangsaeng.support.experts import wire
from sangsaeng.support.service.experts import Caller, ExpertsService, RequestSeen

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=2**53 - 1)]
Text = Annotated[str | None, Query(max_length=100)]
Document = Annotated[Any, Body()]


def service_of(request: Request) -> ExpertsService:
    hub = hub_of(request)
    found: ExpertsService = request.scope[CONTEXT].own(ExpertsService, lambda: ExpertsService(hub.connector))
    return found


async def reader(request: Request, hub: HubDep, key: ApiKeyHeader) -> Caller:
    """The operator (API key) or a member (its self-issued token); the service refuses an inactive member."""
    if key is not None:
        return await operator(hub, key)
    return await member(request, hub)


Service = Annotated[ExpertsService, Depends(service_of)]
Reader = Annotated[Caller, Depends(reader)]


def _skills(given: list[str]) -> list[str]:
    return [s.strip() for item in given for s in item.split(",") if s.strip()]


def _request(seen: RequestSeen, service: ExpertsService) -> dict[str, Any]:
    return wire.request(seen.request, seen.expert, seen.member, service.zone)


experts = APIRouter(prefix="/hub/support/experts", tags=["support: experts"])
programs = APIRouter(prefix="/hub/support/programs", tags=["support: programs"])
cases = APIRouter(prefix="/hub/support/cases", tags=["support: success cases"])


# ---- experts ---------------------------------------------------------------------------------------------------
@experts.get("", summary="The experts: active ones, and the retired ones too for the operator (?retired=true)")
async def list_experts(
    service: Service, who: Reader, retired: bool = False, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    found = await service.experts(who, retired, limit, offset)
    contact = not isinstance(who, MemberRecord)
    return {"experts": [wire.expert(e, service.zone, contact) for e in found]}


@experts.post("", status_code=201, summary="Add an expert (the operator)")
async def add_expert(service: Service, who: Operator, body: Document) -> dict[str, Any]:
    return wire.expert(await service.add_expert(who, body), service.zone, with_contact=True)


@experts.get("/matches", summary="The experts that fit the calling member, best first, with the reasons")
async def match_experts(
    service: Service,
    me: Member,
    skills: Annotated[list[str], Query(max_length=20, description="Skills the plan needs (ids)")] = [],  # noqa: B006
    language: Annotated[str, Query(max_length=8, description="The language the member works in")] = "ko",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    needs = service.needs(_skills(skills), None, language)
    found = await service.match_experts(me, needs, limit)
    return {"matches": [wire.expert_match(m, service.zone) for m in found]}


@experts.get("/requests", summary="Requests for an expert: the member's own, or everyone's for the operator")
async def list_requests(
    service: Service, who: Reader, state: Text = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    return {"requests": [_request(r, service) for r in await service.requests(who, state, limit, offset)]}


@experts.get("/requests/{request_id}", summary="A request for an expert (the member's own, or the operator's)")
async def read_request(service: Service, who: Reader, request_id: str) -> dict[str, Any]:
    return _request(await service.request(who, request_id), service)


@experts.post("/requests/{request_id}/{action}", summary="Accept, decline or finish a request (the operator)")
async def step_request(
    service: Service,
    who: Operator,
    request_id: str,
    action: Literal["accept", "decline", "done"],
    body: Document = None,
) -> dict[str, Any]:
    return _request(await service.step_request(who, request_id, action, body), service)


@experts.get("/{expert_id}", summary="An expert")
async def read_expert(service: Service, who: Reader, expert_id: str) -> dict[str, Any]:
    found = await service.expert(who, expert_id)
    return wire.expert(found, service.zone, with_contact=not isinstance(who, MemberRecord))


@experts.put("/{expert_id}", summary="Replace what the directory says of an expert (the operator)")
async def update_expert(service: Service, who: Operator, expert_id: str, body: Document) -> dict[str, Any]:
    return wire.expert(await service.update_expert(who, expert_id, body), service.zone, with_contact=True)


@experts.post("/{expert_id}/retire", summary="Retire an expert: no longer listed nor matched (the operator)")
async def retire_expert(service: Service, who: Operator, expert_id: str) -> dict[str, Any]:
    return wire.expert(await service.retire_expert(who, expert_id), service.zone, with_contact=True)


@experts.post("/{expert_id}/requests", status_code=201, summary="Ask for an expert (a member): {message}")
async def request_expert(service: Service, me: Member, expert_id: str, body: Document) -> dict[str, Any]:
    return _request(await service.request_expert(me, expert_id, body), service)


# ---- programs --------------------------------------------------------------------------------------------------
@programs.get("", summary="The support programs: active ones, and the retired ones too for the operator")
async def list_programs(
    service: Service, who: Reader, retired: bool = False, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    return {"programs": [wire.program(p, service.zone) for p in await service.programs(who, retired, limit, offset)]}


@programs.post("", status_code=201, summary="Add a support program (the operator)")
async def add_program(service: Service, who: Operator, body: Document) -> dict[str, Any]:
    return wire.program(await service.add_program(who, body), service.zone)


@programs.get("/matches", summary="The programs the calling member is eligible for, best fit first, with why")
async def match_programs(
    service: Service, me: Member, level: int | None = None, ineligible: bool = False
) -> dict[str, Any]:
    eligible, others = await service.match_programs(me, service.needs([], level, "ko"))
    found: dict[str, Any] = {"matches": [wire.program_match(m, service.zone) for m in eligible]}
    if ineligible:
        found["ineligible"] = [wire.ineligible(i, service.zone) for i in others]
    return found


@programs.get("/{program_id}", summary="A support program")
async def read_program(service: Service, who: Reader, program_id: str) -> dict[str, Any]:
    return wire.program(await service.program(who, program_id), service.zone)


@programs.put("/{program_id}", summary="Replace what the directory says of a program (the operator)")
async def update_program(service: Service, who: Operator, program_id: str, body: Document) -> dict[str, Any]:
    return wire.program(await service.update_program(who, program_id, body), service.zone)


@programs.post("/{program_id}/retire", summary="Retire a program: no longer listed nor matched (the operator)")
async def retire_program(service: Service, who: Operator, program_id: str) -> dict[str, Any]:
    return wire.program(await service.retire_program(who, program_id), service.zone)


# ---- success cases ---------------------------------------------------------------------------------------------
@cases.get("", summary="Search published success cases in Korean or English, by sector, level and language")
async def search_cases(
    service: Service,
    who: Reader,
    q: Annotated[str, Query(max_length=1000, description="Words; every one must match")] = "",
    sector: Text = None,
    level: Annotated[int | None, Query(description="The level the company started from")] = None,
    language: Text = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    found = await service.search(who, q, sector, level, language, limit, offset)
    return {"cases": [wire.case(c, service.zone) for c in found]}


@cases.post("", status_code=201, summary="Publish a success case (a member)")
async def publish_case(service: Service, me: Member, body: Document) -> dict[str, Any]:
    return wire.case(await service.publish(me, body), service.zone)


@cases.get("/mine", summary="The calling member's own cases, published and withdrawn")
async def my_cases(service: Service, me: Member) -> dict[str, Any]:
    return {"cases": [wire.case(c, service.zone) for c in await service.mine(me)]}


@cases.get("/{case_id}", summary="A success case")
async def read_case(service: Service, who: Reader, case_id: str) -> dict[str, Any]:
    return wire.case(await service.case(who, case_id), service.zone)


@cases.put("/{case_id}", summary="Replace the member's own published case")
async def edit_case(service: Service, me: Member, case_id: str, body: Document) -> dict[str, Any]:
    return wire.case(await service.edit(me, case_id, body), service.zone)


@cases.post("/{case_id}/withdraw", summary="Withdraw a case: the member its own, the operator any")
async def withdraw_case(service: Service, who: Reader, case_id: str) -> dict[str, Any]:
    return wire.case(await service.withdraw(who, case_id), service.zone)


def install(app: FastAPI, hub: Hub) -> None:
    """Mount the routes on the hub's app (``support/wiring.py``); each request finds the hub's service."""
    for router in (experts, programs, cases):
        app.include_router(router)

"""``/hub/support/programs/{id}/uptake`` and ``/hub/support/programs/uptake/mine`` (``docs/support/uptake.md``): a
member says what became of a support program (its self-issued token) and reads its own take-ups. Routes only
translate; ``service/uptake.py`` decides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request

from sangsaeng.hub.api.routes import Member, hub_of
from sangsaeng.services import CONTEXT
from sangsaeng.support.service.uptake import Taken, UptakeService
from sangsaeng.support.uptake import wire


def service_of(request: Request) -> UptakeService:
    hub = hub_of(request)
    found: UptakeService = request.scope[CONTEXT].own(UptakeService, lambda: UptakeService(hub.connector))
    return found


Service = Annotated[UptakeService, Depends(service_of)]
router = APIRouter(prefix="/hub/support/programs", tags=["support: programs"])


def _taken(item: Taken, service: UptakeService) -> dict[str, Any]:
    return wire.taken(item.uptake, item.program, service.zone)


@router.get("/uptake/mine", summary="The calling member's take-up of programs, the latest changed first")
async def my_uptake(service: Service, me: Member) -> dict[str, Any]:
    return {"uptake": [_taken(t, service) for t in await service.mine(me)]}


@router.post("/{program_id}/uptake", summary="Say what became of a program (a member): {state, note?}")
async def take_up(service: Service, me: Member, program_id: str, body: Annotated[Any, Body()]) -> dict[str, Any]:
    return _taken(await service.take_up(me, program_id, body), service)


def install(app: FastAPI) -> None:
    """Mount the routes on the hub's app (``support/wiring.py``)."""
    app.include_router(router)

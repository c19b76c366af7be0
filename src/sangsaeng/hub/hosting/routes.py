"""The hub's routes for the connectors it hosts (``docs/hub.md``): sign-up by the operator, export by the operator
or the tenant itself, and a member's own new endpoint (after it moved). Like every hub route they answer in the
hub's root context only: anywhere else, the 404 of an unknown path."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request

from sangsaeng.hub.api.routes import HubDep, Operator
from sangsaeng.hub.hosting.tenancy import Hosting
from sangsaeng.hub.service.hub import Hub
from sangsaeng.services import CONTEXT
from sangsaeng.tenants.host import Host

router = APIRouter(tags=["hub"])


def _absent() -> Hosting:
    raise AssertionError("the hub's root context has its Hosting from install()")


def hosting_of(request: Request, hub: HubDep) -> Hosting:  # ``hub`` first: no hub here, the 404 of any path
    found: Hosting = request.scope[CONTEXT].own(Hosting, _absent)
    return found


HostingDep = Annotated[Hosting, Depends(hosting_of)]


@router.post("/hub/hosted", status_code=201)
async def sign_up(hosting: HostingDep, who: Operator, body: Annotated[Any, Body()]) -> dict[str, Any]:
    """A company's connector hosted by the hub at ``/c/<name>``: its API key and first portal user's password are
    in this answer only."""
    return await hosting.sign_up(who, body)


def install(app: FastAPI, host: Host) -> None:
    """The hub (``host``'s root context) hosts connectors: those of ``tenants/*`` now, others as they sign up."""
    root = host.root
    assert root is not None, "only a hub's root context hosts connectors"
    hub = root.own(Hub, lambda: Hub.of(root.connector))
    host.hosting = True
    hosting = root.own(Hosting, lambda: Hosting(hub, host))
    hosting.reload()
    app.include_router(router)

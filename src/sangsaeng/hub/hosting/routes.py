"""The hub's routes for the connectors it hosts (``docs/hub.md``): sign-up, removal and a retry of an approved one
that did not open, by the operator; export by the operator or the tenant itself; and a member's own new endpoint
(after it moved). Like every hub route they answer in the hub's root context only: anywhere else, the 404 of an
unknown path."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import StreamingResponse

from sangsaeng.errors import Unauthenticated
from sangsaeng.hub.api.routes import ApiKeyHeader, HubDep, Member, Operator
from sangsaeng.hub.hosting.applying import HostedApplications
from sangsaeng.hub.hosting.feeding import HostedFeed
from sangsaeng.hub.hosting.moving import export_tar
from sangsaeng.hub.hosting.tenancy import Hosting
from sangsaeng.hub.service import callers
from sangsaeng.hub.service.hub import Hub
from sangsaeng.roles import API_KEY
from sangsaeng.services import CONTEXT
from sangsaeng.tenants.host import Host

router = APIRouter(tags=["hub"])


def _absent() -> Hosting:
    raise AssertionError("the hub's root context has its Hosting from install()")


def _absent_applications() -> HostedApplications:
    raise AssertionError("the hub's root context has its HostedApplications from install()")


def hosting_of(request: Request, hub: HubDep) -> Hosting:  # ``hub`` first: no hub here, the 404 of any path
    found: Hosting = request.scope[CONTEXT].own(Hosting, _absent)
    return found


HostingDep = Annotated[Hosting, Depends(hosting_of)]


@router.post("/hub/hosted", status_code=201)
async def sign_up(hosting: HostingDep, who: Operator, body: Annotated[Any, Body()]) -> dict[str, Any]:
    """A company's connector hosted by the hub at ``/c/<name>``: its API key and first portal user's password are
    in this answer only."""
    return await hosting.sign_up(who, body)


@router.get("/hub/hosted/{name}/export", response_class=StreamingResponse)
async def export(hosting: HostingDep, name: str, key: ApiKeyHeader) -> StreamingResponse:
    """Everything of hosted connector ``name`` as a tar (``application/x-tar``), for the hub's operator or the
    connector's own API key: its data directory, key, configuration and state with its log."""
    if not (callers.operator(hosting.c, key) or hosting.own_key(name, key)):
        raise Unauthenticated("the hub's operator API needs its API key", hint="send it as the X-API-Key header")
    context = hosting.exportable(API_KEY, name)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the answer is sent)
    try:
        await anyio.to_thread.run_sync(lambda: export_tar(context.settings, spool, context.connector.datasets))
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await anyio.to_thread.run_sync(spool.read, 1 << 20):
                yield chunk
        finally:
            spool.close()

    headers = {"Content-Disposition": f'attachment; filename="{name}.tar"'}
    return StreamingResponse(chunks(), media_type="application/x-tar", headers=headers)


@router.delete("/hub/hosted/{name}")
async def remove(
    hosting: HostingDep,
    who: Operator,
    name: str,
    reason: Annotated[str, Query(max_length=1000)] = "",
    force: bool = False,
) -> dict[str, Any]:
    """Stop hosting ``name`` without moving it (``?reason=…``, required; ``&force=true`` even with agreements not
    ended, else 409): its membership suspended, its folder kept as ``tenants/<name>.removed``."""
    return await hosting.remove(who, name, reason, force)


@router.post("/hub/hosted/{name}/retry")
async def retry(request: Request, hosting: HostingDep, who: Operator, name: str) -> dict[str, Any]:
    """Open ``name`` now: approved on the portal, but its connector failed to start (its folder still waits in
    ``signups/``)."""
    applications: HostedApplications = request.scope[CONTEXT].own(HostedApplications, _absent_applications)
    return await applications.retry(who, name)


@router.post("/hub/members/me/endpoint")
async def moved(hosting: HostingDep, me: Member, body: Annotated[Any, Body()]) -> dict[str, Any]:
    """The member's connector answers at a new address (``{"endpoint": …/dsp, "dataEndpoint": …/data}``), signed
    by its key: its directory entry changes; a connector the hub hosted is no longer served here."""
    return await hosting.moved(me, body)


def install(app: FastAPI, host: Host) -> None:
    """The hub (``host``'s root context) hosts connectors: those of ``tenants/*`` now, others as they sign up."""
    root = host.root
    assert root is not None, "only a hub's root context hosts connectors"
    hub = root.own(Hub, lambda: Hub.of(root.connector))
    host.hosting = True
    host.feeds = True  # the hosted connectors fetch nothing of the hub's: it hands them its documents
    hosting = root.own(Hosting, lambda: Hosting(hub, host))
    feed = root.own(HostedFeed, lambda: HostedFeed(hosting, root.connector.settings.hub_refresh))
    hub.listeners.append(feed.changed)
    hub.membership.guards.append(hosting.served_before_reinstating)
    root.workers.append(feed)
    hosting.reload()
    root.own(HostedApplications, lambda: HostedApplications(hosting))  # the portal's sign-up, approved in review
    app.include_router(router)

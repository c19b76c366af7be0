"""The hub's routes (``docs/hub.md``): discovery and the signed documents (public), applications (public, limited
per address), the operator's review (the management API key) and the members' own (their self-issued tokens)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request, Security
from fastapi.responses import Response
from fastapi.security import APIKeyHeader

from sangsaeng.errors import NotFound, Unauthenticated
from sangsaeng.hub.catalog import routes as catalog_routes
from sangsaeng.hub.documents.signed import MEDIA_TYPE
from sangsaeng.hub.service import callers
from sangsaeng.hub.service.hub import Hub
from sangsaeng.hub.store.records import MemberRecord
from sangsaeng.roles import API_KEY, Principal
from sangsaeng.services import CONTEXT

router = APIRouter(tags=["hub"])


def _absent() -> Hub:
    raise NotFound("Not Found")  # a connector, or a context the hub hosts: no hub routes there


def hub_of(request: Request) -> Hub:
    """The hub of the request's context: only the hub's own root context has one."""
    found: Hub = request.scope[CONTEXT].own(Hub, _absent)
    return found


HubDep = Annotated[Hub, Depends(hub_of)]
ApiKeyHeader = Annotated[str | None, Security(APIKeyHeader(name="X-API-Key", auto_error=False))]
Action = Literal["approve", "decline", "suspend", "reinstate"]


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def operator(hub: HubDep, key: ApiKeyHeader) -> Principal:
    if not callers.operator(hub.connector, key):
        raise Unauthenticated("the hub's operator API needs its API key", hint="send it as the X-API-Key header")
    return API_KEY


async def member(request: Request, hub: HubDep) -> MemberRecord:
    return await callers.caller(hub.connector, _bearer(request))


async def searcher(request: Request, hub: HubDep, key: ApiKeyHeader) -> Principal:
    """Who may search the hub's catalog: the operator (API key) or an active member (its self-issued token).
    Not anyone: what each company shares, and under which offers, is for the dataspace's members."""
    if key is not None:
        return await operator(hub, key)
    return hub.membership.reader(await member(request, hub))


Operator = Annotated[Principal, Depends(operator)]
Member = Annotated[MemberRecord, Depends(member)]


def _document(token: str, hub: Hub) -> Response:
    refresh = hub.connector.settings.hub_publish_refresh
    return Response(token, media_type=MEDIA_TYPE, headers={"Cache-Control": f"max-age={refresh}"})


@router.get("/.well-known/sangsaeng-hub")
async def discovery(hub: HubDep) -> dict[str, Any]:
    """The hub's id, key and where its documents are (unsigned: a member pins the key when it joins)."""
    return hub.publishing.discovery()


@router.get("/hub/directory", response_class=Response)
async def directory(hub: HubDep) -> Response:
    """The signed participant directory: members active and suspended, with their keys and endpoints."""
    return _document(await hub.publishing.directory(), hub)


@router.get("/hub/status", response_class=Response)
async def status(hub: HubDep) -> Response:
    """The signed status list: a set bit is a revoked credential."""
    return _document(await hub.publishing.status(), hub)


@router.post("/hub/applications", status_code=201)
async def apply(request: Request, hub: HubDep, body: Annotated[Any, Body()]) -> dict[str, Any]:
    """A company applies: its facts, its connector's id, key and endpoints, and a token signed by that key."""
    address = request.client.host if request.client else "unknown"
    return await hub.membership.apply(body, address)


@router.get("/hub/applications")
async def queue(
    hub: HubDep,
    who: Operator,
    state: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**53 - 1)] = 0,
) -> dict[str, Any]:
    """The operator's queue: applications oldest first, of one state or all."""
    return {"applications": await hub.membership.queue(who, state, limit, offset)}


@router.get("/hub/applications/{application}")
async def application(request: Request, hub: HubDep, application: str, key: ApiKeyHeader) -> dict[str, Any]:
    """An application, for the operator (API key) or the applicant (a token signed by the key it applied with)."""
    if key is not None:
        return await hub.membership.read(application, await operator(hub, key), None)
    return await hub.membership.read(application, None, await member(request, hub))


@router.post("/hub/applications/{application}/{action}")
async def decide(
    hub: HubDep, who: Operator, application: str, action: Action, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    """Approve, decline (``{"reason": …}``), suspend (``{"reason": …}``) or reinstate."""
    reason = body.get("reason") if isinstance(body, dict) else None
    return await hub.membership.decide(who, application, action, reason)


@router.get("/hub/members/me/credentials")
async def credentials(hub: HubDep, me: Member) -> dict[str, Any]:
    """The member's valid credentials."""
    return await hub.membership.credentials(me, renew=False)


@router.post("/hub/members/me/credentials")
async def renew(hub: HubDep, me: Member) -> dict[str, Any]:
    """The member's valid credentials, a fresh one issued first when fewer than 30 days remain."""
    return await hub.membership.credentials(me, renew=True)


@router.post("/hub/members/me/keys")
async def announce_key(hub: HubDep, me: Member, body: Annotated[Any, Body()]) -> dict[str, Any]:
    """Announce the next key (``{"nextKey": JWK, "proof": token signed by it}``); tokens of either key verify."""
    return await hub.membership.announce_key(me, body)


@router.post("/hub/members/me/keys/promote")
async def promote_key(hub: HubDep, me: Member) -> dict[str, Any]:
    """The announced key becomes the member's key."""
    return await hub.membership.promote_key(me)


@router.post("/hub/catalog/crawl")
async def crawl(hub: HubDep, who: Operator) -> dict[str, Any]:
    """Crawl the members' catalogs now (the operator's; otherwise every ``hub_crawl_every`` seconds)."""
    report = await hub.crawl(who)
    return {name: getattr(report, name) for name in ("indexed", "unchanged", "failed", "waiting", "forgotten")}


def install(app: FastAPI, hub: Hub) -> None:
    app.include_router(router)
    catalog_routes.install(app, hub.catalog, who=searcher)

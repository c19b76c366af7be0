"""Protocol API: DSP 2025-1, HTTPS binding. Mounted under ``/dsp``; discovery at the well-known path.

Several consumer-callback and provider paths share a shape (``/negotiations/:pid/events``,
``/transfers/:pid/completion`` …); the process id, which is ours, tells the service which role we play in it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from sangsaeng.dsp import negotiation as nm
from sangsaeng.dsp import transfer as tm
from sangsaeng.dsp.catalog import CatalogRequest
from sangsaeng.dsp.messages import VERSION, pids
from sangsaeng.dsp.peer import HEAD_HEADER
from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import NotFound
from sangsaeng.tenants.context import context_of, route_path
from sangsaeng.web.deps import Caller, ServicesDep, UnsolicitedCaller, services
from sangsaeng.web.limits import MAX_POSITION

JSON_LD = "application/json"
router = APIRouter(prefix="/dsp", tags=["protocol (DSP 2025-1)"])
discovery = APIRouter(tags=["protocol (DSP 2025-1)"])


async def body_of(request: Request) -> Any:
    """The message, read within the size limit (``web/limits.py`` counts it as it arrives) and refused with its
    position when it is not strict JSON, nests too deep or holds text no store can keep."""
    raw = await request.body()
    body = read_json(raw, services(request).connector.settings.max_json_depth)
    request.state.pids = pids(body)
    return body


def ok() -> Response:
    return Response(status_code=200)


@discovery.get("/.well-known/dspace-version")
async def versions(request: Request) -> dict[str, Any]:
    """Version discovery (DSP 2025-1 § 5): no authentication."""
    svc = services(request)
    return {
        "protocolVersions": [
            {
                "version": VERSION,
                "path": "/dsp",
                "binding": "HTTPS",
                "identifierType": "urn",
                "serviceId": f"{svc.connector.participant_id}#dsp",
                "auth": {"protocol": "sangsaeng-self-issued-jwt", "version": "1", "profile": ["EdDSA"]},
            }
        ]
    }


# ---- catalog ------------------------------------------------------------------------------------
@router.post("/catalog/request")
async def catalog_request(
    request: Request,
    svc: ServicesDep,
    caller: UnsolicitedCaller,
    offset: Annotated[int, Query(ge=0, le=MAX_POSITION)] = 0,
    limit: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> Response:
    body = await body_of(request)
    page = min(limit or svc.connector.settings.catalog_page_size, svc.connector.settings.catalog_page_size)
    # A catalog request is a safe query: asked again with the tag of an unchanged answer, it is answered 304
    # (what the hub's crawl relies on). The message is read first, so a bad one is refused either way.
    tag = await svc.catalog.tag(caller, request.state.attributes, offset, page)
    if tag in (t.strip() for t in request.headers.get("if-none-match", "").split(",")):
        CatalogRequest.read(body)
        return Response(status_code=304, headers={"ETag": tag})
    # Each caller sees the offers it may see (their access policies); totals and pages count only those.
    rendered, total = await svc.catalog.catalog(body, offset, page, caller, request.state.attributes)
    links = []
    base = str(request.url.remove_query_params(["offset", "limit"]))
    if offset + page < total:
        links.append(f'<{base}?offset={offset + page}&limit={page}>; rel="next"')
    if offset > 0:
        links.append(f'<{base}?offset={max(offset - page, 0)}&limit={page}>; rel="previous"')
    headers = {"ETag": tag, **({"Link": ", ".join(links)} if links else {})}
    return Response(rendered, media_type="application/json", headers=headers)


@router.get("/catalog/datasets/{dataset_id:path}")
async def catalog_dataset(
    dataset_id: str, request: Request, svc: ServicesDep, caller: UnsolicitedCaller
) -> dict[str, Any]:
    return await svc.catalog.dataset(dataset_id, caller, request.state.attributes)


# ---- contract negotiation -----------------------------------------------------------------------
@router.post("/negotiations/request", status_code=201)
async def negotiation_request(request: Request, svc: ServicesDep, caller: UnsolicitedCaller) -> JSONResponse:
    view, created = await svc.negotiations.on_request(caller, await body_of(request), request.state.attributes)
    return JSONResponse(view, status_code=201 if created else 200)


@router.post("/negotiations/offers", status_code=201)
async def negotiation_offer_new(request: Request, svc: ServicesDep, caller: UnsolicitedCaller) -> JSONResponse:
    view, created = await svc.negotiations.on_offer(caller, None, await body_of(request))
    return JSONResponse(view, status_code=201 if created else 200)


@router.get("/negotiations/{pid}")
async def negotiation_get(pid: str, svc: ServicesDep, caller: Caller) -> dict[str, Any]:
    return await svc.negotiations.get(caller, pid, nm.PROVIDER)


@router.post("/negotiations/{pid}/request")
async def negotiation_counter_request(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> JSONResponse:
    body = await body_of(request)
    if isinstance(body, dict) and body.get("providerPid") not in (None, pid):
        raise NotFound("no such negotiation")
    if isinstance(body, dict):
        body = {**body, "providerPid": pid}
    view, _ = await svc.negotiations.on_request(caller, body, request.state.attributes)
    return JSONResponse(view)


@router.post("/negotiations/{pid}/offers")
async def negotiation_counter_offer(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> JSONResponse:
    view, _ = await svc.negotiations.on_offer(caller, pid, await body_of(request))
    return JSONResponse(view)


@router.post("/negotiations/{pid}/events")
async def negotiation_events(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> Response:
    await svc.negotiations.on_event(caller, pid, await body_of(request))
    return ok()


@router.post("/negotiations/{pid}/agreement")
async def negotiation_agreement(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> Response:
    await svc.negotiations.on_agreement(caller, pid, await body_of(request))
    return ok()


@router.post("/negotiations/{pid}/agreement/verification")
async def negotiation_verification(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> Response:
    await svc.negotiations.on_verification(caller, pid, await body_of(request))
    return ok()


@router.post("/negotiations/{pid}/termination")
async def negotiation_termination(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> Response:
    await svc.negotiations.on_termination(caller, pid, await body_of(request))
    return ok()


# ---- transfer process ---------------------------------------------------------------------------
@router.post("/transfers/request", status_code=201)
async def transfer_request(request: Request, svc: ServicesDep, caller: UnsolicitedCaller) -> JSONResponse:
    view, created = await svc.transfers.on_request(caller, await body_of(request))
    return JSONResponse(view, status_code=201 if created else 200)


@router.get("/transfers/{pid}")
async def transfer_get(pid: str, svc: ServicesDep, caller: Caller) -> dict[str, Any]:
    return await svc.transfers.get(caller, pid, tm.PROVIDER)


@router.post("/transfers/{pid}/start")
async def transfer_start(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> Response:
    await svc.transfers.on_start(caller, pid, await body_of(request))
    return ok()


def _change_route(suffix: str, event: str) -> None:
    async def handler(pid: str, request: Request, svc: ServicesDep, caller: Caller) -> Response:
        await svc.transfers.on_change(caller, pid, event, await body_of(request))
        return ok()

    handler.__name__ = f"transfer_{suffix}"
    router.post(f"/transfers/{{pid}}/{suffix}", name=f"transfer_{suffix}")(handler)


_change_route("completion", tm.COMPLETION)
_change_route("suspension", tm.SUSPENSION)
_change_route("termination", tm.TERMINATION)


class Witnessing:
    """ASGI middleware for ``/dsp``: every protocol exchange is logged, carries this connector's latest signed log
    head, and leaves the partner's head (if it sent one) with us — each side keeps the other's, so neither can
    rewrite its log unseen. Other paths (the data plane above all) pass through untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not route_path(scope).startswith("/dsp"):
            await self.app(scope, receive, send)
            return
        audit = context_of(scope).connector.audit  # the log of the connector the request is for
        status = 0

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                header = audit.header()
                if header:
                    message = {
                        **message,
                        "headers": [*message["headers"], (HEAD_HEADER.lower().encode(), header.encode())],
                    }
            await send(message)

        await self.app(scope, receive, sending)
        caller = scope.get("state", {}).get("caller")
        if caller is None or status == 429:  # a rate-limited burst is logged once, by the limiter
            return
        request = Request(scope)
        await audit.witness(request.headers.get(HEAD_HEADER), caller)
        process = next((p for p in route_path(scope).split("/") if p.startswith("urn:")), None)
        audit.note(
            "protocol.received",
            counterparty=caller,
            process=process,
            method=scope["method"],
            path=route_path(scope),
            status=status,
        )

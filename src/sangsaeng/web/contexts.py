"""Which participant context a request is for (ASGI middleware, outermost).

A single-connector app has one context, at the root. An app that hosts several serves context ``name`` under
``/c/name/…``: the request keeps its whole path, the prefix goes to ``root_path`` (as ASGI and Starlette's routing
expect: every URL the app builds from the request carries it), and the context to the scope, where every edge
takes it from (``services.services``). A name no context has is answered as any unknown path is: 404 in the one
error shape, so that nothing tells whether a context exists.

A hub serves both: its own connector at the root and the connectors it hosts under ``/c/name``; there a path under
``/c/`` that names no hosted context goes to the root, whose answer to it is that of any unknown path. A context
whose host caps its request rate (a hub's tenant) is answered 429 beyond it, before anything else reads the request.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sangsaeng.errors import SangsaengError
from sangsaeng.i18n import catalogs
from sangsaeng.portal.guard import SecurityHeaders, is_portal
from sangsaeng.portal.i18n import choose
from sangsaeng.services import CONTEXT
from sangsaeng.tenants.context import NAME, PREFIX, route_path
from sangsaeng.tenants.host import Host
from sangsaeng.web.errors import error_response


class Contexts:
    def __init__(self, app: ASGIApp, host: Host) -> None:
        self.app, self.host = app, host
        self.unknown = SecurityHeaders(_not_found)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan: the app's own
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        name = path[len(PREFIX) :].split("/", 1)[0] if path.startswith(PREFIX) else ""
        context = self.host.get(name) if NAME.match(name) else None
        if context is None:
            if self.host.root is not None:  # a connector (or a hub) at the root: every other path is its own
                scope[CONTEXT] = self.host.root
                await self.app(scope, receive, send)
            else:
                await self.unknown(scope, receive, send)
            return
        scope["root_path"] = scope.get("root_path", "") + context.prefix
        scope[CONTEXT] = context
        refused = context.over_rate()
        if refused is not None:
            await SecurityHeaders(_refusal(refused))(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _refusal(error: SangsaengError) -> ASGIApp:
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if is_portal(route_path(scope)):  # a person at the portal reads a page in their language, not JSON
            response: Response = _page(request, error)
        else:
            response = error_response(request, error.status, error.to_dict(), extra=error.headers())
        await response(scope, receive, send)

    return answer


def _page(request: Request, error: SangsaengError) -> Response:
    """A small page of its own (the portal's pages need the context's services, which a refused request does not
    reach): what happened and when to try again, in the reader's language, with the portal's style."""
    language = choose(
        request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language")
    )
    seconds = error.headers().get("Retry-After", "60")
    title = catalogs.text("messages", "problem.too_many", language)
    text = catalogs.text("messages", "problem.too_many.text", language, seconds=seconds)
    style = escape(request.scope.get("root_path", "") + "/portal/static/portal.css")
    body = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<link rel="stylesheet" href="{style}"></head><body><main><h1>{escape(title)}</h1>'
        f"<p>{escape(text)}</p></main></body></html>"
    )
    return HTMLResponse(body, status_code=error.status, headers=error.headers())


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    # The answer the app's own handler gives an unknown path (web/errors.py).
    response = error_response(Request(scope, receive), 404, {"code": "not-found", "message": "Not Found"})
    await response(scope, receive, send)

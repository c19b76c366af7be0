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

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from sangsaeng.errors import SangsaengError
from sangsaeng.portal.guard import SecurityHeaders
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
        response = error_response(Request(scope, receive), error.status, error.to_dict(), extra=error.headers())
        await response(scope, receive, send)

    return answer


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    # The answer the app's own handler gives an unknown path (web/errors.py).
    response = error_response(Request(scope, receive), 404, {"code": "not-found", "message": "Not Found"})
    await response(scope, receive, send)

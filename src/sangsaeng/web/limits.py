"""Limits on what a request may send, enforced while it is read: body size per kind of route, JSON depth, and
text that every store and log can hold (valid Unicode, no NUL).

Every refusal is a 4xx in the route's one error shape (``web/errors.py``), never a 5xx: the body is counted as
its ``http.request`` messages arrive, so a 100 MB body to a protocol route is refused after its first megabyte,
not parsed whole. JSON that a route will parse is checked before any code behind it recurses without bound or
meets a string that SQLite, PostgreSQL or the audit log's canonical JSON cannot encode: ``application/json``
bodies of ``/api`` and ``/data`` here, protocol messages in ``web/protocol.py body_of`` (after authentication).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from sangsaeng.encoding.strict import read_json
from sangsaeng.errors import ContentTooLarge, InvalidInput, SangsaengError
from sangsaeng.portal.i18n import Words, choose
from sangsaeng.tenants.context import route_path
from sangsaeng.web.errors import error_response

# Routes that take files: their bodies stream to disk (``_spool``, multipart), so they keep the large limit.
UPLOADS = re.compile(r"^/api/(?:ingest(?:/check)?|datasets(?:/derived|/[^/]+/versions)?)$|^/portal/add$")
JSON_API = ("/api/", "/data/", "/hub/")
# Offsets, indexes and sizes in queries stop here: exact in every JSON reader, and within SQL's 64-bit integers.
MAX_POSITION = 2**53 - 1
PROTOCOL = ("/dsp/", "/.well-known/")


@dataclass(frozen=True)
class Limits:
    protocol_bytes: int
    json_bytes: int
    upload_bytes: int
    json_depth: int


class _Cut(Exception):
    """Raised inside the app's ``receive`` when the body passed its limit; the middleware answers 413."""


class RequestLimits:
    """ASGI middleware: the body limits of ``Limits`` for every route, and the JSON check before a route parses."""

    def __init__(self, app: Any, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def _limit(self, method: str, path: str) -> int:
        if path.startswith(PROTOCOL):
            return self.limits.protocol_bytes
        if method in ("POST", "PUT") and UPLOADS.match(path):
            return self.limits.upload_bytes
        return self.limits.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)  # within its participant context: /c/a/dsp/… is a protocol route of a
        query = scope.get("query_string", b"").lower()
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
            await self._refuse(scope, receive, send, 400, InvalidInput("the address holds a NUL character"))
            return
        limit = self._limit(scope["method"], path)
        declared = _content_length(scope)
        if declared is None:
            await self._refuse(scope, receive, send, 400, InvalidInput("the Content-Length header is not a number"))
            return
        if declared > limit:
            await self._refuse(scope, receive, send, 413, _too_large(limit))
            return
        if _parses_json(scope):
            await self._checked_json(scope, receive, send, limit)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the request on, counting its body as it arrives; past the limit, the app's answer (whatever it
        made of the cut-off read) is replaced by a 413."""
        received = 0
        cut = False
        started = False

        async def counting() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True
                    raise _Cut
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if cut and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except Exception:
            if not cut or started:
                raise
        if cut and not started:
            await self._refuse(scope, receive, send, 413, _too_large(limit))

    async def _checked_json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the whole (small) body, check it as JSON, and hand the route the same bytes."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, 413, _too_large(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            try:
                read_json(body, self.limits.json_depth, InvalidInput)
            except SangsaengError as exc:
                await self._refuse(scope, receive, send, 400, exc)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, exc: SangsaengError) -> None:
        request = Request(scope, receive)
        response: Response
        if route_path(scope).startswith(("/api", "/data", "/dsp", "/hub")):
            response = error_response(request, status, exc.to_dict())
        else:  # the portal and the rest: a person's browser, which shows text in the person's language
            w = Words(
                choose(
                    request.query_params.get("lang"),
                    request.cookies.get("lang"),
                    request.headers.get("accept-language"),
                )
            )
            response = PlainTextResponse(
                w.t("problem.too_large" if status == 413 else "problem.bad_request"), status_code=status
            )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length (0 when absent); ``None`` when it is not a number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return 0


def _parses_json(scope: Scope) -> bool:
    """Whether FastAPI will parse the body as JSON: on ``/api`` and ``/data``, a body sent as ``application/json``
    (or ``…+json``) outside the file uploads. Protocol messages are parsed by ``web/protocol.py body_of`` with
    ``read_json`` itself, after the caller is authenticated, so a stranger's body costs no parse."""
    if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return False
    path = route_path(scope)
    if not path.startswith(JSON_API) or UPLOADS.match(path):
        return False
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-type":
            media: str = value.decode("latin-1").split(";", 1)[0].strip().lower()
            return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
    return False


def _too_large(limit: int) -> ContentTooLarge:
    return ContentTooLarge(
        f"the request body is larger than this route takes ({limit:,} bytes)",
        hint="send less; the limits are the settings max_protocol_body, max_json_body and max_upload_body",
    )

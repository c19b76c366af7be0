"""The portal's session on each request, and security headers on every answer (ASGI middleware).

Pages keep using ``request.session`` (``user``, ``csrf``, ``flash``); behind it is a row of the state database
(``portal.sessions``), so signing out or a password change ends a session for good. Before sign-in there is no
row: the CSRF token of the login form is a random value in its own cookie, compared with the form's copy.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sangsaeng.accounts.sessions import PortalSessions
from sangsaeng.portal.paths import PORTAL, cookie_path
from sangsaeng.store.records import PortalSession
from sangsaeng.tenants.context import context_of, route_path

SESSION_COOKIE = "sangsaeng_session"
CSRF_COOKIE = "sangsaeng_csrf"
COOKIE_PATH = PORTAL  # under the participant context's prefix (``paths.cookie_path``)
SESSION_KEY = "portal.session"  # the scope key of the open session record, for sign-out and password change
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_OWN = ("user", "csrf")  # kept in the row's columns, not in its data

# Pages: nothing but this connector's own scripts, styles, images and forms; never inside a frame. The one hash
# is that of the empty string: plotly.js adds empty <style> elements and fills them through the CSSOM
# (insertRule), which a policy does not govern; a <style> with any content, or a style attribute, stays refused.
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
PORTAL_POLICY = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {EMPTY_STYLE}; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"  # JSON and data: nothing in them may run or be framed
API_PREFIXES = ("/api", "/data", "/dsp", "/.well-known")
COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin"}


def cookie_headers(scope: Any, name: str, value: str | None, secure: bool, max_age: int | None = None) -> list[str]:
    """``Set-Cookie`` values for the request's context's portal (``scope``): HttpOnly and SameSite=Lax always,
    Secure when configured; no value deletes."""
    made = Response()
    path = cookie_path(scope)
    if value is None:
        made.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="lax")
    else:
        made.set_cookie(name, value, max_age=max_age, path=path, secure=secure, httponly=True, samesite="lax")
    return [v.decode("latin-1") for k, v in made.raw_headers if k == b"set-cookie"]


def _protect(message: Message, policy: str | None) -> MutableHeaders:
    """The headers every answer gets (a route's own win), and the policy for its kind of route."""
    headers = MutableHeaders(scope=message)
    for name, value in COMMON.items():
        headers.setdefault(name, value)
    if policy is not None:
        headers.setdefault("content-security-policy", policy)
    return headers


def is_portal(path: str) -> bool:
    return path == "/" or path == COOKIE_PATH or path.startswith(COOKIE_PATH + "/")


class SecurityHeaders:
    """The headers of every answer, outermost: a refusal by the request limits (413) or any page gets them too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        policy = PORTAL_POLICY if is_portal(path) else API_POLICY if path.startswith(API_PREFIXES) else None

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                _protect(message, policy)
            await send(message)

        await self.app(scope, receive, headed)


class PortalGuard:
    """The session of the portal of the request's participant context: its sessions, its cookies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_portal(route_path(scope)):  # the API, protocol and data: no session
            await self.app(scope, receive, send)
            return
        context = context_of(scope)
        sessions = context.services.accounts
        secure = context.settings.portal_secure_cookies
        cookies = HTTPConnection(scope).cookies
        token = cookies.get(SESSION_COOKIE)
        session = await sessions.open(token)
        given_csrf = cookies.get(CSRF_COOKIE, "")
        data: dict[str, Any]
        if session is not None:
            data = {**session.data, "user": session.user_name, "csrf": session.csrf}
        else:
            data = {"csrf": given_csrf if _TOKEN.match(given_csrf) else secrets.token_urlsafe(32)}
        before = dict(data)
        scope["session"] = data
        scope[SESSION_KEY] = session

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                await _session_cookies(scope, sessions, secure, headers, token, session, data, before, given_csrf)
            await send(message)

        await self.app(scope, receive, sending)


async def _session_cookies(
    scope: Scope,
    sessions: PortalSessions,
    secure: bool,
    headers: MutableHeaders,
    token: str | None,
    session: PortalSession | None,
    data: dict[str, Any],
    before: dict[str, Any],
    given_csrf: str,
) -> None:
    set_here = any(v.startswith(SESSION_COOKIE + "=") for v in headers.getlist("set-cookie"))
    if session is not None and "user" in data:
        kept = {k: v for k, v in data.items() if k not in _OWN}
        if kept != {k: v for k, v in before.items() if k not in _OWN}:
            await sessions.keep(session, kept)
    elif token and not set_here:  # a cookie naming no live session: forget it in the browser too
        for value in cookie_headers(scope, SESSION_COOKIE, None, secure):
            headers.append("set-cookie", value)
    if session is None and data.get("csrf") != given_csrf and isinstance(data.get("csrf"), str):
        for value in cookie_headers(scope, CSRF_COOKIE, data["csrf"], secure):
            headers.append("set-cookie", value)

"""Signing in and out, and changing one's password: pages over ``portal.sessions.PortalSessions``."""

from __future__ import annotations

import ipaddress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sangsaeng.accounts.sessions import Attempt, PortalSessions
from sangsaeng.errors import InvalidInput
from sangsaeng.portal.guard import SESSION_COOKIE, SESSION_KEY, cookie_headers
from sangsaeng.portal.pages import LoginRequired, UserDep, checked_form, render
from sangsaeng.portal.paths import url
from sangsaeng.services import ServicesDep, services
from sangsaeng.store.records import User

router = APIRouter(prefix="/portal", include_in_schema=False)
REFUSED = {"failed": ("login.failed", 400), "throttled": ("login.throttled", 429), "locked": ("login.locked", 403)}


def sessions(request: Request) -> PortalSessions:
    return services(request).accounts


def address(request: Request) -> str:
    """The caller's address as sign-ins are throttled (behind a proxy, the one uvicorn takes from X-Forwarded-For
    when it trusts it). An IPv6 caller is its /64: one subscriber is handed a whole /64, and counting each of its
    2^64 addresses apart let it guess without end."""
    host = request.client.host if request.client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def refused(request: Request, template: str, attempt: Attempt, user: User | None = None, **context: Any) -> Response:
    message, status = REFUSED[attempt.outcome]
    answer = render(request, template, user, status=status, error=message, minutes=attempt.wait_minutes, **context)
    if attempt.outcome == "throttled":
        answer.headers["retry-after"] = str(attempt.wait_minutes * 60)
    return answer


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    return await sign_in(request, await checked_form(request), "login.html", "/portal/")


async def sign_in(request: Request, form: Any, template: str, landing: str) -> Response:
    """A sign-in form sent (its CSRF checked by the caller): the session's cookie and on to ``landing``, or
    ``template`` again saying why not. The hub's operator sign-in is this too (same sessions, limits, lockouts)."""
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    attempt = await sessions(request).sign_in(name, password, address(request))
    if attempt.token is None:
        return refused(request, template, attempt, name=name)
    answer = RedirectResponse(url(request, landing), status_code=303)
    secure = services(request).connector.settings.portal_secure_cookies
    for value in cookie_headers(request.scope, SESSION_COOKIE, attempt.token, secure):
        answer.headers.append("set-cookie", value)
    return answer


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    await sessions(request).sign_out(request.cookies.get(SESSION_COOKIE))
    request.session.clear()
    answer = RedirectResponse(url(request, "/portal/login"), status_code=303)
    secure = services(request).connector.settings.portal_secure_cookies
    for value in cookie_headers(request.scope, SESSION_COOKIE, None, secure):
        answer.headers.append("set-cookie", value)
    return answer


@router.get("/password", response_class=HTMLResponse)
async def password_page(request: Request, user: UserDep) -> Response:
    return render(request, "password.html", user)


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, svc: ServicesDep, user: UserDep) -> Response:
    form = await checked_form(request)
    session = request.scope.get(SESSION_KEY)
    if session is None:
        raise LoginRequired
    current, new = str(form.get("current", "")), str(form.get("new", ""))
    if new != str(form.get("confirm", "")):
        return render(request, "password.html", user, status=400, error="password.mismatch")
    try:
        attempt = await sessions(request).change_password(session, current, new, address(request))
    except InvalidInput:
        return render(request, "password.html", user, status=400, error="password.short")
    if attempt.outcome != "ok":
        if attempt.outcome == "failed":
            return render(request, "password.html", user, status=400, error="password.wrong")
        return refused(request, "password.html", attempt, user=user)
    return render(request, "password.html", user, changed=True)

"""The portal on a connector's app: sessions kept server-side, security headers, its pages, and its answers to
refusals. Its own module, so that the pages need not import the rooms that import them."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sangsaeng.portal import account, audit_page, exchange, offering, onboarding
from sangsaeng.portal.guard import PortalGuard, is_portal
from sangsaeng.portal.pages import LoginRequired, NotAllowed, render, router
from sangsaeng.portal.paths import url
from sangsaeng.portal.support import site as support_site
from sangsaeng.services import services
from sangsaeng.tenants.context import route_path


def install(app: Any) -> None:
    """The portal on a connector's app: sessions kept server-side, security headers, its pages, and its answers
    to refusals. Built once for every participant context the app serves: each request's own comes from its
    scope."""
    app.add_middleware(PortalGuard)
    app.include_router(account.router)
    app.include_router(router)
    app.include_router(onboarding.router)
    app.include_router(exchange.router)
    app.include_router(offering.router)
    app.include_router(audit_page.router)
    support_site.install(app)  # the member's side of SME support (portal/support/)

    async def root(request: Request) -> Response:
        return RedirectResponse(url(request, "/portal/"), status_code=303)

    app.add_api_route("/", root, include_in_schema=False)

    async def login_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse(url(request, "/portal/login"), status_code=303)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        found = str(exc) in ("stage", "dataset")
        title, text = (
            ("problem.missing", "problem.missing.text") if found else ("problem.forbidden", "problem.forbidden.text")
        )
        user = request.session.get("user")
        if str(exc) in ("role", "csrf") and isinstance(user, str):  # a signed-in person tried more than allowed
            audit = services(request).connector.audit
            audit.note("portal.refused", user=user, reason=str(exc), path=route_path(request.scope))
        return render(request, "problem.html", None, status=404 if found else 403, title=title, message=text)

    api_answers = {kind: app.exception_handlers[kind] for kind in (StarletteHTTPException, RequestValidationError)}

    async def refused(request: Request, exc: Exception) -> Response:
        """Unknown pages, wrong methods, unreadable forms: a page in the person's language, as the API's
        handlers would answer JSON (which a browser shows as a raw text)."""
        if not is_portal(route_path(request.scope)):
            kind = StarletteHTTPException if isinstance(exc, StarletteHTTPException) else RequestValidationError
            answer: Response = await api_answers[kind](request, exc)
            return answer
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 400
        title, text = (
            ("problem.missing", "problem.missing.text") if status == 404 else ("problem.input", "problem.bad_request")
        )
        return render(request, "problem.html", None, status=status, title=title, message=text)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(StarletteHTTPException, refused)
    app.add_exception_handler(RequestValidationError, refused)

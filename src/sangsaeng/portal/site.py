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
from sangsaeng.portal.names import TITLES_FILE, RememberedTitles
from sangsaeng.portal.pages import LoginRequired, NotAllowed, render, router


def install(app: Any) -> None:
    """The portal on a connector's app: sessions kept server-side, security headers, its pages, and its answers
    to refusals."""
    connector = app.state.services.connector
    app.state.portal_sessions = app.state.services.accounts
    app.state.portal_titles = RememberedTitles(connector.settings.data_dir / TITLES_FILE)
    app.add_middleware(PortalGuard, sessions=app.state.portal_sessions, secure=connector.settings.portal_secure_cookies)
    app.include_router(account.router)
    app.include_router(router)
    app.include_router(onboarding.router)
    app.include_router(exchange.router)
    app.include_router(offering.router)
    app.include_router(audit_page.router)

    async def root(request: Request) -> Response:
        return RedirectResponse("/portal/", status_code=303)

    app.add_api_route("/", root, include_in_schema=False)

    async def login_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/portal/login", status_code=303)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        found = str(exc) in ("stage", "dataset")
        title, text = (
            ("problem.missing", "problem.missing.text") if found else ("problem.forbidden", "problem.forbidden.text")
        )
        user = request.session.get("user")
        if str(exc) in ("role", "csrf") and isinstance(user, str):  # a signed-in person tried more than allowed
            connector.audit.note("portal.refused", user=user, reason=str(exc), path=request.url.path)
        return render(request, "problem.html", None, status=404 if found else 403, title=title, message=text)

    api_answers = {kind: app.exception_handlers[kind] for kind in (StarletteHTTPException, RequestValidationError)}

    async def refused(request: Request, exc: Exception) -> Response:
        """Unknown pages, wrong methods, unreadable forms: a page in the person's language, as the API's
        handlers would answer JSON (which a browser shows as a raw text)."""
        if not is_portal(request.url.path):
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

"""The hub's pages on the hub's app (``install``), beside the connector portal whose machinery they use."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from sangsaeng.portal.hub import applying, dashboard, hosted, public, reviewing
from sangsaeng.portal.hub.common import SignInRequired
from sangsaeng.portal.paths import url


def install(app: FastAPI) -> None:
    for module in (applying, hosted, reviewing, dashboard, public):
        app.include_router(module.router)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        return RedirectResponse(url(request, "/portal/hub/signin"), status_code=303)

    app.add_exception_handler(SignInRequired, sign_in_first)

"""A company without IT asks the hub to host its connector (``/portal/hub/hosted``) and follows its request
(``/portal/hub/hosted/status``): the company's facts as on the application form (each refusal beside its field,
in the reader's language, everything typed kept but the password) and its first portal user; the hub's one use
case (``HostedApplications.request``) files it for the operator's review. Once approved, the status page gives
the connector's portal address and, the first time only, its API key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sangsaeng.errors import SangsaengError
from sangsaeng.hub.hosting.applying import HostedApplications
from sangsaeng.portal.hub.applying import HOSTED, posted
from sangsaeng.portal.hub.common import (
    blank_company,
    company_choices,
    facts,
    hub_of,
    signed_in,
)
from sangsaeng.portal.hub.form import field_of, hosted_of, hosted_values_of, problems, said
from sangsaeng.portal.pages import render, words
from sangsaeng.services import CONTEXT

router = APIRouter(prefix=HOSTED, include_in_schema=False)


def _absent() -> HostedApplications:
    raise StarletteHTTPException(404)  # a hub that hosts nothing


def hosted_of_request(request: Request) -> HostedApplications:
    hub_of(request)
    found: HostedApplications = request.scope[CONTEXT].own(HostedApplications, _absent)
    return found


async def _form(request: Request, kept: dict[str, Any], errors: dict[str, Any], status: int = 200) -> Response:
    w = words(request)
    return render(
        request,
        "hub_hosted.html",
        await signed_in(request),
        status=status,
        kept=kept,
        errors=errors,
        **company_choices(w),
    )


@router.get("", response_class=HTMLResponse)
async def hosted_page(request: Request) -> Response:
    hosted_of_request(request)
    return await _form(request, blank_company(), {})


@router.post("", response_class=HTMLResponse)
async def host_me(request: Request) -> Response:
    signups = hosted_of_request(request)
    kept, password = hosted_values_of(await posted(request))
    asked = hosted_of(kept, password)
    w = words(request)
    errors: dict[str, Any] = problems(asked, w.language)
    if not errors:
        address = request.client.host if request.client else "unknown"
        try:
            made = await signups.request(asked, address)
        except SangsaengError as exc:  # taken by the core after the form's checks; too many requests: the form's
            errors = {field_of(exc.position): said(exc, w.language)}
            if exc.status == 429:
                return await _form(request, kept, {"": said(exc, w.language)}, status=429)
        else:
            return render(
                request,
                "hub_hosted_status.html",
                await signed_in(request),
                status=201,
                fresh=True,
                application=made["application"],
                code=made["code"],
                a=facts(w, made["view"]),
            )
    return await _form(request, kept, errors, status=400)


@router.get("/status", response_class=HTMLResponse)
async def status_page(request: Request) -> Response:
    hosted_of_request(request)
    return render(request, "hub_hosted_status.html", await signed_in(request))


@router.post("/status", response_class=HTMLResponse)
async def status(request: Request) -> Response:
    signups = hosted_of_request(request)
    form = await posted(request)
    application, code = str(form.get("application", "")).strip(), str(form.get("code", "")).strip()
    w = words(request)
    try:
        found = await signups.status(application, code)
    except SangsaengError as exc:
        # One answer for an unknown application and a wrong code: nothing tells which.
        error = {"message": w.t("hub.portal.status.refused"), "hint": w.t("hub.portal.hosted.refused.hint")}
        return render(
            request,
            "hub_hosted_status.html",
            await signed_in(request),
            status=exc.status if exc.status in (401, 404) else 400,
            error=error,
            application=application,
        )
    opened = {k: found[k] for k in ("portal", "admin", "apiKey") if k in found} or None
    return render(
        request,
        "hub_hosted_status.html",
        await signed_in(request),
        a=facts(w, found["view"]),
        opened=opened,
        application=application,
        code=code,
    )
